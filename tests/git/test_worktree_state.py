"""Git.worktree_state: HEAD, the branch and the uncommitted tracked files from one `git
status`, read right whatever the paths and branch names hold."""

from __future__ import annotations

from pathlib import Path

from relorch.git.gateway import Git
from tests.gitrepo import Clone, git


def test_a_clean_branch(repo: Clone) -> None:
    assert Git.discover(repo.path).worktree_state() == (repo.head(), "main", [])


def test_changed_renamed_and_oddly_named_files_are_listed(repo: Clone) -> None:
    repo.commit("chore: files", {"a b.txt": "1\n", "old name.txt": "2\n", "ü.txt": "3\n"})
    (repo.path / "a b.txt").write_text("changed\n")
    repo.git("mv", "old name.txt", "new\tname.txt")
    (repo.path / "ü.txt").write_text("changed\n")
    repo.git("add", "ü.txt")
    (repo.path / "untracked.txt").write_text("not counted\n")
    head, branch, dirty = Git.discover(repo.path).worktree_state()
    assert (head, branch) == (repo.head(), "main")
    assert sorted(dirty) == ["a b.txt", "new\tname.txt", "ü.txt"]


def test_a_detached_head_has_no_branch(repo: Clone) -> None:
    repo.git("checkout", "-q", "--detach")
    assert Git.discover(repo.path).worktree_state() == (repo.head(), None, [])


def test_a_branch_named_like_gits_detached_marker_is_still_a_branch(repo: Clone) -> None:
    repo.git("checkout", "-q", "-b", "(detached)")
    assert Git.discover(repo.path).worktree_state() == (repo.head(), "(detached)", [])


def test_before_the_first_commit(tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    git(tmp_path, "init", "-q", "-b", "trunk", str(path))
    (path / "staged.txt").write_text("x\n")
    git(path, "add", "staged.txt")
    assert Git.discover(path).worktree_state() == (None, "trunk", ["staged.txt"])
