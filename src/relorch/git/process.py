"""Running one git process: its own process group, a deadline, and always reaped.

GitPython's `kill_after_timeout` starts a timer thread per call that is never cancelled when
the call is interrupted; when it fires it SIGKILLs a PID (and that PID's children) that may
by then belong to an unrelated process, and the interpreter waits for it before exiting
(Ctrl-C took up to 300 s). Here the caller's thread waits for its own child with a deadline,
and whatever stops the wait (a timeout, Ctrl-C, SIGTERM) ends the child's whole process group
while its leader is still unreaped, so the group id cannot have been reused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

GRACE_SECONDS = 0.5  # between SIGTERM and SIGKILL of an interrupted git process group


class Finished(NamedTuple):
    """How a git process ended: its status and decoded output (None status: timed out)."""

    status: int | None
    out: str
    err: str


def run_git(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None,
    input: bytes | None = None,
) -> Finished:
    """Run `argv` to completion (or until `timeout` seconds), never leaving a process behind.

    The child gets a session of its own: a terminal's Ctrl-C reaches relorch only, which then
    ends the group itself (git's transport helpers such as ssh included) and re-raises.
    `input` is written to its standard input (none: it reads an empty one).
    """
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        return Finished(None, "", "")
    except BaseException:
        _end_group(proc)
        raise
    return Finished(proc.returncode, _decode(out), _decode(err))


def run_git_bytes(argv: Sequence[str], *, cwd: Path, input: bytes) -> bytes | None:
    """A short local git call whose output is bytes (object contents): stdout, None when it
    failed. Reaped and group-ended like `run_git`, C locale, no deadline."""
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": "C"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(input)
    except BaseException:
        _end_group(proc)
        raise
    return out if proc.returncode == 0 else None


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group, SIGKILL it after a grace period, reap the leader.

    Further SIGINT/SIGTERM are blocked meanwhile (a second Ctrl-C must not leave the group
    running); they are delivered, and re-raise, once the group is gone.
    """
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while not _exited(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        # The leader is not reaped yet (a zombie at most), so the group id is still ours: this
        # SIGKILL reaches only what it started (an ssh helper that ignored SIGTERM included).
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _exited(pid: int) -> bool:
    """Whether the process has exited, without reaping it (WNOWAIT keeps its id taken)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _decode(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", "replace")


def start_batch(cwd: Path) -> subprocess.Popen[bytes]:
    """A long-lived `git cat-file --batch` in its own group (its user closes stdin and reaps
    it; git ends on end of input)."""
    return subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=cwd,
        env={**os.environ, "LC_ALL": "C"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def alive(pid: int) -> bool:
    """Whether a process with this id exists (someone else's counts: it is alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
