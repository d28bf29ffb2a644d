"""Rendered documents of the test world compared byte for byte with tests/golden/.

Regenerate after an intended change and review the diff of tests/golden/ before committing:

    RELORCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_render_golden.py
"""

from __future__ import annotations

import pytest

from relorch.render.arm import render_arm
from relorch.render.headers import render_headers
from relorch.render.manifest import manifest_data, render_manifest
from relorch.render.usertemplate import render_template
from tests.render.test_render_template import NGINX
from tests.render.test_render_world import check_golden, config, model, spec_source, world_ledger


@pytest.mark.parametrize("env", ["production", "staging"])
def test_arm_matches_golden(env: str) -> None:
    cfg = config()
    check_golden(f"arm/{env}.json", render_arm(model(cfg), env, spec_source(cfg)).text)


def test_arm_with_a_preview_matches_golden() -> None:
    cfg = config()
    arm = render_arm(model(cfg, state=world_ledger()), "production", spec_source(cfg))
    check_golden("arm/production-preview.json", arm.text)


def test_manifest_matches_golden() -> None:
    check_golden("render/manifest.json", render_manifest(model()))


def test_headers_match_golden() -> None:
    check_golden("render/headers.json", render_headers(model()))


def test_user_template_output_matches_golden() -> None:
    text = render_template(NGINX, "gw.conf.j2", manifest_data(model(), "staging"))
    check_golden("render/gw-staging.conf", text)
