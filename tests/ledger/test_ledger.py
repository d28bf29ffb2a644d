"""The ledger's storage: append by compare-and-swap, chunked records, snapshot, plain-git reads."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from relorch.config import load_config
from relorch.errors import ConfigError, ConflictError, GitError
from relorch.git.gateway import Git
from relorch.ledger import store as ledger_module
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState, replay
from relorch.ledger.store import Ledger, current_revisions, history, read_state
from tests.deploykit import origin_records, origin_state
from tests.gitrepo import Clone, git

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def hold(tag: str, env: str = "staging", reason: str = "wait") -> Record:
    return new_record(
        api="products",
        env=env,
        action="hold",
        status="held",
        now=NOW,
        actor="tester",
        tag=tag,
        reason=reason,
    )


def holding(tag: str) -> Callable[[LedgerState], list[Record]]:
    return lambda state: [hold(tag)]


def ledger_of(clone: Clone, text: str = "") -> Ledger:
    if text:
        clone.commit("config", {"relorch.toml": "[apis.products]\n" + text})
    g = Git(clone.path)
    return Ledger(g, load_config(g.root), sleep=lambda _: None)


def test_append_pushes_a_commit_whose_parent_is_the_previous_tip(repo: Clone) -> None:
    ledger = ledger_of(repo)
    first = ledger.append(lambda state: [hold("v1-rev1")], subject="hold one")
    second = ledger.append(lambda state: [hold("v1-rev2")], subject="hold two")

    assert repo.remote_refs()["refs/relorch/ledger"] == second.tip
    assert git(repo.origin, "rev-parse", f"{second.tip}^") == first.tip
    assert [r["tag"] for r in origin_records(repo.origin)] == ["v1-rev1", "v1-rev2"]
    assert origin_state(repo.origin)["count"] == 2


def test_ledger_is_readable_with_plain_git_as_documented(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    ledger_of(repo).append(lambda state: [hold("v1-rev1", reason="QA")], subject="hold")
    other: Clone = make_clone()
    other.git("fetch", "origin", "refs/relorch/ledger")
    state = json.loads(other.git("show", "FETCH_HEAD:state.json"))
    record = json.loads(other.git("show", "FETCH_HEAD:records/000000.jsonl"))
    assert state["holds"][0]["reason"] == "QA"
    assert record["action"] == "hold"
    assert set(record) >= {
        "id",
        "time",
        "api",
        "env",
        "major",
        "revision",
        "tag",
        "sha",
        "action",
        "status",
        "actor",
        "reason",
        "run_url",
    }
    assert record["time"] == "2026-01-15T10:00:00Z"


def test_guard_sees_the_state_it_appends_to_and_may_append_nothing(repo: Clone) -> None:
    ledger = ledger_of(repo)
    ledger.append(lambda state: [hold("v1-rev1")], subject="hold")
    seen: list[int] = []

    def guard(state: LedgerState) -> list[Record]:
        seen.append(state.count)
        return []

    result = ledger.append(guard, subject="nothing")
    assert seen == [1]
    assert result.records == ()
    assert origin_state(repo.origin)["count"] == 1


def test_lost_race_refetches_and_reruns_the_guard(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = ledger_of(repo), ledger_of(make_clone())
    ours.append(lambda state: [hold("v1-rev1")], subject="base")
    counts: list[int] = []

    def guard(state: LedgerState) -> list[Record]:
        counts.append(state.count)
        if len(counts) == 1:  # another writer lands between our read and our push
            theirs.append(lambda s: [hold("v1-rev2")], subject="theirs")
        return [hold("v1-rev3")]

    result = ours.append(guard, subject="ours")
    assert counts == [1, 2]
    assert result.attempts == 2
    assert [r["tag"] for r in origin_records(repo.origin)] == ["v1-rev1", "v1-rev2", "v1-rev3"]


def test_append_gives_up_with_exit_5_when_every_attempt_loses(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    theirs = ledger_of(make_clone())
    ours = Ledger(Git(repo.path), load_config(repo.path), sleep=lambda _: None, attempts=3)

    def guard(state: LedgerState) -> list[Record]:
        theirs.append(lambda s: [hold(f"v1-rev{s.count + 1}")], subject="theirs")
        return [hold("v9-rev9")]

    with pytest.raises(ConflictError) as caught:
        ours.append(guard, subject="ours")
    assert caught.value.exit_code == 5
    assert "v9-rev9" not in {r["tag"] for r in origin_records(repo.origin)}


def test_records_fill_bounded_chunks_in_order(repo: Clone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_module, "CHUNK", 3)
    ledger = ledger_of(repo)
    ledger.append(lambda s: [hold(f"v1-rev{i}") for i in range(1, 5)], subject="four at once")
    for i in range(5, 8):
        ledger.append(holding(f"v1-rev{i}"), subject="one")

    names = git(repo.origin, "ls-tree", "--name-only", "refs/relorch/ledger:records").split()
    assert names == ["000000.jsonl", "000001.jsonl", "000002.jsonl"]
    assert [r["tag"] for r in origin_records(repo.origin)] == [f"v1-rev{i}" for i in range(1, 8)]
    newest = [r.tag for r in ledger.records()]
    assert newest == [f"v1-rev{i}" for i in range(7, 0, -1)]
    assert [r.tag for r in history(ledger.git, load_config(repo.path), limit=2)] == [
        "v1-rev7",
        "v1-rev6",
    ]


def test_snapshot_equals_the_state_replayed_from_records(repo: Clone) -> None:
    ledger = ledger_of(repo)
    ledger.append(lambda s: [hold("v1-rev1"), hold("v1-rev2", env="production")], subject="a")
    lift = new_record(
        api="products",
        env="staging",
        action="unhold",
        status="lifted",
        now=NOW,
        actor="tester",
        tag="v1-rev1",
    )
    ledger.append(lambda s: [lift], subject="b")
    replayed = replay(reversed(list(ledger.records())))
    assert replayed.to_json() == origin_state(repo.origin)
    assert ledger.read_state() == replayed


def test_fresh_clone_fetches_only_the_ledger_tip(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    ledger = ledger_of(repo)
    for i in range(3):
        ledger.append(holding(f"v1-rev{i}"), subject="x")
    fresh: Clone = make_clone()
    assert [r.tag for r in ledger_of(fresh).records()] == ["v1-rev2", "v1-rev1", "v1-rev0"]
    assert fresh.git("rev-list", "--count", "refs/relorch/ledger") == "1"
    ledger_of(fresh).append(lambda s: [hold("v1-rev9")], subject="from shallow")
    assert git(repo.origin, "rev-list", "--count", "refs/relorch/ledger") == "4"


STATE_REF = "refs/relorch/ledger-state"


def _has_object(clone: Clone, sha: str) -> bool:
    cmd = ["git", "cat-file", "-e", sha]
    return subprocess.run(cmd, cwd=clone.path, capture_output=True, check=False).returncode == 0


def test_every_append_puts_the_state_alone_beside_the_ledger(repo: Clone) -> None:
    ledger = ledger_of(repo)
    ledger.append(holding("v1-rev1"), subject="one")
    last = ledger.append(holding("v1-rev2"), subject="two")
    state_commit = repo.remote_refs()[STATE_REF]
    assert git(repo.origin, "rev-parse", f"{state_commit}^@") == last.tip
    assert git(repo.origin, "ls-tree", "--name-only", state_commit) == "state.json"
    assert git(repo.origin, "rev-parse", f"{state_commit}:state.json") == git(
        repo.origin, "rev-parse", f"{last.tip}:state.json"
    )


def test_a_fresh_clone_reads_the_state_without_the_records(repo: Clone, tmp_path: Path) -> None:
    ledger = ledger_of(repo)
    for i in range(3):
        ledger.append(holding(f"v1-rev{i}"), subject="x")
    tip = repo.remote_refs()["refs/relorch/ledger"]
    chunk = git(repo.origin, "rev-parse", f"{tip}:records/000000.jsonl")
    # Over the git protocol, as from a hosting service (a plain local clone copies everything).
    git(tmp_path, "clone", "-q", "--no-local", str(repo.origin), "fresh")
    fresh = Clone(tmp_path / "fresh", repo.origin)
    assert not _has_object(fresh, chunk)
    state = ledger_of(fresh).read_state()
    assert state.count == 3
    assert sorted(h.tag for h in state.holds.values()) == ["v1-rev0", "v1-rev1", "v1-rev2"]
    assert not _has_object(fresh, chunk)  # the records never came
    assert not _has_object(fresh, tip)
    # No copy of the ledger was made from it: the copy is only ever the ledger itself.
    assert fresh.git("for-each-ref", "refs/relorch/") == ""
    # A writer in that clone still builds on the whole ledger.
    ledger_of(fresh).append(lambda s: [hold("v1-rev9")], subject="from fresh")
    assert origin_state(repo.origin)["count"] == 4


def test_a_state_ref_about_another_ledger_commit_is_not_trusted(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    ledger = ledger_of(repo)
    ledger.append(holding("v1-rev1"), subject="one")
    old_state = repo.remote_refs()[STATE_REF]
    ledger.append(holding("v1-rev2"), subject="two")
    # What an append by a relorch that does not write the state ref leaves: it lags behind.
    repo.git("push", "-q", "--force", "origin", f"{old_state}:{STATE_REF}")
    state = ledger_of(make_clone()).read_state()
    assert state.count == 2
    assert sorted(h.tag for h in state.holds.values()) == ["v1-rev1", "v1-rev2"]


@pytest.mark.parametrize("tree", ["empty", "not json", "no state.json"])
def test_a_state_ref_relorch_did_not_write_falls_back_to_the_ledger(
    repo: Clone,
    make_clone,  # type: ignore[no-untyped-def]
    tree: str,
) -> None:
    last = ledger_of(repo).append(holding("v1-rev1"), subject="one")
    files = {"empty": {}, "not json": {"state.json": "{"}, "no state.json": {"other": "x"}}[tree]
    env = {"GIT_INDEX_FILE": str(repo.path / ".git" / "forged-index")}
    for name, text in files.items():
        blob = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=repo.path,
            input=text,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        repo.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
    forged_tree = repo.git("write-tree", env=env)
    forged = repo.git("commit-tree", forged_tree, "-p", str(last.tip), "-m", "forged")
    repo.git("push", "-q", "--force", "origin", f"{forged}:{STATE_REF}")
    state = ledger_of(make_clone()).read_state()
    assert state.count == 1 and [h.tag for h in state.holds.values()] == ["v1-rev1"]


def test_a_remote_refusing_the_state_ref_still_takes_the_ledger(repo: Clone, make_clone) -> None:  # type: ignore[no-untyped-def]
    # An update hook refuses one ref of a push; the others land.
    hook = repo.origin / "hooks" / "update"
    hook.write_text(f'#!/bin/sh\n[ "$1" = {STATE_REF} ] && exit 1\nexit 0\n')
    hook.chmod(0o755)
    ledger = ledger_of(repo)
    first = ledger.append(holding("v1-rev1"), subject="one")
    second = ledger.append(holding("v1-rev2"), subject="two")
    assert (first.attempts, second.attempts) == (1, 1)
    refs = repo.remote_refs()
    assert refs["refs/relorch/ledger"] == second.tip and STATE_REF not in refs
    assert ledger_of(make_clone()).read_state().count == 2


def test_without_a_remote_the_ledger_is_a_local_ref(repo: Clone) -> None:
    repo.git("remote", "remove", "origin")
    ledger = ledger_of(repo)
    ledger.append(lambda s: [hold("v1-rev1")], subject="local")
    ledger.append(lambda s: [hold("v1-rev2")], subject="local")
    assert repo.git("rev-list", "--count", "refs/relorch/ledger") == "2"
    assert ledger.read_state().count == 2
    assert "refs/relorch/ledger" not in repo.remote_refs()


def test_ledger_ref_under_heads_or_tags_is_refused(repo: Clone) -> None:
    repo.commit("config", {"relorch.toml": '[apis.products]\nledger_ref = "refs/heads/ledger"\n'})
    g = Git(repo.path)
    with pytest.raises(ConfigError):
        Ledger(g, load_config(g.root))


def test_a_foreign_ref_is_not_read_as_a_ledger(repo: Clone) -> None:
    repo.git("push", "-q", "origin", "HEAD:refs/relorch/ledger")
    with pytest.raises(GitError, match="is not a relorch ledger"):
        ledger_of(repo).read_state()


def test_current_revisions_maps_api_env_major_to_the_live_revision(repo: Clone) -> None:
    live = [
        new_record(
            api="products",
            env="staging",
            action="deploy",
            status=status,
            now=NOW,
            actor="t",
            major=1,
            revision=2,
            tag="v1-rev2",
            sha="a" * 40,
        )
        for status in ("started", "succeeded")
    ]
    ledger_of(repo).append(lambda s: live, subject="deploy")
    g = Git(repo.path)
    assert current_revisions(g, load_config(g.root)) == {("products", "staging", 1): 2}
    assert read_state(g, load_config(g.root)).locks == {}


def test_unknown_keys_from_newer_writers_survive_a_read(tmp_path: Path) -> None:
    record = Record.from_line(
        '{"id":"x","time":"t","api":"a","env":"e","action":"hold","status":"held","flavour":"new"}'
    )
    assert record.extra == {"flavour": "new"}


def test_a_snapshot_from_an_older_relorch_is_rebuilt_from_the_records(repo: Clone) -> None:
    ledger = ledger_of(repo)
    common = {"api": "products", "env": "production", "now": NOW, "actor": "t", "major": 1}
    started = new_record(action="deploy", status="started", revision=1, tag="v1-rev1", **common)  # type: ignore[arg-type]
    done = new_record(
        action="deploy",
        status="succeeded",
        revision=1,
        tag="v1-rev1",
        lock=started.id,
        **common,  # type: ignore[arg-type]
    )
    tip = ledger.append(lambda s: [started, done], subject="deploy").tip
    assert tip is not None
    # Rewrite the tip as a format-1 relorch wrote it: no first_live, no previews.
    old = {k: v for k, v in origin_state(repo.origin).items() if k in FORMAT_1_KEYS}
    old["format"] = 1
    blob = piped(repo.path, json.dumps(old), "hash-object", "-w", "--stdin")
    records_tree = git(repo.path, "rev-parse", f"{tip}:records")
    listing = f"100644 blob {blob}\tstate.json\n040000 tree {records_tree}\trecords\n"
    tree = piped(repo.path, listing, "mktree")
    commit = git(repo.path, "commit-tree", tree, "-p", tip, "-m", "format 1")
    git(repo.path, "push", "-q", "origin", f"{commit}:refs/relorch/ledger")

    state = ledger_of(repo).read_state()
    assert state.first_live_at("products", "production", 1) == NOW
    assert state == replay([started, done])


def piped(cwd: Path, text: str, *args: str) -> str:
    """Plain git with `text` on its standard input."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, input=text, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


FORMAT_1_KEYS = {"count", "live", "succeeded", "rolled_back", "locks", "holds", "notices"}
