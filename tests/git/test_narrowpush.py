"""git/narrowpush: a release's tag is pushed from a private directory holding only the tag
and its commit; the remote must end up exactly as with a plain push, the remote's verdict
on the refs must stand, and anything the narrow path itself may have caused gets the plain
push."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from relorch.git import narrowpush
from relorch.git.gateway import Git
from relorch.git.remote import RemoteCommands
from tests.gitrepo import Clone, tag_revisions

Taken = list[bool]
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Taken:
    """Whether each push's narrow path decided the outcome (real git underneath)."""
    seen: Taken = []
    original = RemoteCommands._narrow_push

    def spy(self: RemoteCommands, *args: object) -> object:
        done = original(self, *args)  # type: ignore[arg-type]
        seen.append(done is not None)
        return done

    monkeypatch.setattr(RemoteCommands, "_narrow_push", spy)
    return seen


def pushes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of every `git push` run from here on."""
    seen: list[list[str]] = []
    original = RemoteCommands._execute

    def spy(self: RemoteCommands, args: list[str], **kw: object) -> object:
        if "push" in args:
            seen.append(list(args))
        return original(self, args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(RemoteCommands, "_execute", spy)
    return seen


def leftovers(repo: Clone) -> list[str]:
    home = repo.path / ".git" / "relorch"
    return (
        sorted(p.name for p in home.iterdir() if p.name.startswith("push-"))
        if home.exists()
        else []
    )


def new_commit(repo: Clone, number: int, *, push: bool = True) -> str:
    sha = repo.commit(f"feat: change {number}")
    if push:
        repo.push("HEAD:main")
    return sha


def test_a_tag_of_the_remote_tip_goes_out_from_the_private_store(repo: Clone, taken: Taken) -> None:
    tag_revisions(repo, 3)
    head = new_commit(repo, 4)
    git = Git.discover(repo.path)
    git.create_tag("v1-rev4", head, "v1-rev4: one change\n")
    marker = "refs/relorch/releases/products"
    specs = ["refs/tags/v1-rev4:refs/tags/v1-rev4", f"refs/tags/v1-rev4:{marker}"]
    outcome = git.push("origin", specs, leases={marker: None}, known=(head,))
    assert outcome.ok, outcome.message
    assert taken == [True]
    tag_object = repo.git("rev-parse", "refs/tags/v1-rev4")
    remote = repo.remote_refs()
    assert remote["refs/tags/v1-rev4"] == tag_object
    assert remote[marker] == tag_object
    assert leftovers(repo) == []
    # The remote holds the very tag object, complete and connected.
    assert repo.git("--git-dir", str(repo.origin), "cat-file", "-t", tag_object) == "tag"
    repo.git("--git-dir", str(repo.origin), "fsck", "--connectivity-only", "--no-dangling")


def test_relorch_release_takes_the_narrow_path(
    repo: Clone, taken: Taken, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.gitrepo import run_in_process

    tag_revisions(repo, 2)
    head = new_commit(repo, 3)
    result = run_in_process(repo.path, "release", "--revision", "--json")
    assert result.returncode == 0, result.stderr
    assert taken == [True]
    assert repo.git("--git-dir", str(repo.origin), "rev-parse", "v1-rev3^{commit}") == head


def test_a_commit_the_remote_lacks_gets_the_plain_push(repo: Clone, taken: Taken) -> None:
    tag_revisions(repo, 2)
    unpushed = new_commit(repo, 3, push=False)
    git = Git.discover(repo.path)
    git.create_tag("v1-rev3", unpushed, "v1-rev3\n")
    # The caller wrongly claims the remote has the commit: the narrow pack lacks it, the
    # remote refuses that pack, and the plain push sends what is needed.
    outcome = git.push("origin", ["refs/tags/v1-rev3:refs/tags/v1-rev3"], known=(unpushed,))
    assert outcome.ok, outcome.message
    assert taken == [False]
    assert repo.git("--git-dir", str(repo.origin), "rev-parse", "v1-rev3^{commit}") == unpushed
    repo.git("--git-dir", str(repo.origin), "fsck", "--connectivity-only", "--no-dangling")
    assert leftovers(repo) == []


def test_the_remote_refusing_the_ref_is_the_outcome_with_one_push(
    repo: Clone, make_clone, monkeypatch: pytest.MonkeyPatch, taken: Taken
) -> None:
    tag_revisions(repo, 2)
    head = new_commit(repo, 3)
    other: Clone = make_clone()
    other.tag("v1-rev3", "HEAD~1", message="someone else's v1-rev3")
    git = Git.discover(repo.path)
    git.create_tag("v1-rev3", head, "v1-rev3\n")
    seen = pushes(monkeypatch)
    outcome = git.push("origin", ["refs/tags/v1-rev3:refs/tags/v1-rev3"], known=(head,))
    assert not outcome.ok
    assert "already exists" in outcome.message
    assert taken == [True]
    assert len(seen) == 1
    assert repo.remote_refs()["refs/tags/v1-rev3"] == other.git("rev-parse", "refs/tags/v1-rev3")


def test_a_stale_lease_is_the_outcome(repo: Clone, taken: Taken) -> None:
    tag_revisions(repo, 1)
    head = new_commit(repo, 2)
    marker = "refs/relorch/releases/products"
    repo.push(f"refs/tags/v1-rev1:{marker}")
    git = Git.discover(repo.path)
    git.create_tag("v1-rev2", head, "v1-rev2\n")
    before = repo.remote_refs()
    specs = ["refs/tags/v1-rev2:refs/tags/v1-rev2", f"refs/tags/v1-rev2:{marker}"]
    outcome = git.push("origin", specs, leases={marker: None}, known=(head,))
    assert not outcome.ok
    assert "stale info" in outcome.message
    assert taken == [True]
    assert repo.remote_refs() == before


def test_what_is_not_a_tag_of_a_known_commit_pushes_plainly(repo: Clone, taken: Taken) -> None:
    tag_revisions(repo, 1)
    head = new_commit(repo, 2)
    git = Git.discover(repo.path)
    repo.git("tag", "light", head)  # a lightweight tag: its ref holds the commit itself
    assert git.push("origin", ["refs/tags/light:refs/tags/light"], known=(head,)).ok
    assert git.push("origin", [f"{head}:refs/heads/topic"], known=(head,)).ok
    git.create_tag("v1-rev2", head, "v1-rev2\n")
    assert git.push("origin", ["refs/tags/v1-rev2:refs/tags/v1-rev2"], known=("0" * 40,)).ok
    assert taken == [False, False, False]
    remote = repo.remote_refs()
    assert remote["refs/tags/light"] == head
    assert remote["refs/heads/topic"] == head
    assert remote["refs/tags/v1-rev2"] == repo.git("rev-parse", "refs/tags/v1-rev2")


def test_a_killed_push_leaves_nothing_the_next_does_not_remove(repo: Clone, taken: Taken) -> None:
    tag_revisions(repo, 1)
    head = new_commit(repo, 2)
    home = repo.path / ".git" / "relorch"
    dead = home / "push-999999999-0badcafe"
    (dead / "objects").mkdir(parents=True)
    live = home / f"push-{os.getppid()}-0badcafe"  # a process that is alive: not ours to remove
    live.mkdir()
    git = Git.discover(repo.path)
    git.create_tag("v1-rev2", head, "v1-rev2\n")
    assert git.push("origin", ["refs/tags/v1-rev2:refs/tags/v1-rev2"], known=(head,)).ok
    assert taken == [True]
    assert leftovers(repo) == [live.name]


@pytest.mark.parametrize(
    ("status", "out", "err", "kept"),
    [
        (0, "To origin\n*\trefs/tags/a:refs/tags/a\t[new tag]\nDone", "", True),
        (1, "To origin\n!\trefs/tags/a:refs/tags/a\t[rejected] (already exists)\nDone", "", True),
        (1, "!\trefs/tags/a:refs/x\t[rejected] (stale info)\nDone", "", True),
        (1, "!\trefs/tags/a:refs/tags/a\t[remote rejected] (hook declined)\nDone", "", True),
        (1, "!\trefs/tags/a:refs/tags/a\t[remote rejected] (missing necessary objects)", "", False),
        (1, "!\trefs/tags/a:refs/tags/a\t[remote rejected] (unpacker error)", "", False),
        (128, "", "fatal: unable to read 0123abcd\nerror: pack-objects died", False),
        (128, "", "fatal: the remote end hung up unexpectedly", False),
    ],
)
def test_which_outcomes_stand(status: int, out: str, err: str, kept: bool) -> None:
    assert narrowpush.keep_outcome(status, out, err) is kept


def test_the_batch_parser_refuses_what_it_cannot_vouch_for() -> None:
    commit = "c" * 40
    tag_body = f"object {commit}\ntype commit\ntag a\ntagger T <t@x> 0 +0000\n\na\n".encode()
    commit_body = b"tree " + b"d" * 40 + b"\n\nmsg\n"

    def batch(*objects: tuple[str, str, bytes]) -> bytes:
        return b"".join(
            f"{oid} {kind} {len(body)}\n".encode() + body + b"\n" for oid, kind, body in objects
        )

    ok = batch(("a" * 40, "tag", tag_body), (commit, "commit", commit_body))
    found = narrowpush.needed(ok, ["refs/tags/a"], [commit])
    assert found is not None
    assert found["refs/tags/a"].oid == "a" * 40
    assert found[commit].body == commit_body
    assert narrowpush.needed(ok[:-5], ["refs/tags/a"], [commit]) is None  # cut short
    missing = batch(("a" * 40, "tag", tag_body)) + f"{commit} missing\n".encode()
    assert narrowpush.needed(missing, ["refs/tags/a"], [commit]) is None
    tree_tag = tag_body.replace(b"type commit", b"type tree")
    assert (
        narrowpush.needed(
            batch(("a" * 40, "tag", tree_tag), (commit, "commit", commit_body)),
            ["refs/tags/a"],
            [commit],
        )
        is None
    )
    sha256 = batch(("a" * 64, "tag", tag_body), (commit, "commit", commit_body))
    assert narrowpush.needed(sha256, ["refs/tags/a"], [commit]) is None
    assert narrowpush.sources(["refs/tags/a:refs/tags/a", "refs/tags/a:refs/x"]) == ["refs/tags/a"]
    assert narrowpush.sources(["+refs/tags/a:refs/tags/a"]) is None
    assert narrowpush.sources(["refs/tags/a"]) is None
    assert narrowpush.sources(["HEAD:refs/heads/main"]) is None


def test_a_path_with_a_newline_is_not_taken(tmp_path: Path) -> None:
    common = tmp_path / "odd\nname"
    common.mkdir()
    with narrowpush.private_store(common, {}) as env:
        assert env is None


# -- the ledger: what an append wrote and read, pushed with a lease on the tip ---------------


def test_ledger_appends_push_what_they_wrote_from_the_private_store(
    repo: Clone, make_clone, taken: Taken
) -> None:
    from tests.deploykit import origin_records, origin_state
    from tests.ledger.test_ledger import hold, ledger_of

    tag_revisions(repo, 2)  # tags the remote advertises, that the narrow push never reads
    ours = ledger_of(repo)
    for number in range(1, 4):
        ours.append(lambda state, n=number: [hold(f"v1-rev{n}")], subject=f"hold {number}")
    theirs = ledger_of(make_clone())
    theirs.append(lambda state: [hold("v1-rev9")], subject="from another clone")
    assert taken == [True, True, True, True]  # the first append (no tip yet) included
    assert [r["tag"] for r in origin_records(repo.origin)] == [
        "v1-rev1",
        "v1-rev2",
        "v1-rev3",
        "v1-rev9",
    ]
    assert origin_state(repo.origin)["count"] == 4
    remote = repo.remote_refs()
    state_commit = remote["refs/relorch/ledger-state"]
    assert (
        repo.git("--git-dir", str(repo.origin), "rev-parse", f"{state_commit}^")
        == (remote["refs/relorch/ledger"])
    )
    repo.git("--git-dir", str(repo.origin), "fsck", "--connectivity-only", "--no-dangling")
    assert leftovers(repo) == []


def test_a_carried_set_that_falls_short_gets_the_plain_push(repo: Clone, taken: Taken) -> None:
    from relorch.git.objects import ObjectStore
    from relorch.git.refs import push_ref

    tag_revisions(repo, 1)
    git = Git.discover(repo.path)
    head = repo.head()
    with ObjectStore(git) as store:
        commit = store.read_commit(head)
        child = store.write_commit(commit.tree, (head,), "on top\n", NOW)
        carried = {child: store.carried[child]}  # the commit alone: not its tree, not its parent
    outcome = push_ref(git, "origin", child, "refs/heads/side", expected=None, carried=carried)
    assert outcome.ok, outcome.message
    assert taken == [False]
    assert repo.remote_refs()["refs/heads/side"] == child
    repo.git("--git-dir", str(repo.origin), "fsck", "--connectivity-only", "--no-dangling")


def test_the_lease_is_a_compare_and_swap_on_both_paths(repo: Clone, taken: Taken) -> None:
    from relorch.git.objects import ObjectStore
    from relorch.git.refs import push_ref

    tag_revisions(repo, 1)
    git = Git.discover(repo.path)
    head = repo.head()
    with ObjectStore(git) as store:
        tree = store.read_commit(head).tree
        first = store.write_commit(tree, (head,), "first\n", NOW)
        second = store.write_commit(tree, (head,), "second\n", NOW)
        carried = dict(store.carried)
    ref = "refs/relorch/test"
    assert push_ref(git, "origin", first, ref, expected=None, carried=carried).ok
    for kept in (carried, None):  # narrow, then plain: the remote holds `first`, not nothing
        stale = push_ref(git, "origin", second, ref, expected=None, carried=kept)
        assert not stale.ok and stale.rejected, stale.message
        assert repo.remote_refs()[ref] == first
    assert taken == [True, True]


def test_a_repository_opened_by_a_relative_path_pushes_narrowly(
    repo: Clone, taken: Taken, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs in the work tree: the private directory and its config include must not be
    named relative to where relorch was started (a library caller's relative path)."""
    tag_revisions(repo, 1)
    head = new_commit(repo, 2)
    monkeypatch.chdir(repo.path.parent)
    git = Git(Path(repo.path.name))
    git.create_tag("v1-rev2", head, "v1-rev2\n")
    assert git.push("origin", ["refs/tags/v1-rev2:refs/tags/v1-rev2"], known=(head,)).ok
    assert taken == [True]
    assert leftovers(repo) == []
