"""release refuses bad states with error:/hint:, the documented exit code, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import Clone

pytestmark = pytest.mark.usefixtures("both_doors")


def refused(repo: Clone, code: int, *args: str, contains: str = "") -> str:
    """Run release, check the code, the error/hint lines and that nothing changed anywhere."""
    before = (repo.remote_refs(), repo.local_tags(), repo.git("status", "--porcelain"))
    result = repo.relorch(*(args or ("release", "--revision")))
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("error: ") for line in lines), result.stderr
    assert any(line.startswith("hint: ") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    assert contains in result.stderr
    assert (repo.remote_refs(), repo.local_tags(), repo.git("status", "--porcelain")) == before
    return result.stderr


def test_release_refuses_feature_branch(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.git("switch", "-q", "-c", "feature/x")
    repo.commit("fix: x")
    repo.git("push", "-q", "-u", "origin", "feature/x")
    refused(repo, 3, contains="not a release line")


def test_release_refuses_detached_head(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    repo.git("switch", "-q", "--detach", "HEAD")
    refused(repo, 3, contains="detached")


def test_release_refuses_dirty_tracked_tree(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    (repo.path / "CHANGES.txt").write_text("uncommitted\n")
    refused(repo, 3, contains="uncommitted changes")


def test_release_ignores_untracked_files(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    (repo.path / "scratch.txt").write_text("untracked\n")
    assert repo.relorch("release", "--revision").returncode == 0


def test_release_refuses_branch_behind_remote(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    repo.tag("v1-rev1")
    other = make_clone()
    other.commit("fix: remote only")
    other.push()
    repo.git("fetch", "-q")
    refused(repo, 3, contains="behind")


def test_release_refuses_unfetched_remote_commits_as_behind(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    repo.tag("v1-rev1")
    other = make_clone()
    other.commit("fix: remote only")
    other.push()
    refused(repo, 3, contains="behind")


def test_release_refuses_diverged_branch(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    repo.tag("v1-rev1")
    other = make_clone()
    other.commit("fix: remote")
    other.push()
    repo.commit("fix: local")
    repo.git("fetch", "-q")
    refused(repo, 3, contains="diverged")


def test_release_publishes_local_commits_ahead_with_the_tag(repo: Clone) -> None:
    repo.tag("v1-rev1")
    sha = repo.commit("fix: not pushed yet")
    assert repo.relorch("release", "--revision").returncode == 0
    refs = repo.remote_refs()
    assert refs["refs/heads/main"] == sha and "refs/tags/v1-rev2" in refs


def test_revision_without_any_major_points_to_release_major(repo: Clone) -> None:
    assert "release --major" in refused(repo, 3)


def test_revision_on_branch_of_newest_major_is_refused(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.git("switch", "-q", "-c", "release/v1")
    repo.commit("fix: x")
    repo.git("push", "-q", "-u", "origin", "release/v1")
    refused(repo, 3, contains="newest")


def test_major_only_on_main(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat!: v2")
    repo.push()
    assert repo.relorch("release", "--major").returncode == 0
    repo.git("fetch", "-q")
    repo.git("switch", "-q", "release/v1")
    refused(repo, 3, "release", "--major", contains="starts on main")


@pytest.mark.parametrize("args", [("release",), ("release", "--revision", "--major")])
def test_release_needs_exactly_one_kind(repo: Clone, args: tuple[str, ...]) -> None:
    refused(repo, 2, *args, contains="--revision or --major")


def test_failed_check_writes_nothing(tmp_path: Path) -> None:
    from tests.gitrepo import make_origin

    repo = make_origin(
        tmp_path,
        "[apis.products]\nchecks = [['python3', '-c', "
        "'import sys; print(\"contract broken\"); sys.exit(3)']]\n",
    )
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    stderr = refused(repo, 3, contains="check failed")
    assert "contract broken" in stderr


def test_pre_receive_rejection_leaves_no_tag_then_succeeds(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'tags are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    stderr = refused(repo, 1, contains="rejected")
    assert "tags are frozen today" in stderr
    hook.unlink()
    result = repo.relorch("release", "--revision")
    assert result.returncode == 0, result.stderr
    assert "refs/tags/v1-rev2" in repo.remote_refs()


def test_unreachable_remote_is_an_operational_error(repo: Clone, tmp_path: Path) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    repo.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    refused(repo, 1, contains="ls-remote")


def test_credentials_in_remote_url_never_printed(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    repo.git("remote", "set-url", "origin", "http://deploy:hunter2secret@127.0.0.1:9/repo.git")
    result = repo.relorch("release", "--revision")
    assert result.returncode == 1
    assert "hunter2secret" not in result.stderr + result.stdout
    assert "error: " in result.stderr


def test_outside_a_repository_is_a_precondition(tmp_path: Path) -> None:
    from tests.gitrepo import run_relorch

    result = run_relorch(tmp_path, "status")
    assert result.returncode == 3 and "not inside a git repository" in result.stderr
