"""`relorch render cloudformation|httproute` through the installed executable, on a real repo."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import Clone, hermetic, make_origin
from tests.render.test_render_cli import tag

CONFIG = """\
[apis.products]
spec = "openapi.yaml"

[apis.products.aws]
rest_api_name = "products"
domain_name = "api.example.net"

[apis.products.kubernetes]
gateway = "public-gw"                        # parentRefs
namespace = "apis"
hostnames = ["api.example.net"]
backend = "products-v{major}-rev{revision}"  # Service name per revision
port = 8080

[support]
migration_guide = "https://developer.example.net/migrate"

[environments.staging]
[environments.production]
"""
NOW = ("--now", "2026-03-01")
SPEC_V1 = "openapi: 3.0.3\ninfo:\n  title: Products\n  version: '1.1'\npaths: {}\n"
SPEC_V2 = "openapi: 3.0.3\ninfo:\n  title: Products\n  version: '2.1'\npaths: {}\n"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clone]:
    """v1-rev1 and v2-rev1, v2-rev2 tagged; staging has v1-rev1 and v2-rev2, production v2-rev1."""
    root = tmp_path_factory.mktemp("gateways")
    with pytest.MonkeyPatch.context() as patch:
        hermetic(patch, root)
        clone = make_origin(root, CONFIG, {"openapi.yaml": SPEC_V1})
        tag(clone, "v1-rev1", "2026-01-15T10:00:00Z")
        clone.push("HEAD:refs/heads/release/v1")
        assert clone.relorch("deploy", "v1@rev1", "--env", "staging").returncode == 0
        clone.commit("feat!: v2", {"openapi.yaml": SPEC_V2})
        clone.push("HEAD:refs/heads/main")
        tag(clone, "v2-rev1", "2026-02-01T09:00:00Z")
        clone.commit("feat: more", {"openapi.yaml": SPEC_V2.replace("'2.1'", "'2.2'")})
        clone.push("HEAD:refs/heads/main")
        tag(clone, "v2-rev2", "2026-02-10T09:00:00Z")
        for ref, env in (("v2@rev1", "production"), ("v2@rev1", "staging"), ("v2@rev2", "staging")):
            result = clone.relorch("deploy", ref, "--env", env)
            assert result.returncode == 0, result.stderr
    yield clone


def test_render_cloudformation_from_the_ledger_and_the_tags(deployed: Clone) -> None:
    result = deployed.relorch("render", "cloudformation", "--env", "staging", *NOW)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["Resources"]
    assert found["ProductsV2Stage"]["Properties"]["DeploymentId"] == {
        "Ref": "ProductsV2Rev2Deployment"
    }
    assert found["ProductsV2RestApi"]["Properties"]["Body"] == yaml.safe_load(
        SPEC_V2.replace("'2.1'", "'2.2'")
    )
    assert found["ProductsV1RestApi"]["Properties"]["Body"] == yaml.safe_load(SPEC_V1)
    assert found["ProductsV1Stage"]["Properties"]["Variables"]["link"] == (
        "https://developer.example.net/migrate"
    )
    again = deployed.relorch("render", "cloudformation", "--env", "staging", *NOW)
    assert again.stdout == result.stdout


def test_render_cloudformation_warns_about_a_major_never_deployed(deployed: Clone) -> None:
    result = deployed.relorch("render", "cloudformation", "--env", "production", *NOW)
    assert result.returncode == 0, result.stderr
    assert "warning: products v1 was never deployed to production: left out" in result.stderr
    assert not any(k.startswith("ProductsV1") for k in json.loads(result.stdout)["Resources"])


def test_render_httproute_to_a_file_with_json_summary(deployed: Clone) -> None:
    result = deployed.relorch(
        "render", "httproute", "--env", "staging", "-o", "routes.yaml", "--json", *NOW
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "schema": "relorch-render/1",
        "kind": "httproute",
        "notes": [],
        "output": "routes.yaml",
    }
    routes = [d for d in yaml.safe_load_all((deployed.path / "routes.yaml").read_text()) if d]
    assert [r["metadata"]["name"] for r in routes] == ["products-v1", "products-v2"]
    assert routes[1]["spec"]["rules"][-1]["backendRefs"][0]["name"] == "products-v2-rev2"
    assert routes[0]["spec"]["rules"][0]["filters"][0]["type"] == "ResponseHeaderModifier"


def test_render_httproute_leaves_out_a_retired_major(deployed: Clone) -> None:
    # v2 went live in production when the fixture ran (the ledger's clock): v1's sunset is
    # six months after that, long before 2040.
    result = deployed.relorch("render", "httproute", "--env", "staging", "--now", "2040-01-01")
    assert result.returncode == 0, result.stderr
    assert "products-v1" not in result.stdout and "products-v2" in result.stdout
    assert "warning: products v1 is retired" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "cloudformation"], "render cloudformation needs --env"),
        (["render", "httproute"], "render httproute needs --env"),
        (["render", "httproute", "--env", "nowhere"], "no environment named 'nowhere'"),
    ],
)
def test_render_gateway_usage_errors_exit_2(deployed: Clone, args: list[str], message: str) -> None:
    result = deployed.relorch(*args, "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stdout == ""


def test_render_cloudformation_without_aws_config_exits_2(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, "[apis.products]\n[environments.staging]\n")
    result = repo.relorch("render", "cloudformation", "--env", "staging", "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert "error: no API is configured for AWS API Gateway" in result.stderr
    assert "hint: " in result.stderr


def test_render_help_lists_every_kind_with_an_example(repo: Clone) -> None:
    result = repo.relorch("render", "--help")
    for kind in ("arm", "cloudformation", "httproute", "manifest", "headers"):
        assert f"relorch render {kind}" in result.stdout


STEP = r"""
import json, pathlib, sys
rendered = pathlib.Path(sys.argv[1])
print("rendered:", sorted(p.name for p in rendered.iterdir()))
stage = json.loads((rendered / "cloudformation.json").read_text())["Resources"]["ProductsV1Stage"]
print("stage deployment:", stage["Properties"]["DeploymentId"]["Ref"])
print("route:", (rendered / "httproute.yaml").read_text().count("kind: HTTPRoute"))
"""


def test_deploy_step_gets_cloudformation_and_httproute_as_they_will_be(repo: Clone) -> None:
    step = f'deploy = [{json.dumps(sys.executable)}, "step.py", "{{rendered}}"]\n'
    config = CONFIG.replace("[environments.staging]\n", "[environments.staging]\n" + step)
    config = config.replace('spec = "openapi.yaml"\n', "")
    repo.commit("chore: config", {"relorch.toml": config, "step.py": STEP})
    repo.push()
    repo.tag("v1-rev1")
    result = repo.relorch("deploy", "v1@rev1", "--env", "staging")
    assert result.returncode == 0, result.stderr
    assert (
        "rendered: ['cloudformation.json', 'headers.json', 'httproute.yaml', 'manifest.json']"
        in result.stderr
    )
    assert "stage deployment: ProductsV1Rev1Deployment" in result.stderr
    assert "route: 1" in result.stderr
