"""The command line: `main` runs one invocation and turns every error into its exit code.

The only package that imports typer (and click), in `cli.app` and the command modules;
`main` imports them only when `cli.quick` does not run the invocation itself (the plain
`release`, `plan`, `status` and `render` CI runs: typer's import and its command building
took about 26 ms of a 0.15 s release at 2,000 tags). One module per command group; a command
parses, loads config, calls one core function and prints. May import every other package;
nothing imports it (the demo is handed `main`).
"""

from __future__ import annotations

import contextvars
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from relorch import invocation
from relorch.cli import quick
from relorch.cli.project import GlobalOptions


def _given(flag: str, args: Sequence[str]) -> bool:
    """`flag` given anywhere before `--`: a usage error stops parsing before its callback."""
    words = list(args)
    return flag in words[: words.index("--") if "--" in words else None]


def _wants_json(args: Sequence[str], options: GlobalOptions) -> bool:
    return options.json or _given("--json", args)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT), SIGTERM (what CI sends to cancel a job) or SIGHUP: all unwind alike."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.signal_name = signal.Signals(signum).name


@contextmanager
def _signals_as_interrupt(seen: list[Interrupted]) -> Iterator[None]:
    """For the whole command, SIGINT, SIGTERM and SIGHUP unwind like Ctrl-C: every `finally`,
    every cleanup (a git process group ended, a local tag removed, a deploy recorded) runs.
    `seen` keeps the interrupt: typer turns it into a silent exit status 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        seen.append(Interrupted(signum))
        raise seen[-1]

    wanted = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    # A signal ignored when relorch started (nohup, a background job) stays ignored.
    previous = {
        sig: signal.signal(sig, interrupt)
        for sig in wanted
        if signal.getsignal(sig) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every expected failure becomes `error:`/`hint:` and its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # A fresh context: --no-color's context variable lasts for this invocation only.
    return contextvars.copy_context().run(_main, args)


def _main(args: list[str]) -> int:
    from relorch.errors import ExitCode, RelorchError
    from relorch.output import NO_COLOUR

    invocation.begin()
    options = GlobalOptions()
    direct = None if os.environ.get(quick.COMPLETE_VAR) else quick.parse(args, options)

    def fail(message: str, hint: str, code: int) -> int:
        if _given("--no-color", args):
            NO_COLOUR.set(True)
        _report_error(message, hint, code, json_out=_wants_json(args, options))
        return code

    seen: list[Interrupted] = []
    try:
        with _signals_as_interrupt(seen):
            if direct is not None:
                result = direct()
            else:
                from relorch.cli import app

                result = app.run(args, options, fail)
    except RelorchError as exc:
        from relorch.ci import annotate_error

        annotate_error(exc.message, json_out=_wants_json(args, options))
        return fail(exc.message, exc.hint, int(exc.exit_code))
    except KeyboardInterrupt as exc:
        seen.append(exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT))
    if seen:  # typer turns an interrupt into a silent exit status 130: say what happened
        how = "" if seen[0].signal_name == "SIGINT" else f" by {seen[0].signal_name}"
        hint = (
            "nothing was left half-written (a started deploy is recorded as failed); "
            "run the command again"
        )
        return fail(f"interrupted{how}", hint, int(ExitCode.INTERRUPTED))
    return result


def _report_error(message: str, hint: str, code: int, *, json_out: bool) -> None:
    """`error:`/`hint:` on stderr; with --json also a `relorch-error` document on stdout
    (unless the command printed its own document before failing, as `diff` does)."""
    from relorch.output import DOCUMENT_PRINTED, Reporter, emit_json

    Reporter().error(message, hint)
    if json_out and not DOCUMENT_PRINTED.get():
        emit_json("error", {"error": message, "hint": hint or None, "exit_code": code})
