"""Read commands ask the remote what changed and fetch only that; parsed tags are cached.

The git calls are counted by a logging `git` first on PATH (it runs the real git), so the
number of processes per command cannot creep back unnoticed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from relorch.git.gateway import Git, Tag
from tests.gitrepo import Clone, clone_of, run_in_process, run_relorch

WRAPPER = """#!/bin/sh
printf 'CALL %s\\n' "$*" >> "$COUNTED_GIT_LOG"
exec {git} "$@"
"""


@pytest.fixture
def counted(tmp_path: Path) -> dict[str, str]:
    """Environment for a relorch run whose git calls are logged to tmp_path/calls."""
    real = shutil.which("git")
    assert real is not None
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "git"
    wrapper.write_text(WRAPPER.format(git=real))
    wrapper.chmod(0o755)
    return {
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "COUNTED_GIT_LOG": str(tmp_path / "calls"),
    }


def calls(env: dict[str, str]) -> list[str]:
    log = Path(env["COUNTED_GIT_LOG"])
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [line[5:] for line in lines if line.startswith("CALL ")]  # a -m message spans lines


def released(repo: Clone, count: int = 3) -> Clone:
    for number in range(1, count + 1):
        repo.commit(f"feat: change {number}")
        repo.push("HEAD:main")
        repo.tag(f"v1-rev{number}")
    return repo


def test_status_with_nothing_changed_fetches_nothing(repo: Clone, counted: dict[str, str]) -> None:
    repo.commit("chore: an environment", {"relorch.toml": "[apis.products]\n[environments.qa]\n"})
    repo.push("HEAD:main")
    released(repo)
    assert run_relorch(repo.path, "hold", "v1", "--env", "qa", "--reason", "r").returncode == 0
    assert run_relorch(repo.path, "status", env=counted).returncode == 0
    calls(counted)
    result = run_relorch(repo.path, "status", env=counted)
    assert result.returncode == 0, result.stderr
    made = calls(counted)
    assert not [c for c in made if c.startswith("fetch")]
    # One round trip: the ledger ref is listed with the branches and tags.
    assert len([c for c in made if c.startswith("ls-remote")]) == 1, made
    assert 3 <= len(made) <= 9, made  # the ledger copy is read twice (before each listing)
    # the tags the sync listed here are not listed again for the history
    assert len([c for c in made if c.startswith("for-each-ref") and "refs/tags/" in c]) == 1, made


def test_status_fetches_only_the_new_tag_another_clone_pushed(
    repo: Clone, tmp_path: Path, counted: dict[str, str]
) -> None:
    released(repo)
    other = clone_of(repo, tmp_path, "other")
    assert run_relorch(other.path, "status").returncode == 0
    repo.commit("feat: change 4")
    repo.push("HEAD:main")
    repo.tag("v1-rev4")
    result = run_relorch(other.path, "status", "--json", env=counted)
    assert result.returncode == 0, result.stderr
    assert "v1-rev4" in result.stdout
    made = calls(counted)
    fetches = [c for c in made if c.startswith(("fetch", "-c gc.auto=0"))]
    assert len(fetches) == 1, made
    assert "refs/tags/v1-rev4:" in fetches[0]
    assert "v1-rev3" not in fetches[0]
    # the fetch ran in a private directory; the refs here were set in one transaction
    assert len([c for c in made if c.startswith("update-ref")]) == 1, made
    assert other.git("rev-parse", "v1-rev4") == repo.git("rev-parse", "v1-rev4")
    assert other.git("rev-parse", "origin/main") == repo.head()
    assert not list((other.path / ".git" / "relorch").glob("fetch-*"))


def test_a_branch_deleted_on_the_remote_is_pruned(repo: Clone, tmp_path: Path) -> None:
    released(repo, 1)
    repo.push("HEAD:refs/heads/release/v9")
    other = clone_of(repo, tmp_path, "other")
    assert "origin/release/v9" in other.git("branch", "-r")
    repo.push(":refs/heads/release/v9")
    assert run_relorch(other.path, "status").returncode == 0
    assert "origin/release/v9" not in other.git("branch", "-r")


def test_tag_cache_is_rebuilt_when_corrupt_and_follows_a_moved_tag(repo: Clone) -> None:
    released(repo, 2)
    first = run_relorch(repo.path, "status", "--json")
    assert first.returncode == 0
    caches = list((repo.path / ".git" / "relorch").glob("tags-*.marshal"))
    assert len(caches) == 1
    caches[0].write_bytes(b"\x00garbage")
    assert run_relorch(repo.path, "status", "--json").stdout == first.stdout
    # a tag re-made on another commit (same name, new object) is read again, not served stale
    repo.commit("feat: change 3")
    repo.push("HEAD:main")
    repo.git("push", "--quiet", "origin", ":refs/tags/v1-rev2")
    repo.git("tag", "-d", "v1-rev2")
    repo.tag("v1-rev2")
    head = repo.head()
    result = run_relorch(repo.path, "status", "--json")
    assert result.returncode == 0, result.stderr
    assert head[:7] in result.stdout or head in result.stdout


def test_release_starts_a_bounded_number_of_git_processes(
    repo: Clone, counted: dict[str, str]
) -> None:
    released(repo, 2)
    repo.commit("feat: change 3")
    repo.push("HEAD:main")
    result = run_relorch(repo.path, "release", "--revision", env=counted)
    assert result.returncode == 0, result.stderr
    made = calls(counted)
    # 11: the local revision tags are listed to reconcile them with the remote's, and this
    # clone (of an empty origin) has no origin/HEAD, so `symbolic-ref` asks for it
    assert 4 <= len(made) <= 11, "\n".join(made)
    assert not [c for c in made if c == "version"]  # no library probing git's version


def test_a_clone_with_origin_head_learns_it_when_it_finds_the_repository(
    repo: Clone, tmp_path: Path, counted: dict[str, str]
) -> None:
    released(repo, 2)
    other = clone_of(repo, tmp_path, "other")  # `git clone` sets origin/HEAD
    other.commit("feat: change 3")
    other.push("HEAD:main")
    result = run_relorch(other.path, "release", "--revision", env=counted)
    assert result.returncode == 0, result.stderr
    made = calls(counted)
    assert not [c for c in made if c.startswith("symbolic-ref")], made
    assert len(made) <= 10, "\n".join(made)
    assert repo.git("--git-dir", str(repo.origin), "rev-parse", "v1-rev3^{commit}") == other.head()


def test_plan_lists_only_the_tags_of_the_major_it_needs(
    repo: Clone, counted: dict[str, str]
) -> None:
    released(repo, 2)
    repo.commit("feat: change 3")
    repo.push("HEAD:main")
    result = run_relorch(repo.path, "plan", env=counted)
    assert result.returncode == 0, result.stderr
    listings = [c for c in calls(counted) if c.startswith("ls-remote")]
    assert listings and all("v*-rev*" not in c for c in listings), listings


def test_deploy_dry_run_lists_the_remote_once(repo: Clone, counted: dict[str, str]) -> None:
    repo.commit("chore: an environment", {"relorch.toml": "[apis.products]\n[environments.qa]\n"})
    repo.push("HEAD:main")
    released(repo)
    dry_run = ("deploy", "v1@latest", "--env", "qa", "--dry-run")
    assert run_relorch(repo.path, *dry_run).returncode == 0
    result = run_relorch(repo.path, *dry_run, env=counted)
    assert result.returncode == 0, result.stderr
    made = calls(counted)
    # The governing config and the target both need the remote's view: one listing serves
    # both (it used to be three: a sync for each, then the remote's tags again).
    assert len([c for c in made if c.startswith("ls-remote")]) == 1, made
    assert not [c for c in made if c.startswith("fetch")], made
    assert len([c for c in made if c.startswith("config --get remote.")]) == 1, made
    assert len([c for c in made if c.startswith("symbolic-ref")]) <= 1, made
    assert len(made) <= 20, made


def test_every_command_asks_the_remote_afresh(repo: Clone, tmp_path: Path) -> None:
    """The listing is kept for one command only: the next, in the same process, lists again."""
    repo.commit("chore: an environment", {"relorch.toml": "[apis.products]\n[environments.qa]\n"})
    repo.push("HEAD:main")
    released(repo, 2)
    other = clone_of(repo, tmp_path, "other")
    dry_run = ("deploy", "v1@latest", "--env", "qa", "--dry-run", "--json")
    first = run_in_process(other.path, *dry_run)
    assert first.returncode == 0 and '"v1-rev2"' in first.stdout, first.stderr
    repo.commit("feat: change 3")
    repo.push("HEAD:main")
    repo.tag("v1-rev3")
    second = run_in_process(other.path, *dry_run)
    assert second.returncode == 0 and '"v1-rev3"' in second.stdout, second.stderr


def test_tags_read_from_the_cache_are_the_tags_read_from_git(repo: Clone) -> None:
    released(repo, 3)
    repo.git("tag", "v1-rev9")  # lightweight: dated by its commit
    git = Git(repo.path)
    fresh = git.local_tags(["v*-rev*"])  # read from git, then cached
    assert len(fresh) == 4
    assert git.local_tags(["v*-rev*"]) == fresh  # every tag from the cache
    assert all(type(tag) is Tag for tag in git.local_tags(["v*-rev*"]))
    repo.tag("v1-rev4", push=False)
    again = git.local_tags(["v*-rev*"])  # one new: the rest from the cache, it from git
    assert sorted(again) == sorted([*fresh, *[t for t in again if t.name == "v1-rev4"]])
    assert len(again) == 5


def test_origin_head_read_at_discovery_or_asked_for(repo: Clone, tmp_path: Path) -> None:
    released(repo, 1)
    other = clone_of(repo, tmp_path, "other")
    assert Git.discover(other.path).remote_head_branch("origin") == "main"
    # Dangling (its branch pruned): rev-parse cannot resolve it, symbolic-ref still reads it.
    other.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    assert Git.discover(other.path).remote_head_branch("origin") == "trunk"
    other.git("update-ref", "-d", "--no-deref", "refs/remotes/origin/HEAD")
    assert Git.discover(other.path).remote_head_branch("origin") is None
    sub = other.path / "deep" / "er"
    sub.mkdir(parents=True)
    other.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    found = Git.discover(sub)
    assert found.root == other.path
    assert found.remote_head_branch("origin") == "main"
