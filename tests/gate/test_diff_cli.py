"""`relorch diff BASE HEAD` through the installed executable, and diff_refs() on real repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relorch.config import load_config
from relorch.errors import UsageError
from relorch.gate import diff_refs
from relorch.git.gateway import Git
from tests.gitrepo import Clone, make_origin, run_relorch

CONFIG = '[apis.products]\nspec = "openapi.yaml"\n'


def openapi(price_type: str = "number", extra: str = "") -> str:
    return f"""\
openapi: 3.0.3
info: {{title: Products, version: "1"}}
paths:
  /products/{{id}}:
    get:
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}{extra}
      responses:
        "200":
          description: one product
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Product"}}
components:
  schemas:
    Product:
      type: object
      required: [id, price]
      properties:
        id: {{type: string}}
        price: {{type: {price_type}}}
"""


@pytest.fixture
def api_repo(tmp_path: Path) -> Clone:
    """A repository whose first commit (tagged v1-rev1) holds openapi.yaml."""
    clone = make_origin(tmp_path, CONFIG, {"openapi.yaml": openapi()})
    clone.tag("v1-rev1")
    return clone


def test_breaking_change_exits_3_with_report_and_hint(api_repo: Clone) -> None:
    api_repo.commit("feat!: price as text", {"openapi.yaml": openapi("string")})
    result = api_repo.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "breaking (1):" in lines
    assert (
        "  GET /products/{id} response 200 body .price: type changed from number to string" in lines
    )
    assert "error: 1 breaking change in openapi.yaml from v1-rev1 to HEAD" in lines
    assert any(line.startswith("hint: ") and "relorch release --major" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_json_report_on_stdout(api_repo: Clone) -> None:
    api_repo.commit(
        "feat!: price as text",
        {
            "openapi.yaml": openapi(
                "string",
                extra="""
        - {name: lang, in: query, schema: {type: string}}""",
            )
        },
    )
    result = api_repo.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["compared"] is True
    assert data["base"] == "v1-rev1" and data["head_sha"] == api_repo.head()
    assert data["breaking"] == [
        {
            "location": "GET /products/{id} response 200 body .price",
            "kind": "type-changed",
            "message": "type changed from number to string",
            "breaking": True,
        }
    ]
    assert [c["kind"] for c in data["compatible"]] == ["parameter-added"]


def test_compatible_change_exits_0(api_repo: Clone) -> None:
    api_repo.commit(
        "feat: optional language",
        {
            "openapi.yaml": openapi(
                extra="""
        - {name: lang, in: query, schema: {type: string}}"""
            )
        },
    )
    result = api_repo.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "compatible (1):" in result.stderr
    assert "GET /products/{id} query parameter lang: optional parameter added" in result.stderr
    assert "error:" not in result.stderr


def test_head_defaults_to_head_and_no_change_is_reported(api_repo: Clone) -> None:
    api_repo.commit("docs: readme", {"README.md": "hello\n"})
    result = api_repo.relorch("diff", "v1-rev1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["head"] == "HEAD" and data["breaking"] == data["compatible"] == []
    assert "no change" in result.stderr


def test_unknown_ref_is_usage_error_with_hint(api_repo: Clone) -> None:
    result = api_repo.relorch("diff", "v9-rev9", "HEAD")
    assert result.returncode == 2
    assert "error: unknown revision 'v9-rev9'" in result.stderr
    assert "hint: " in result.stderr and result.stdout == ""


def test_api_without_spec_is_usage_error_with_hint(repo: Clone) -> None:
    result = repo.relorch("diff", "HEAD", "HEAD")
    assert result.returncode == 2
    assert "has no OpenAPI document configured" in result.stderr
    assert 'hint: set spec = "openapi.yaml"' in result.stderr


def test_spec_missing_at_base_means_nothing_to_compare(tmp_path: Path) -> None:
    clone = make_origin(tmp_path, CONFIG)
    base = clone.head()
    clone.commit("feat: first API description", {"openapi.yaml": openapi()})
    result = clone.relorch("diff", base, "HEAD", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["compared"] is False and "nothing to compare" in data["note"]
    assert "nothing to compare" in result.stderr


def test_spec_removed_at_head_is_breaking(api_repo: Clone) -> None:
    api_repo.git("rm", "-q", "openapi.yaml")
    api_repo.git("commit", "-q", "-m", "chore: drop the description")
    result = api_repo.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 3
    assert [c["kind"] for c in json.loads(result.stdout)["breaking"]] == ["spec-removed"]


def test_invalid_yaml_at_head_is_usage_error_naming_file_and_ref(api_repo: Clone) -> None:
    api_repo.commit("wip", {"openapi.yaml": "openapi: 3.0.3\npaths: [\n"})
    result = api_repo.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 2
    assert "error: openapi.yaml at HEAD: not valid YAML or JSON" in result.stderr
    assert "hint: " in result.stderr and "Traceback" not in result.stderr


def test_chdir_config_and_api_options(tmp_path: Path) -> None:
    config = (
        '[apis.products]\nspec = "products/openapi.yaml"\npaths = ["products"]\n'
        '[apis.orders]\nspec = "orders/openapi.json"\npaths = ["orders"]\n'
    )
    clone = make_origin(
        tmp_path,
        "",
        {
            "ci/relorch.toml": config,
            "products/openapi.yaml": openapi(),
            "orders/openapi.json": json.dumps(
                {"openapi": "3.1.0", "paths": {"/orders": {"get": {}}}}
            ),
        },
    )
    base = clone.head()
    clone.commit(
        "feat!: drop orders listing",
        {
            "orders/openapi.json": json.dumps({"openapi": "3.1.0", "paths": {}}),
        },
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ("diff", base, "HEAD", "-C", str(clone.path), "--config", "ci/relorch.toml")
    result = run_relorch(elsewhere, *args, "--api", "orders", "--json")
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["breaking"][0]["location"] == "/orders"
    assert run_relorch(elsewhere, *args, "--api", "products").returncode == 0
    several = run_relorch(elsewhere, *args)
    assert several.returncode == 2 and "several APIs" in several.stderr


def test_diff_refs_is_silent_and_returns_a_report(
    api_repo: Clone, capsys: pytest.CaptureFixture[str]
) -> None:
    api_repo.commit("feat!: price as text", {"openapi.yaml": openapi("string")})
    git = Git(api_repo.path)
    api = load_config(api_repo.path).api(None)
    report = diff_refs(git, api, "v1-rev1", "HEAD")
    assert not report.ok and [c.kind for c in report.breaking] == ["type-changed"]
    assert report.base_sha == api_repo.git("rev-parse", "v1-rev1^{commit}")
    assert capsys.readouterr() == ("", "")
    with pytest.raises(UsageError, match="unknown revision"):
        diff_refs(git, api, "nope", "HEAD")
