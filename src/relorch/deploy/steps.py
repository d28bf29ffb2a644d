"""Runs a deploy step: an argv list (never a shell) with a timeout, output streamed and masked."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from relorch.masking import mask

KILL_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class StepOutcome:
    """How the step ended: its exit status, or that it timed out / could not start."""

    returncode: int | None
    timed_out: bool
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the step ran and exited 0."""
        return self.returncode == 0 and not self.timed_out and self.error is None

    def describe(self, timeout: float) -> str:
        """Why the step failed, for the ledger and the error message."""
        if self.error is not None:
            return self.error
        if self.timed_out:
            return f"deploy step timed out after {_seconds(timeout)} and was killed"
        if self.returncode is not None and self.returncode < 0:
            return f"deploy step was killed by signal {-self.returncode}"
        return f"deploy step exited with status {self.returncode}"


def run_step(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    output: Callable[[str], None],
) -> StepOutcome:
    """Run `argv` in `cwd` in its own process group; kill the whole group on timeout or Ctrl-C.

    Each argument reaches the program as one literal argument (no shell, no word splitting).
    stdout and stderr are merged and handed line by line, masked, to `output`.
    """
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        reason = f"cannot run deploy step {argv[0]!r}: {exc.strerror or exc}"
        return StepOutcome(None, False, time.monotonic() - start, mask(reason))
    assert proc.stdout is not None
    pump = threading.Thread(target=_pump, args=(proc.stdout, output), daemon=True)
    pump.start()
    try:
        with terminate_as_interrupt():
            proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        pump.join(KILL_GRACE_SECONDS)
        return StepOutcome(proc.returncode, True, time.monotonic() - start)
    except KeyboardInterrupt:
        _kill_group(proc)
        pump.join(KILL_GRACE_SECONDS)
        raise
    pump.join(KILL_GRACE_SECONDS)
    return StepOutcome(proc.returncode, False, time.monotonic() - start)


def _pump(stream: IO[bytes], output: Callable[[str], None]) -> None:
    with stream:
        for raw in iter(stream.readline, b""):
            output(mask(raw.decode("utf-8", "replace").rstrip("\r\n")))


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the step's process group, SIGKILL what is left after a grace period."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, KILL_GRACE_SECONDS)):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        with suppress(ProcessLookupError):  # leader gone; nothing it started may linger
            os.killpg(proc.pid, signal.SIGKILL)
        return


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """CI cancels a job with SIGTERM: treat it like Ctrl-C so the step is killed and recorded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _seconds(value: float) -> str:
    from relorch.durations import format_seconds

    return format_seconds(value)
