"""`relorch render` through the installed executable, on real git repositories with real deploys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitrepo import Clone, hermetic, make_origin
from tests.render.test_render_arm_schema import schema_errors, unknown_properties

CONFIG = """\
[apis.products]
spec = "openapi.yaml"

[apis.products.apim]
service = "apim-test"
path = "catalog"
gateway_url = "https://gw.example.net"

[support]
migration_guide = "https://developer.example.net/migrate"

[environments.staging]
"""
OPENAPI_V1 = "openapi: 3.0.3\ninfo:\n  title: Products\n  version: '1.1'\npaths: {}\n"
OPENAPI_V2 = "openapi: 3.0.3\ninfo:\n  title: Products\n  version: '2.1'\npaths: {}\n"


def tag(clone: Clone, name: str, date: str) -> None:
    clone.git("tag", "-a", name, "-m", name, env={"GIT_COMMITTER_DATE": date})
    clone.git("push", "-q", "origin", f"refs/tags/{name}")


@pytest.fixture(scope="module")
def two_majors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clone]:
    """v1-rev1 (kept on release/v1) and v2-rev1 on main, both deployed to staging.

    Built once for the module (the tests only read it); the hermetic git environment of
    conftest is function-scoped, so the same settings are applied here for the build.
    """
    root = tmp_path_factory.mktemp("two_majors")
    with pytest.MonkeyPatch.context() as patch:
        hermetic(patch, root)
        clone = make_origin(root, CONFIG, {"openapi.yaml": OPENAPI_V1})
        tag(clone, "v1-rev1", "2026-01-15T10:00:00Z")
        clone.push("HEAD:refs/heads/release/v1")
        # v1 is deployed while it is the newest major: by the wall clock, v1's sunset
        # (v2-rev1's date + 6 months) has passed, and deploy refuses a retired major.
        deployed = clone.relorch("deploy", "v1@rev1", "--env", "staging")
        assert deployed.returncode == 0, deployed.stderr
        clone.commit("feat!: v2", {"openapi.yaml": OPENAPI_V2})
        clone.push("HEAD:refs/heads/main")
        tag(clone, "v2-rev1", "2026-02-01T09:00:00Z")
        deployed = clone.relorch("deploy", "v2@rev1", "--env", "staging")
        assert deployed.returncode == 0, deployed.stderr
    yield clone


def test_render_arm_from_the_ledger_and_the_tags(two_majors: Clone) -> None:
    first = two_majors.relorch("render", "arm", "--env", "staging", "--now", "2026-03-01")
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert schema_errors(document) == [] and unknown_properties(document) == []
    resources = {r["name"]: r for r in document["resources"]}
    assert resources["apim-test/products-v1"]["properties"]["value"] == OPENAPI_V1
    assert resources["apim-test/products-v2"]["properties"]["value"] == OPENAPI_V2
    assert "apim-test/products-v1/policy" in resources  # v1 is deprecated by v2-rev1
    again = two_majors.relorch("render", "arm", "--env", "staging", "--now", "2026-03-01")
    assert again.stdout == first.stdout


def test_render_arm_leaves_out_a_major_retired_at_now(two_majors: Clone) -> None:
    result = two_majors.relorch("render", "arm", "--env", "staging", "--now", "2026-08-02")
    assert result.returncode == 0
    names = [r["name"] for r in json.loads(result.stdout)["resources"]]
    assert "apim-test/products-v1" not in names and "apim-test/products-v2" in names
    assert "warning: products v1 is retired (its sunset 2026-08-01 has passed" in result.stderr


def test_render_manifest_to_a_file_with_json_summary(two_majors: Clone) -> None:
    out = two_majors.path / "out" / "manifest.json"
    out.parent.mkdir(exist_ok=True)
    written = two_majors.relorch(
        "render", "manifest", "-o", "out/manifest.json", "--json", "--now", "2026-03-01"
    )
    assert written.returncode == 0, written.stderr
    assert json.loads(written.stdout) == {
        "schema": "relorch-render/1",
        "kind": "manifest",
        "notes": [],
        "output": "out/manifest.json",
    }
    printed = two_majors.relorch("render", "manifest", "--now", "2026-03-01")
    assert out.read_text(encoding="utf-8") == printed.stdout
    v1 = json.loads(printed.stdout)["apis"][0]["majors"][0]
    assert v1["environments"]["staging"]["current_tag"] == "v1-rev1"
    assert v1["environments"]["staging"]["url"] == "https://gw.example.net/catalog/v1"
    assert [p.name for p in out.parent.iterdir()] == ["manifest.json"]  # no temporary left


def test_render_headers_prints_json(two_majors: Clone) -> None:
    result = two_majors.relorch("render", "headers", "--now", "2026-03-01")
    assert result.returncode == 0
    v1 = json.loads(result.stdout)["majors"][0]
    assert v1["headers"]["Sunset"] == "Sat, 01 Aug 2026 09:00:00 GMT"


def test_render_user_template_with_chdir(repo: Clone, tmp_path: Path) -> None:
    (repo.path / "gw.j2").write_text(
        "{% for api in apis %}{{ api.name }} {{ api.path }}\n{% endfor %}", encoding="utf-8"
    )
    result = repo.relorch("render", "gw.j2", "-C", str(repo.path), "-o", "gw.txt", "--no-fetch")
    assert result.returncode == 0, result.stderr
    assert (repo.path / "gw.txt").read_text(encoding="utf-8") == "products products\n"


def test_render_template_with_an_undefined_name_exits_2_naming_file_and_line(repo: Clone) -> None:
    (repo.path / "gw.j2").write_text("ok\n{{ no_such_name }}\n", encoding="utf-8")
    result = repo.relorch("render", "gw.j2", "--no-fetch")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "error: gw.j2:2: 'no_such_name' is undefined" in result.stderr
    assert "hint: " in result.stderr


def test_render_template_escape_attempt_exits_2(repo: Clone) -> None:
    (repo.path / "evil.j2").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    result = repo.relorch("render", "evil.j2", "--no-fetch", "-o", "evil.txt")
    assert result.returncode == 2
    assert "error: evil.j2:1: refused by the sandbox" in result.stderr
    assert not (repo.path / "evil.txt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "arm"], "render arm needs --env"),
        (["render", "manifest", "--service", "apim-x"], "--service only applies"),
        (["render", "manifest", "--now", "yesterday"], "is not an ISO 8601 time"),
        (["render", "arm", "--env", "nowhere"], "no environment named 'nowhere'"),
        (["render", "nope.j2"], "no template nope.j2"),
    ],
)
def test_render_usage_errors_exit_2(repo: Clone, args: list[str], message: str) -> None:
    result = repo.relorch(*args, "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stdout == ""
