"""`relorch diff BASE HEAD` through the installed executable, and diff_refs() on real repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relorch.config import load_config
from relorch.errors import PreconditionError, UsageError
from relorch.gate import SpecError, diff_refs
from relorch.git.gateway import Git
from tests.gitrepo import Clone, make_origin, run_relorch
from tests.jsondocs import validate_document

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
        "  GET /products/{id} response 200 body .price: type changed from number to string "
        "[response-body-type-changed]" in lines
    )
    assert "error: 1 change at or above breaking in openapi.yaml from v1-rev1 to HEAD" in lines
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
    data = validate_document(json.loads(result.stdout))
    assert data["schema"] == "relorch-diff/1"
    assert data["ok"] is False and data["compared"] is True and data["fail_on"] == "breaking"
    assert data["base"] == "v1-rev1" and data["head_sha"] == api_repo.head()
    price = {
        "rule": "response-body-type-changed",
        "level": "breaking",
        "location": "GET /products/{id} response 200 body .price",
        "message": "type changed from number to string",
    }
    lang = {
        "rule": "request-parameter-added",
        "level": "compatible",
        "location": "GET /products/{id} query parameter lang",
        "message": "optional parameter added",
    }
    assert data["changes"] == [lang, price]
    assert data["failing"] == [price]
    assert data["counts"] == {"breaking": 1, "potentially-breaking": 0, "compatible": 1}


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
    data = validate_document(json.loads(result.stdout))
    assert data["head"] == "HEAD" and data["changes"] == data["failing"] == []
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


def test_spec_missing_at_base_fails_closed_naming_path_and_ref(tmp_path: Path) -> None:
    clone = make_origin(tmp_path, CONFIG)
    base = clone.head()
    clone.commit("feat: first API description", {"openapi.yaml": openapi()})
    result = clone.relorch("diff", base, "HEAD", "--json")
    assert result.returncode == 3, result.stderr
    error = validate_document(json.loads(result.stdout))
    assert error["schema"] == "relorch-error/1" and error["exit_code"] == 3
    assert f"error: openapi.yaml does not exist at {base}: the breaking-change gate cannot run" in (
        result.stderr
    )
    assert f"git show {base}:openapi.yaml" in result.stderr


def test_spec_removed_at_head_fails_closed(api_repo: Clone) -> None:
    api_repo.git("rm", "-q", "openapi.yaml")
    api_repo.git("commit", "-q", "-m", "chore: drop the description")
    result = api_repo.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 3
    assert "error: openapi.yaml does not exist at HEAD" in result.stderr
    assert "hint: " in result.stderr


def test_spec_path_typo_fails_closed(tmp_path: Path) -> None:
    clone = make_origin(
        tmp_path, '[apis.products]\nspec = "openapi.yml"\n', {"openapi.yaml": openapi()}
    )
    clone.tag("v1-rev1")
    clone.commit("feat!: price as text", {"openapi.yaml": openapi("string")})
    result = clone.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3
    assert "openapi.yml does not exist at v1-rev1" in result.stderr


def test_invalid_yaml_at_head_fails_closed_naming_file_and_ref(api_repo: Clone) -> None:
    api_repo.commit("wip", {"openapi.yaml": "openapi: 3.0.3\npaths: [\n"})
    result = api_repo.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3
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
    assert validate_document(json.loads(result.stdout))["failing"][0]["location"] == "/orders"
    assert run_relorch(elsewhere, *args, "--api", "products").returncode == 0
    several = run_relorch(elsewhere, *args)
    assert several.returncode == 2 and "several APIs" in several.stderr


def test_diff_refs_is_silent_and_returns_a_report(
    api_repo: Clone, capsys: pytest.CaptureFixture[str]
) -> None:
    api_repo.commit("feat!: price as text", {"openapi.yaml": openapi("string")})
    git = Git(api_repo.path)
    api = load_config(api_repo.path).api(None)
    gate = load_config(api_repo.path).gate
    report = diff_refs(git, api, "v1-rev1", "HEAD", gate)
    assert not report.ok and [c.rule for c in report.failing] == ["response-body-type-changed"]
    assert report.base_sha == api_repo.git("rev-parse", "v1-rev1^{commit}")
    assert capsys.readouterr() == ("", "")
    with pytest.raises(UsageError, match="unknown revision"):
        diff_refs(git, api, "nope", "HEAD", gate)
    first = diff_refs(git, api, None, "HEAD", gate)
    assert first.ok and not first.compared and "first revision" in first.note
    api_repo.git("rm", "-q", "openapi.yaml")
    api_repo.git("commit", "-q", "-m", "chore: drop the description")
    with pytest.raises(SpecError, match="does not exist at HEAD") as missing:
        diff_refs(git, api, "v1-rev1", "HEAD", gate)
    assert isinstance(missing.value, PreconditionError) and missing.value.exit_code == 3
