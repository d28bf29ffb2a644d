"""CloudFormation and HTTPRoute output of the gateway world compared byte for byte with goldens.

The world (tests/render/gatewayworld.py): two majors of products (v1 deprecated), a preview
(v2-rev4 in staging, v2-rev3 in production), orders deployed to staging only, two
environments. Regenerate after an intended change and review the diff of tests/golden/:

    RELORCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_render_gateway_golden.py
"""

from __future__ import annotations

import pytest

from relorch.render.cloudformation import render_cloudformation
from relorch.render.httproute import render_httproute
from tests.render import gatewayworld as world
from tests.render.test_render_world import check_golden


@pytest.mark.parametrize("env", ["production", "staging"])
def test_cloudformation_matches_golden(env: str) -> None:
    cfg = world.config()
    text = render_cloudformation(world.model(cfg), env, world.spec_source(cfg)).text
    check_golden(f"cloudformation/{env}.json", text)


@pytest.mark.parametrize("env", ["production", "staging"])
def test_httproute_matches_golden(env: str) -> None:
    check_golden(f"httproute/{env}.yaml", render_httproute(world.model(), env).text)
