"""Deploy faults: the step fails, hangs, is interrupted, or relorch itself dies mid-deploy."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from tests.deploykit import (
    env_block,
    origin_records,
    origin_state,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
    worktrees,
)
from tests.gitrepo import Clone, clone_of


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_failing_step_records_failed_and_keeps_what_was_live(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    assert (
        repo.relorch("deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path)).returncode
        == 0
    )

    result = repo.relorch("deploy", "v1@rev2", "--env", "staging", env=step_env(tmp_path, "fail"))

    assert result.returncode == 1
    assert (
        "error: deploy of v1-rev2 to staging failed: deploy step exited with status 3"
        in result.stderr
    )
    last = origin_records(repo.origin)[-1]
    assert (last["tag"], last["status"], last["reason"]) == (
        "v1-rev2",
        "failed",
        "deploy step exited with status 3",
    )
    [live] = origin_state(repo.origin)["live"]
    assert live["tag"] == "v1-rev1"
    assert origin_state(repo.origin)["locks"] == []
    assert worktrees(repo) == [str(repo.path)]


def test_step_past_its_timeout_is_killed_and_recorded_failed(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", extra='timeout = "1s"'))

    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path, "wait"))

    assert result.returncode == 1
    assert "timed out after 1s" in result.stderr
    [call] = step_calls(tmp_path)
    assert not _alive(int(call["pid"]))
    last = origin_records(repo.origin)[-1]
    assert last["status"] == "failed"
    assert "timed out" in str(last["reason"])
    assert worktrees(repo) == [str(repo.path)]
    assert not Path(str(call["cwd"])).exists()


def test_interrupt_kills_the_step_records_failed_and_exits_130(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    proc = start(repo, "deploy", "v1", "--env", "staging", env=step_env(tmp_path, "wait"))
    wait_for(lambda: bool(step_calls(tmp_path)))

    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == 130, err
    [call] = step_calls(tmp_path)
    assert not _alive(int(call["pid"]))
    last = origin_records(repo.origin)[-1]
    assert (last["status"], last["reason"]) == ("failed", "interrupted")
    assert worktrees(repo) == [str(repo.path)]


def test_relorch_killed_mid_deploy_leaves_a_stale_lock_that_break_lock_recovers(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging", extra='lock_timeout = "1s"'))
    proc = start(repo, "deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path, "wait"))
    wait_for(lambda: bool(step_calls(tmp_path)))
    proc.kill()
    proc.communicate(timeout=30)
    step_pid = int(step_calls(tmp_path)[0]["pid"])
    os.killpg(step_pid, signal.SIGKILL)  # the orphaned step, as a CI runner would reap it
    started = origin_records(repo.origin)[-1]
    assert started["status"] == "started"
    time.sleep(2.1)  # let the lock pass its 1s lock_timeout (record times have 1s resolution)

    blocked = repo.relorch("deploy", "v1@rev2", "--env", "staging", env=step_env(tmp_path))
    assert blocked.returncode == 5
    assert "locked by Test User's deploy of v1-rev1" in blocked.stderr
    assert "stale" in blocked.stderr
    assert "--break-lock" in blocked.stderr

    status = repo.relorch("status", "--env", "staging")
    assert status.returncode == 0

    broken = repo.relorch(
        "deploy", "v1@rev2", "--env", "staging", "--break-lock", env=step_env(tmp_path)
    )
    assert broken.returncode == 0, broken.stderr
    assert "broke a stale lock" in broken.stderr
    tail = origin_records(repo.origin)[-3:]
    assert [(r["tag"], r["status"]) for r in tail] == [
        ("v1-rev1", "abandoned"),
        ("v1-rev2", "started"),
        ("v1-rev2", "succeeded"),
    ]
    assert tail[0]["lock"] == started["id"]
    # the killed run could not remove its worktree: the deploy that broke the lock did
    assert worktrees(repo) == [str(repo.path)]
    assert "removed the worktree of a deploy that died" in broken.stderr


def test_break_lock_refuses_a_lock_that_is_not_stale(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    proc = start(repo, "deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path, "wait"))
    wait_for(lambda: bool(step_calls(tmp_path)))
    try:
        other = clone_of(repo, tmp_path, "other")
        result = other.relorch(
            "deploy", "v1@rev2", "--env", "staging", "--break-lock", env=step_env(tmp_path)
        )
        assert result.returncode == 5
        assert "locked by" in result.stderr
        assert "older than 2h" in result.stderr
    finally:
        (tmp_path / "release").touch()
        proc.communicate(timeout=60)
    assert proc.returncode == 0


def test_concurrent_deploys_to_one_environment_run_the_step_exactly_once(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging"))
    clones = [clone_of(repo, tmp_path, f"job{i}") for i in range(4)]
    env = step_env(tmp_path, "wait")
    procs = [start(c, "deploy", "v1", "--env", "staging", "--json", env=env) for c in clones]
    results: dict[int, tuple[int, str, str]] = {}
    deadline = time.monotonic() + 120
    while len(results) < len(procs) - 1 and time.monotonic() < deadline:
        for i, proc in enumerate(procs):
            if i not in results and proc.poll() is not None:
                out, err = proc.communicate()
                results[i] = (proc.returncode, out, err)
        time.sleep(0.05)
    (tmp_path / "release").touch()  # every loser has given up: let the winner finish
    for i, proc in enumerate(procs):
        if i not in results:
            out, err = proc.communicate(timeout=60)
            results[i] = (proc.returncode, out, err)

    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 5, 5, 5], [r[2] for r in results.values()]
    assert len(step_calls(tmp_path)) == 1
    for code, _, err in results.values():
        if code == 5:
            assert "locked by" in err
    records = origin_records(repo.origin)
    assert [r["status"] for r in records] == ["started", "succeeded"]
    winner = next(out for code, out, _ in results.values() if code == 0)
    assert json.loads(winner)["record"] == records[1]["id"]


def test_ledger_push_rejected_once_by_the_origin_is_retried(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    marker = tmp_path / "rejected-once"
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "while read old new ref; do\n"
        f'  if [ "$ref" = refs/relorch/ledger ] && [ ! -e "{marker}" ]; then\n'
        f'    touch "{marker}"; echo "ledger busy, try again" >&2; exit 1\n'
        "  fi\n"
        "done\n"
    )
    hook.chmod(0o755)

    result = repo.relorch("deploy", "v1", "--env", "staging")

    assert result.returncode == 0, result.stderr
    assert marker.exists()
    assert [r["status"] for r in origin_records(repo.origin)] == ["started", "succeeded"]


def test_step_that_cannot_start_is_recorded_failed(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, '[environments.staging]\ndeploy = ["./no-such-deploy-tool", "{tag}"]\n')
    result = repo.relorch("deploy", "v1", "--env", "staging")
    assert result.returncode == 1
    assert "cannot run deploy step './no-such-deploy-tool'" in result.stderr
    assert origin_records(repo.origin)[-1]["status"] == "failed"
    assert origin_state(repo.origin)["locks"] == []
