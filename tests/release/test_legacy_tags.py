"""Adopting a repository: tags from before relorch count as revisions, and relorch never goes
below them nor tags a commit that carries one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitrepo import Clone, make_origin, run_in_process

SEMVER = '[apis.products]\ntag_format = "semver"\nlegacy_tags = "semver"\n'


def tagged(repo: Clone, *tags: str, annotated: bool = True) -> None:
    """One commit per tag on main, each tagged and pushed."""
    for tag in tags:
        repo.commit(f"feat: towards {tag}")
        repo.git(*(["tag", "-a", "-m", tag, tag] if annotated else ["tag", tag]))
    repo.git("push", "-q", "origin", "HEAD:main", "--tags")


def release(repo: Clone) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = repo.relorch("release", "--revision", "--json")
    return result.returncode, (json.loads(result.stdout) if result.stdout.strip() else {})


def test_semver_release_after_legacy_tags_goes_above_the_highest(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, SEMVER)
    tagged(repo, "v1.0.0", "v1.7.0")
    repo.commit("fix: after adoption")
    repo.push()
    code, out = release(repo)
    assert code == 0 and out["tag"] == "v1.8.0" and out["revision"] == 3 and out["released"]


def test_default_scheme_numbers_its_revisions_after_the_legacy_ones(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, '[apis.products]\nlegacy_tags = ["{major}.{minor}.{patch}"]\n')
    tagged(repo, "1.0.0", "1.4.0", annotated=False)
    repo.commit("feat: more")
    repo.push()
    code, out = release(repo)
    assert code == 0 and out["tag"] == "v1-rev3" and out["previous_tag"] == "1.4.0"


def test_release_on_a_commit_with_a_legacy_tag_reports_it_and_tags_nothing(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, SEMVER)
    tagged(repo, "v1.0.0", "v1.1.0", "v1.2.3")
    before = repo.remote_refs()
    code, out = release(repo)
    assert code == 0 and out["tag"] == "v1.2.3" and out["released"] is False
    assert repo.remote_refs() == before and "v1.4.0" not in repo.local_tags()


def test_semver_without_legacy_tags_refuses_to_release_below_an_existing_version(
    tmp_path: Path,
) -> None:
    """The reported bug: v1.2.0 released on top of v1.2.3, on the commit carrying it."""
    repo = make_origin(tmp_path, '[apis.products]\ntag_format = "semver"\n')
    tagged(repo, "v1.0.0", "v1.1.0", "v1.2.3")
    repo.commit("feat: next")
    repo.push()
    before = repo.remote_refs()
    result = repo.relorch("release", "--revision")
    assert result.returncode == 3, result.stderr
    assert "error: v1.2.3 exists and relorch does not count it" in result.stderr
    assert 'hint: declare the old tags in [apis.products]: legacy_tags = "semver"' in result.stderr
    assert repo.remote_refs() == before and "v1.2.0" not in repo.local_tags()


def test_init_explains_the_legacy_tags_it_found_and_the_next_release(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, "")
    (repo.path / "relorch.toml").unlink()
    repo.git("commit", "-q", "-am", "chore: no config")
    tagged(repo, "products-v2.0.1", "products-v2.3.0", "v0.9.0", annotated=False)
    result = repo.relorch("init", "--api", "products")
    assert result.returncode == 0, result.stderr
    assert "found 2 version tag(s) from before relorch: v2 (2); newest products-v2.3.0" in (
        result.stderr
    )
    assert "will tag v2-rev3" in result.stderr and "ignored 1 tag(s) of major 0" in result.stderr
    text = (repo.path / "relorch.toml").read_text()
    assert 'legacy_tags = ["{api}-v{major}.{minor}.{patch}"]' in text
    status = run_in_process(repo.path, "status", "--json", "--semver")
    assert status.returncode == 0, status.stderr
    latest = json.loads(status.stdout)["majors"][0]["latest"]
    assert latest == {**latest, "tag": "products-v2.3.0", "revision": 2, "semver": "2.3.0"}


def test_deploy_and_rollback_take_legacy_tags_by_name_and_render_shows_them(
    tmp_path: Path,
) -> None:
    repo = make_origin(tmp_path, SEMVER + "[environments.staging]\n")
    tagged(repo, "v1.0.0", "v1.2.3", annotated=False)
    assert run_in_process(repo.path, "deploy", "v1.0.0", "--env", "staging").returncode == 0
    deployed = repo.relorch("deploy", "v1.2.3", "--env", "staging", "--json")
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["tag"] == "v1.2.3"
    rolled = run_in_process(repo.path, "rollback", "--env", "staging", "--json")
    assert rolled.returncode == 0 and json.loads(rolled.stdout)["tag"] == "v1.0.0"
    manifest = json.loads(run_in_process(repo.path, "render", "manifest").stdout)
    staging = manifest["apis"][0]["majors"][0]["environments"]["staging"]
    assert staging["current_tag"] == "v1.0.0"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["v{major}.{minor}.{build}"]', "unknown placeholder {build}"),
        ('["v{minor}.{patch}"]', "must contain {major} exactly once"),
        ('["v{major}{minor}"]', "needs a non-digit between numbers"),
        ('"calver"', "must be a list of strings"),
    ],
)
def test_unusable_legacy_tags_are_config_errors(tmp_path: Path, value: str, message: str) -> None:
    repo = make_origin(tmp_path, f"[apis.products]\nlegacy_tags = {value}\n")
    result = run_in_process(repo.path, "status")
    assert result.returncode == 2 and message in result.stderr and "hint: " in result.stderr
