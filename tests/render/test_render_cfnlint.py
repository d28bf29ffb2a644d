"""CloudFormation output linted by the real `cfn-lint` (pinned in the test extra)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from relorch.render.cloudformation import render_cloudformation
from tests.render import gatewayworld as world

CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert CFN_LINT.is_file(), "cfn-lint is in the test extra: pip install -e '.[test]'"
    return subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--regions", "eu-west-1", "--", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _write(directory: Path, name: str, env: str, **changes: dict[str, object]) -> Path:
    cfg = world.config(**changes)
    path = directory / f"{name}.json"
    path.write_text(render_cloudformation(world.model(cfg), env, world.spec_source(cfg)).text)
    return path


def test_rendered_templates_pass_cfn_lint(tmp_path: Path) -> None:
    managed = {"aws": {"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}}
    paths = [
        _write(tmp_path, "production", "production"),
        _write(tmp_path, "staging", "staging"),
        _write(tmp_path, "canary", "staging", products={"aws": {"canary_percent": 12.5}}),
        _write(tmp_path, "managed", "staging", products=managed),
        _write(
            tmp_path,
            "edge",
            "production",
            products={**managed, "aws": {**managed["aws"], "endpoint_type": "EDGE"}},
        ),
    ]
    result = lint(*paths)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


BREAKAGES = {
    # name: (logical id, property, value, the cfn-lint rule that must report it)
    "missing-deployment": ("ProductsV1Stage", "DeploymentId", {"Ref": "NoSuchDeployment"}, "E1020"),
    "priority-zero": ("ProductsV2Rev3RoutingRule", "Priority", 0, "E3034"),
    "other-apis-deployment": (
        "ProductsV1Stage",
        "DeploymentId",
        {"Ref": "ProductsV2Rev2Deployment"},
        "E3",
    ),
    "conditions-not-a-list": ("ProductsV2Rev3RoutingRule", "Conditions", "Api-Revision", "E3012"),
}


def test_deliberately_broken_templates_fail_cfn_lint(tmp_path: Path) -> None:
    good = json.loads(_write(tmp_path, "good", "production").read_text())
    paths = {}
    for name, (logical, key, value, _) in BREAKAGES.items():
        document = json.loads(json.dumps(good))
        document["Resources"][logical]["Properties"][key] = value
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(document))
    result = lint(*paths.values())
    assert result.returncode != 0
    for name, (*_, rule) in BREAKAGES.items():
        lines = [line for line in result.stdout.splitlines() if line.startswith(f"{paths[name]}:")]
        assert any(f":{rule}" in line for line in lines), (name, result.stdout)
