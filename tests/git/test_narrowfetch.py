"""git/narrowfetch: the fetch of a few named refs runs in a private git directory that shares
the object store; it must bring the same objects and refs as a plain fetch, never let git's
maintenance loose on the shared store, and step aside where it cannot be right."""

from __future__ import annotations

from pathlib import Path

from tests.gitrepo import Clone, clone_of, run_relorch


def released(repo: Clone, count: int) -> Clone:
    for number in range(1, count + 1):
        repo.commit(f"feat: change {number}")
        repo.push("HEAD:main")
        repo.tag(f"v1-rev{number}")
    return repo


def new_revision(repo: Clone, number: int) -> None:
    repo.commit(f"feat: change {number}")
    repo.push("HEAD:main")
    repo.tag(f"v1-rev{number}")


def test_maintenance_the_clone_asks_for_never_runs_on_the_shared_store(
    repo: Clone, tmp_path: Path
) -> None:
    released(repo, 3)
    other = clone_of(repo, tmp_path, "other")
    assert run_relorch(other.path, "status").returncode == 0
    # One pack here, and a fetch keeps its own: a second pack starts gc --auto, which prunes
    # at once what the refs it sees do not reach (in the private directory, every other tag's
    # objects: tried without the guards, v1-rev1..3 were gone).
    other.git("repack", "-q", "-a", "-d")
    for key, value in {
        "fetch.unpackLimit": "1",
        "gc.autoPackLimit": "1",
        "gc.auto": "1",
        "gc.pruneExpire": "now",
        "gc.autoDetach": "false",
        "maintenance.auto": "true",
        "fetch.writeCommitGraph": "true",
    }.items():
        other.git("config", key, value)
    new_revision(repo, 4)
    result = run_relorch(other.path, "status", "--json")
    assert result.returncode == 0, result.stderr
    assert "v1-rev4" in result.stdout
    other.git("fsck", "--connectivity-only", "--no-dangling")
    for number in range(1, 5):
        assert other.git("rev-parse", f"v1-rev{number}^{{commit}}")


def test_a_shallow_clone_fetches_the_plain_way(repo: Clone, tmp_path: Path) -> None:
    released(repo, 3)
    path = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth=2", f"file://{repo.origin}", str(path))
    shallow = Clone(path, repo.origin)
    assert run_relorch(shallow.path, "status").returncode == 0
    new_revision(repo, 4)
    result = run_relorch(shallow.path, "status", "--json")
    assert result.returncode == 0, result.stderr
    assert shallow.git("rev-parse", "v1-rev4") == repo.git("rev-parse", "v1-rev4")
    assert shallow.git("rev-parse", "origin/main") == repo.head()


def test_a_new_tag_and_a_deleted_branch_arrive_together(repo: Clone, tmp_path: Path) -> None:
    released(repo, 2)
    repo.push("HEAD:refs/heads/release/v9")
    other = clone_of(repo, tmp_path, "other")
    assert run_relorch(other.path, "status").returncode == 0
    repo.push(":refs/heads/release/v9")
    new_revision(repo, 3)
    result = run_relorch(other.path, "status", "--json")
    assert result.returncode == 0, result.stderr
    assert "origin/release/v9" not in other.git("branch", "-r")
    assert other.git("rev-parse", "v1-rev3") == repo.git("rev-parse", "v1-rev3")


def test_the_private_directory_of_a_killed_fetch_is_removed(repo: Clone, tmp_path: Path) -> None:
    released(repo, 2)
    other = clone_of(repo, tmp_path, "other")
    assert run_relorch(other.path, "status").returncode == 0
    # pid_max is at most 2**22: no process can have this id
    left = other.path / ".git" / "relorch" / "fetch-4194999-0badf00d"
    (left / "refs").mkdir(parents=True)
    new_revision(repo, 3)
    assert run_relorch(other.path, "status").returncode == 0
    assert not list((other.path / ".git" / "relorch").glob("fetch-*"))
