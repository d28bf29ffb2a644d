"""Many writers at once: every record lands exactly once, in one consistent chain of commits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.deploykit import env_block, origin_records, setup_project, start
from tests.gitrepo import Clone, clone_of, git

ENVS = [f"env{i}" for i in range(8)]


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        results.append((proc.returncode, err))
    return results


def assert_consistent_chain(origin: Path, total: int) -> None:
    """Each commit's records are the previous commit's plus new ones; ids never repeat."""
    final = [r["id"] for r in origin_records(origin)]
    assert len(final) == total
    assert len(set(final)) == total
    previous = 0
    for commit in git(origin, "rev-list", "--reverse", "refs/relorch/ledger").split():
        count = json.loads(git(origin, "cat-file", "blob", f"{commit}:state.json"))["count"]
        names = git(origin, "ls-tree", "--name-only", f"{commit}:records").split()
        ids = [
            json.loads(line)["id"]
            for name in sorted(names)
            for line in git(origin, "cat-file", "blob", f"{commit}:records/{name}").splitlines()
        ]
        assert count > previous
        assert ids == final[:count]
        previous = count
    assert previous == total


def test_twelve_writers_deploying_and_holding_at_once_lose_no_record(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, "".join(env_block(e, deploy=False) for e in ENVS), revisions=1)
    deployers = [clone_of(repo, tmp_path, f"deploy{i}") for i in range(len(ENVS))]
    holders = [clone_of(repo, tmp_path, f"hold{i}") for i in range(4)]

    procs = [start(c, "deploy", "v1", "--env", e) for c, e in zip(deployers, ENVS, strict=True)]
    procs += [
        start(c, "hold", "v1", "--env", ENVS[i], "--reason", f"objection {i}")
        for i, c in enumerate(holders)
    ]
    results = finish(procs)

    for code, err in results[: len(ENVS)]:
        # a deploy either ran or was stopped by a hold that landed first (exit 6); never lost
        assert code in (0, 6), err
    for code, err in results[len(ENVS) :]:
        assert code == 0, err
    records = origin_records(repo.origin)
    deployed = [r for r in records if r["action"] == "deploy"]
    started = {r["id"] for r in deployed if r["status"] == "started"}
    finished = {r["lock"] for r in deployed if r["status"] == "succeeded"}
    assert started == finished
    assert len(started) == sum(code == 0 for code, _ in results[: len(ENVS)])
    assert sorted(r["reason"] for r in records if r["action"] == "hold") == [
        f"objection {i}" for i in range(4)
    ]
    assert_consistent_chain(repo.origin, len(records))
    assert len(records) == 2 * len(started) + 4


def test_eight_writers_in_one_clone_without_remote_lose_no_record(repo: Clone) -> None:
    setup_project(repo, "".join(env_block(e, deploy=False) for e in ENVS), revisions=1)
    repo.git("remote", "remove", "origin")
    procs = [start(repo, "hold", "v1", "--env", e, "--reason", f"local {e}") for e in ENVS]
    results = finish(procs)
    for code, err in results:
        assert code == 0, err
    assert_consistent_chain(repo.path / ".git", len(ENVS))
    reasons = sorted(r["reason"] for r in origin_records(repo.path / ".git"))
    assert reasons == sorted(f"local {e}" for e in ENVS)
