"""Interrupts during git network calls: Ctrl-C and SIGTERM end relorch within seconds with
exit 130 and an `error:` line, and the git process group (a hanging ssh helper included) is
gone; no timer is left to kill anything later."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from relorch.git.gateway import Git
from tests.deploykit import as_from_a_terminal
from tests.gitrepo import RELORCH, Clone

HELPER = """#!/bin/sh
# A remote that never answers: the ssh transport git starts, hanging like a dead network.
{ignore}
echo $$ >> "{pids}"
sleep 300 &
echo $! >> "{pids}"
wait
"""


def hanging_remote(repo: Clone, tmp_path: Path, *, ignore_term: bool = False) -> Path:
    """Point origin at an ssh URL whose transport hangs; the file its PIDs are written to."""
    pids = tmp_path / "helper.pids"
    script = tmp_path / "hanging-ssh"
    script.write_text(HELPER.format(pids=pids, ignore="trap '' TERM" if ignore_term else ""))
    script.chmod(0o755)
    repo.git("remote", "set-url", "origin", "ssh://git.invalid/origin.git")
    os.environ["GIT_SSH_COMMAND"] = str(script)
    return pids


def wait_for_pids(path: Path, count: int = 2) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists():
            found = [int(x) for x in path.read_text().split()]
            if len(found) >= count:
                return found
        time.sleep(0.02)
    raise AssertionError("the ssh helper never started")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int]) -> list[int]:
    # Reaping by init after the kill is asynchronous: a few hundred ms on a quiet machine; the
    # bound is generous because a loaded 2-core machine once took over 5 s (not a timing goal).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.02)
    return [p for p in pids if alive(p)]


@pytest.fixture(autouse=True)
def _no_ssh_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)


@pytest.mark.parametrize(
    ("args", "sig"),
    [
        (("release", "--revision"), signal.SIGINT),
        (("release", "--revision"), signal.SIGTERM),
        (("status",), signal.SIGINT),
        (("history",), signal.SIGTERM),
    ],
    ids=["release-ctrl-c", "release-sigterm", "status-ctrl-c", "history-sigterm"],
)
def test_interrupt_during_network_git_exits_130_at_once_and_leaves_no_git_process(
    repo: Clone, tmp_path: Path, args: tuple[str, ...], sig: signal.Signals
) -> None:
    repo.commit("feat: first")
    repo.push()
    pids_file = hanging_remote(repo, tmp_path)
    proc = subprocess.Popen(
        [RELORCH, *args],
        cwd=repo.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        preexec_fn=as_from_a_terminal,  # noqa: PLW1509 (resets one signal; no locks taken)
    )
    helpers = wait_for_pids(pids_file)
    proc.send_signal(sig)
    # Before: about 300 s (GitPython's kill_after_timeout timer); the bound only stops a hang.
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "error: interrupted" in err
    assert "Traceback" not in err
    assert wait_gone(helpers) == []


def test_interrupted_git_group_is_killed_even_when_it_ignores_sigterm(
    repo: Clone, tmp_path: Path
) -> None:
    import threading

    pids_file = hanging_remote(repo, tmp_path, ignore_term=True)
    git = Git(repo.path)

    def interrupt_when_started() -> None:
        wait_for_pids(pids_file)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_when_started, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        git.ls_remote("origin", ["main"], [])
    assert wait_gone(wait_for_pids(pids_file)) == []


def test_remote_that_is_gone_reports_gits_cause_not_its_advice(repo: Clone, tmp_path: Path) -> None:
    repo.git("remote", "set-url", "origin", str(tmp_path / "moved-away.git"))
    result = repo.relorch("release", "--revision")
    assert result.returncode == 1
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert "does not appear to be a git repository" in error, result.stderr
    assert "and the repository exists" not in result.stderr
