"""release --revision / --major: the release rules, through the executable and in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitrepo import Clone, clone_of, git, make_origin

pytestmark = pytest.mark.usefixtures("both_doors")


def released(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_first_major_release_creates_v1_rev1(repo: Clone) -> None:
    data = released(repo.relorch("release", "--major", "--json"))
    assert (data["tag"], data["released"], data["major"], data["revision"]) == (
        "v1-rev1",
        True,
        1,
        1,
    )
    assert "refs/tags/v1-rev1" in repo.remote_refs()
    assert git(repo.origin, "cat-file", "-t", "v1-rev1") == "tag"


def test_revision_release_tags_next_number_with_grouped_notes(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat(api): add filter")
    repo.commit("fix: handle empty basket")
    repo.commit("plain subject without prefix")
    repo.push()
    data = released(repo.relorch("release", "--revision", "--json"))
    assert data["tag"] == "v1-rev2" and data["previous_tag"] == "v1-rev1"
    body = git(repo.origin, "for-each-ref", "--format=%(contents)", "refs/tags/v1-rev2")
    assert body.splitlines()[0] == "v1-rev2: 3 changes since v1-rev1"
    assert "Features\n- add filter" in body and "Fixes\n- handle empty basket" in body
    assert "Other changes\n- plain subject without prefix" in body


def test_revision_release_numbers_from_remote_not_local_tags(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    repo.tag("v1-rev1")
    other = make_clone()
    other.commit("fix: a")
    other.push()
    other.git("tag", "-a", "v1-rev2", "-m", "x")
    other.git("push", "-q", "origin", "v1-rev2")
    repo.git("pull", "-q", "--ff-only")
    repo.git("tag", "-d", "v1-rev2")  # the local view lacks v1-rev2
    repo.commit("fix: b")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v1-rev3"


def test_rerun_on_tagged_head_reports_tag_without_releasing(repo: Clone) -> None:
    repo.tag("v1-rev1")
    before = repo.remote_refs()
    data = released(repo.relorch("release", "--revision", "--json"))
    assert (data["tag"], data["released"]) == ("v1-rev1", False)
    assert repo.remote_refs() == before


def test_nothing_to_release_exits_4_when_paths_untouched(tmp_path: Path) -> None:
    config = '[apis.orders]\npaths = ["orders"]\n[apis.billing]\npaths = ["billing"]\n'
    repo = make_origin(tmp_path, config, {"orders/a.txt": "1", "billing/a.txt": "1"})
    repo.tag("orders/v1-rev1")
    repo.tag("billing/v1-rev1")
    repo.commit("docs: readme", {"README.md": "hi"})
    repo.push()
    result = repo.relorch("release", "--revision", "--json")
    assert result.returncode == 4, result.stderr
    assert json.loads(result.stdout)["nothing_to_release"] is True
    assert "nothing to release" in result.stderr
    repo.commit("fix: orders only", {"orders/a.txt": "2"})
    repo.push()
    data = released(repo.relorch("release", "--revision", "--json"))
    assert [r["tag"] for r in data["releases"]] == ["orders/v1-rev2"]


def test_major_release_cuts_branch_at_last_revision_and_tags_head(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: one")
    repo.push()
    repo.tag("v1-rev2")
    last_v1 = repo.head()
    repo.commit("feat!: breaking")
    repo.push()
    data = released(repo.relorch("release", "--major", "--json"))
    assert (data["tag"], data["branch_created"]) == ("v2-rev1", "release/v1")
    refs = repo.remote_refs()
    assert refs["refs/heads/release/v1"] == last_v1
    assert git(repo.origin, "rev-parse", "v2-rev1^{commit}") == repo.head()


def test_hotfix_on_maintenance_branch_tags_old_major(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat!: v2")
    repo.push()
    released(repo.relorch("release", "--major"))
    repo.git("fetch", "-q")
    repo.git("switch", "-q", "release/v1")
    repo.commit("fix: v1 hotfix")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v1-rev2"


def test_semver_preset_names_tags_major_revision_zero(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, '[apis.products]\ntag_format = "semver"\n')
    assert released(repo.relorch("release", "--major", "--json"))["tag"] == "v1.1.0"
    repo.commit("fix: x")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v1.2.0"


def test_dry_run_prints_plan_and_writes_nothing(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    before = (repo.remote_refs(), repo.local_tags())
    result = repo.relorch("release", "--revision", "--dry-run", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["tag"] == "v1-rev2"
    assert "would release v1-rev2" in result.stderr
    assert (repo.remote_refs(), repo.local_tags()) == before


def test_github_outputs_written_for_ci(repo: Clone, tmp_path: Path) -> None:
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)}
    assert repo.relorch("release", "--major", env=env).returncode == 0
    text = out.read_text()
    assert "tag<<" in text and "\nv1-rev1\n" in text and "\ntrue\n" in text
    assert "v1-rev1" in summary.read_text()


def test_several_apis_require_prefixed_tags_and_branches(tmp_path: Path) -> None:
    config = '[apis.orders]\npaths = ["orders"]\n[apis.billing]\npaths = ["billing"]\n'
    repo = make_origin(tmp_path, config, {"orders/a": "1", "billing/a": "1"})
    data = released(repo.relorch("release", "--major", "--api", "orders", "--json"))
    assert data["tag"] == "orders/v1-rev1"
    repo.commit("feat!: orders v2", {"orders/a": "2"})
    repo.push()
    data = released(repo.relorch("release", "--major", "--api", "orders", "--json"))
    assert (data["tag"], data["branch_created"]) == ("orders/v2-rev1", "release/orders/v1")


def test_local_only_repository_releases_without_remote(tmp_path: Path) -> None:
    path = tmp_path / "solo"
    path.mkdir()
    git(path, "init", "-q")
    (path / "relorch.toml").write_text("[apis.products]\n")
    git(path, "add", ".")
    git(path, "commit", "-qm", "init")
    solo = Clone(path, tmp_path / "none")
    assert released(solo.relorch("release", "--major", "--json"))["tag"] == "v1-rev1"


def test_release_in_process_returns_result(repo: Clone) -> None:
    from relorch.cli import main

    assert main(["release", "--major", "-C", str(repo.path)]) == 0
    assert "v1-rev1" in repo.local_tags()
    assert main(["release", "--major", "-C", str(repo.path)]) == 0  # HEAD carries it: safe rerun


def test_other_clone_can_release_after_pull(repo: Clone, tmp_path: Path) -> None:
    repo.tag("v1-rev1")
    other = clone_of(repo, tmp_path, "other")
    other.commit("fix: from other")
    other.push()
    released(other.relorch("release", "--revision"))
    repo.git("pull", "-q", "--ff-only")
    repo.commit("fix: later")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v1-rev3"


def test_main_release_finds_newest_major_this_clone_has_no_tag_of(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    """The newest major is guessed from local tags to list fewer remote tags; a wrong guess
    (here: the clone never fetched v2's tags) falls back to listing them all."""
    repo.tag("v1-rev1")
    other = make_clone()
    other.commit("feat!: v2")
    other.push()
    assert other.relorch("release", "--major").returncode == 0
    repo.git("pull", "-q", "--no-tags", "--ff-only", "origin", "main")
    repo.git("tag", "-d", "v2-rev1", check=False)  # in case the pull followed it
    repo.commit("fix: on v2")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v2-rev2"


def test_main_release_ignores_a_local_only_tag_of_a_higher_major(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.git("tag", "-a", "v7-rev1", "-m", "never pushed")
    repo.commit("fix: x")
    repo.push()
    assert released(repo.relorch("release", "--revision", "--json"))["tag"] == "v1-rev2"
