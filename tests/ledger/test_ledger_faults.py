"""A remote that lost its ledger, one holding fewer records than this clone's copy, and foreign
or corrupt ledger contents: each an `error:`/`hint:` with its exit code, nothing written."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.deploykit import env_block, origin_records, setup_project
from tests.gitrepo import Clone, clone_of, git

REF = "refs/relorch/ledger"


def test_ledger_vanished_from_the_remote_stops_a_held_deploy_and_says_how_to_recover(
    repo: Clone,
) -> None:
    setup_project(repo, env_block("production", deploy=False))
    assert repo.relorch("hold", "v1", "--env", "production", "--reason", "no").returncode == 0
    git(repo.origin, "update-ref", "-d", REF)  # e.g. migrated with push --all --tags

    result = repo.relorch("deploy", "v1@rev2", "--env", "production")
    assert result.returncode == 3, result.stderr
    assert "origin no longer has the ledger refs/relorch/ledger" in result.stderr
    assert "hint:" in result.stderr and "git push --force origin" in result.stderr
    assert not git(repo.origin, "for-each-ref", REF)

    # Restoring from this clone's copy, as the hint says, brings the hold back into force.
    repo.git("push", "-q", "--force", "origin", f"{REF}:{REF}")
    again = repo.relorch("deploy", "v1@rev2", "--env", "production")
    assert again.returncode == 6, again.stderr


def test_starting_a_new_ledger_takes_an_explicit_step(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    repo.relorch("hold", "v1", "--env", "production", "--reason", "no")
    old_tip = repo.git("rev-parse", REF)
    git(repo.origin, "update-ref", "-d", REF)
    refused = repo.relorch("deploy", "v1@rev2", "--env", "production")
    assert refused.returncode == 3 and "--init-ledger" in refused.stderr

    result = repo.relorch("deploy", "v1@rev2", "--env", "production", "--init-ledger")
    assert result.returncode == 0, result.stderr
    assert [r["action"] for r in origin_records(repo.origin)] == ["deploy", "deploy"]
    # This clone's copy of the lost ledger is kept, not destroyed.
    kept = repo.git("for-each-ref", "--format=%(objectname)", "refs/relorch/set-aside/")
    assert kept == old_tip
    # Once a ledger exists again, the flag changes nothing: records are appended to it.
    again = repo.relorch("hold", "v1", "--env", "production", "--reason", "x", "--init-ledger")
    assert again.returncode == 0, again.stderr
    assert [r["action"] for r in origin_records(repo.origin)] == ["deploy", "deploy", "hold"]


def test_init_ledger_goes_on_with_a_remote_that_lost_records(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    for revision in (1, 2):
        assert repo.relorch("deploy", f"v1@rev{revision}", "--env", "production").returncode == 0
    mine = repo.git("rev-parse", REF)
    git(repo.origin, "update-ref", REF, f"{REF}~2")  # the remote lost the last two records
    result = repo.relorch("deploy", "v1@rev2", "--env", "production", "--init-ledger")
    assert result.returncode == 0, result.stderr
    assert len(origin_records(repo.origin)) == 4  # the remote's two, then this deploy's two
    assert repo.git("rev-parse", REF) == git(repo.origin, "rev-parse", REF)
    assert repo.git("for-each-ref", "--format=%(objectname)", "refs/relorch/set-aside/") == mine


def test_remote_with_fewer_records_never_shrinks_the_local_copy(
    repo: Clone, tmp_path: object
) -> None:
    setup_project(repo, env_block("production", deploy=False))
    for revision in (1, 2):
        assert repo.relorch("deploy", f"v1@rev{revision}", "--env", "production").returncode == 0
    mine = repo.git("rev-parse", REF)
    git(repo.origin, "update-ref", REF, f"{REF}~2")  # the remote lost the last two records
    for command in (("history",), ("deploy", "v1@rev1", "--env", "production")):
        result = repo.relorch(*command)
        assert result.returncode == 3, result.stderr
        assert "the remote lost records" in result.stderr
    assert repo.git("rev-parse", REF) == mine
    assert len(origin_records(repo.origin)) == 2


def _commit_ledger(origin: object, files: dict[str, bytes]) -> None:
    """Point the origin's ledger at a commit holding `files` (paths may be records/NAME)."""
    from pathlib import Path

    path = Path(str(origin))

    def blob(data: bytes) -> str:
        proc = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=path,
            input=data,
            capture_output=True,
            check=True,
        )
        return proc.stdout.decode().strip()

    def tree(entries: str) -> str:
        proc = subprocess.run(
            ["git", "mktree"], cwd=path, input=entries.encode(), capture_output=True, check=True
        )
        return proc.stdout.decode().strip()

    records = {k[8:]: v for k, v in files.items() if k.startswith("records/")}
    top = {k: v for k, v in files.items() if "/" not in k}
    lines = [f"100644 blob {blob(v)}\t{k}" for k, v in top.items()]
    if records:
        sub = tree("".join(f"100644 blob {blob(v)}\t{k}\n" for k, v in records.items()))
        lines.append(f"040000 tree {sub}\trecords")
    root = tree("\n".join(lines) + "\n")
    commit = git(path, "commit-tree", root, "-m", "foreign")
    git(path, "update-ref", REF, commit)


GOOD_STATE = b'{"count": 1}\n'
GOOD_RECORD = (
    b'{"id": "x", "time": "2026-01-15T10:00:00Z", "api": "products", "env": "production", '
    b'"action": "hold", "status": "held", "actor": "a", "tag": "v1-rev2"}\n'
)


@pytest.mark.parametrize(
    "files",
    [
        {"state.json": b"{not json", "records/000000.jsonl": GOOD_RECORD},
        {"state.json": b'{"live": [{"api": "products"}]}', "records/000000.jsonl": GOOD_RECORD},
        {"state.json": b"[1, 2]", "records/000000.jsonl": GOOD_RECORD},
        {"state.json": b"\xff\xfe\x00", "records/000000.jsonl": GOOD_RECORD},
        {"state.json": GOOD_STATE, "records/000000.jsonl": b"\xff\xfe not utf-8\n"},
        {"state.json": GOOD_STATE, "records/000000.jsonl": b'{"id": "x", "api": "products"}\n'},
        {"state.json": GOOD_STATE, "records/000000.jsonl": b"[]\n"},
        {"records/000000.jsonl": GOOD_RECORD},
        {"README": b"somebody else's ref"},
    ],
    ids=[
        "state-not-json",
        "state-live-without-env",
        "state-a-list",
        "state-not-utf8",
        "records-not-utf8",
        "record-without-env",
        "record-a-list",
        "no-state-json",
        "foreign-tree",
    ],
)
def test_corrupt_or_foreign_ledger_is_an_error_with_a_hint_never_a_traceback(
    repo: Clone, tmp_path: object, files: dict[str, bytes]
) -> None:
    setup_project(repo, env_block("production", deploy=False))
    _commit_ledger(repo.origin, files)
    fresh = clone_of(repo, __import__("pathlib").Path(str(tmp_path)), "fresh")
    for command in (("status",), ("deploy", "v1", "--env", "production"), ("history",)):
        result = fresh.relorch(*command)
        assert "Traceback" not in result.stderr, result.stderr
        # status degrades to a warning; a deploy whose state is sound may append after a record
        # it does not read (history then names the bad chunk): otherwise error and hint.
        # (an old-format state.json is rebuilt from the records: a hold there still holds)
        if result.returncode not in (0, 6):
            assert result.returncode == 1, (command, result.stderr)
            assert "error:" in result.stderr and "hint:" in result.stderr


def test_a_fetch_ref_left_by_a_killed_process_is_removed_by_the_next_deploy(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = subprocess.Popen(["sleep", "60"])
    try:
        for pid in (dead.pid, live.pid):
            repo.git("update-ref", f"refs/relorch/fetching/{pid}-0badf00d", "HEAD")
        result = repo.relorch("deploy", "v1@rev1", "--env", "production")
        assert result.returncode == 0, result.stderr
        left = repo.git("for-each-ref", "--format=%(refname)", "refs/relorch/fetching")
        assert left == f"refs/relorch/fetching/{live.pid}-0badf00d"  # a live fetch is kept
    finally:
        live.kill()
        live.wait()


def test_a_full_disk_during_an_append_is_an_error_and_writes_nothing(repo: Clone) -> None:
    """No byte can be written (RLIMIT_FSIZE 0: what a full disk does to every write): the
    ledger append stops with error:/hint: and exit 1; the remote and the local copy are as
    they were."""
    import resource

    from tests.gitrepo import RELORCH

    setup_project(repo, env_block("production", deploy=False))
    before = git(repo.origin, "for-each-ref", "refs/relorch")

    def no_space() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    # Without the coverage hooks of a --cov run: their save at exit would fail on no space too.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE"))}
    proc = subprocess.run(
        [RELORCH, "hold", "v1", "--env", "production", "--reason", "disk"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=no_space,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: cannot write to the git object store"), proc.stderr
    assert "hint: check free disk space" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert git(repo.origin, "for-each-ref", "refs/relorch") == before
    assert not repo.git("for-each-ref", "refs/relorch")
