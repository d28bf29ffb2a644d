"""Many writers at once: every record lands exactly once, in one consistent chain of commits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.deploykit import env_block, origin_records, setup_project, start
from tests.gitrepo import RELORCH, Clone, clone_of, git

ENVS = [f"env{i}" for i in range(8)]

UPLOAD_PACK_WRAPPER = """
import os, subprocess, sys, threading
# upload-pack speaks first (its v2 capabilities); the client's request is held until read
pack = subprocess.Popen(["git-upload-pack", *sys.argv[1:]], stdin=subprocess.PIPE)
def read(n):
    got = b""
    while len(got) < n and (chunk := os.read(0, n - len(got))):
        got += chunk
    return got
data = b""
while True:
    size = read(4)
    data += size
    if size in (b"0000", b""):
        break
    if int(size, 16) > 4:
        data += read(int(size, 16) - 4)
if b"ref-prefix refs/relorch/ledger" in data and not os.path.exists("{fired}"):
    os.mkdir("{fired}")
    with open("{log}", "w") as log:
        subprocess.run({hold!r}, cwd="{other}", stdout=log, stderr=log)
pack.stdin.write(data)
pack.stdin.flush()
def pump():
    while chunk := os.read(0, 65536):
        pack.stdin.write(chunk)
        pack.stdin.flush()
    pack.stdin.close()
threading.Thread(target=pump, daemon=True).start()
sys.exit(pack.wait())
"""


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


def test_a_fresh_clone_builds_on_the_tip_its_fetch_brought_when_a_writer_pushed_in_between(
    repo: Clone, tmp_path: Path
) -> None:
    """ls-remote sees tip T, another writer pushes, the shallow fetch brings only the new tip:
    the append builds on that tip (T is not even here), never fails for want of T, and loses
    no record."""
    setup_project(repo, "".join(env_block(e, deploy=False) for e in ENVS), revisions=1)
    # (cloned before the ledger has commits: a local clone would share the origin's objects)
    other = clone_of(repo, tmp_path, "other")
    fresh = clone_of(repo, tmp_path, "fresh")
    assert repo.relorch("hold", "v1", "--env", "env0", "--reason", "first").returncode == 0
    seen_by_ls_remote = git(repo.origin, "rev-parse", "refs/relorch/ledger")
    # The fresh clone's upload-pack reads the first request of each connection; once, when
    # it is the ledger fetch's ref listing (protocol v2 ls-refs with the ledger's
    # ref-prefix; a plain ls-remote sends none), the other clone first appends a record.
    wrapper = tmp_path / "upload-pack"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        + UPLOAD_PACK_WRAPPER.format(
            fired=tmp_path / "fired",
            hold=[RELORCH, "hold", "v1", "--env", "env2", "--reason", "between"],
            other=str(other.path),
            log=tmp_path / "between.log",
        )
    )
    wrapper.chmod(0o755)
    fresh.git("config", "remote.origin.uploadpack", str(wrapper))

    result = fresh.relorch("hold", "v1", "--env", "env1", "--reason", "fresh")
    assert result.returncode == 0, result.stderr
    assert "held" in (tmp_path / "between.log").read_text()
    # The race happened as staged: the tip ls-remote saw never reached the fresh clone.
    present = subprocess.run(
        ["git", "cat-file", "-e", seen_by_ls_remote], cwd=fresh.path, check=False
    )
    assert present.returncode != 0
    assert [r["reason"] for r in origin_records(repo.origin)] == ["first", "between", "fresh"]
    assert_consistent_chain(repo.origin, 3)
    tip = git(repo.origin, "rev-parse", "refs/relorch/ledger")
    assert fresh.git("rev-parse", "refs/relorch/ledger") == tip
    assert not fresh.git("for-each-ref", "refs/relorch/fetching")
