"""The typer application: registers the command groups and turns errors into exit codes.

The only package that imports typer (and click). One module per command group; a command
parses, loads config, calls one core function and prints. May import every other package;
nothing imports it (the demo is handed `main`).
"""

from __future__ import annotations

import contextvars
import copy
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer

from relorch import __version__, invocation
from relorch.cli.common import (
    NO_COLOR_HELP,
    ChdirOpt,
    ConfigOpt,
    GlobalOptions,
    JsonOpt,
    NoColorOpt,
    merge_no_color,
)

COMPLETE_VAR = "_RELORCH_COMPLETE"

app = typer.Typer(
    name="relorch",
    help="Release orchestrator for HTTP APIs: majors in the URL, revisions inside a major.",
    no_args_is_help=True,
    add_completion=False,  # `relorch completion SHELL` prints the script instead
    pretty_exceptions_enable=False,  # never print locals (they can hold secrets)
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"relorch {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    *,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    no_color: NoColorOpt = False,
) -> None:
    """relorch: branch per past major, tag per revision, deploy a chosen tag, roll back.

    -C, --config, --json and --no-color work before the command and after it.
    """


@functools.cache
def _register() -> None:
    """Add every command to `app`, once per process: `main()` runs many times in one process
    (the demo, in-process tests), and each registration would add every command again."""
    from relorch.cli import (
        announce,
        completion,
        deploy,
        diff,
        flags,
        ledger,
        notify,
        release,
        render,
        report,
    )

    modules = (release, deploy, ledger, render, announce, notify, diff, completion, report, flags)
    for module in modules:
        module.register(app)


def _click() -> Any:
    """click's modules: typer >= 0.20 vendors click as typer._click."""
    try:
        import typer._click as click
    except ImportError:  # older typer uses the click package itself
        import click  # type: ignore[no-redef]
    return click


def _command(args: Sequence[str] | None = None) -> Any:
    """The click group, every command taking --no-color even where it does not declare it.

    With `args` naming a command, the group holds that command alone: typer turns every
    registered function into a click command on each call, about 20 ms for all of them, and a
    run needs one. Help, completion and unknown words get the whole group.
    """
    from typer.core import TyperOption

    def flag(name: str, callback: Any, help_text: str) -> TyperOption:
        decl = "--" + name.replace("_", "-")
        return TyperOption(
            param_decls=[decl, name],
            is_flag=True,
            default=False,
            expose_value=False,
            callback=callback,
            help=help_text,
        )

    group = typer.main.get_command(_narrowed_to(args))
    for command in group.commands.values():  # type: ignore[attr-defined]
        params = command.params
        params.append(flag("init_ledger", lambda _c, _p, v: _start_new_ledger(v), INIT_LEDGER_HELP))
        if not any(param.name == "no_color" for param in params):
            params.append(flag("no_color", lambda c, _p, v: merge_no_color(c, v), NO_COLOR_HELP))
    return group


INIT_LEDGER_HELP = (
    "Where the remote lost the deploy ledger (gone, or fewer records than this clone's copy), "
    "set this clone's copy aside under refs/relorch/set-aside/ and go on with the remote's "
    "(a new ledger when it has none). Without it that is an error."
)


def _start_new_ledger(value: bool) -> None:
    if value:
        from relorch.ledger.store import START_NEW_LEDGER

        START_NEW_LEDGER.set(True)


def _narrowed_to(args: Sequence[str] | None) -> typer.Typer:
    """`app` with only the command `args` run (itself when they name none that is known)."""
    word = _command_word(args or [])
    if word is None or os.environ.get(COMPLETE_VAR):
        return app
    commands = [c for c in app.registered_commands if c.name == word]
    groups = [g for g in app.registered_groups if g.name == word]
    if not commands and not groups:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed


def _command_word(args: Sequence[str]) -> str | None:
    """The first word of `args` that is neither a global option nor the value of one."""
    words = iter(args)
    for word in words:
        if word == "--":
            return None
        if word in ("-C", "--config"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


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

    click = _click()
    _register()
    invocation.begin()
    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()  # typer's bash/zsh/fish protocol (`relorch completion SHELL`)
    options = GlobalOptions()

    def fail(message: str, hint: str, code: int) -> int:
        if _given("--no-color", args):
            NO_COLOUR.set(True)
        _report_error(message, hint, code, json_out=_wants_json(args, options))
        return code

    seen: list[Interrupted] = []
    try:
        with _signals_as_interrupt(seen):
            result = _command(args).main(
                args=args,
                prog_name="relorch",
                complete_var=COMPLETE_VAR,
                standalone_mode=False,
                obj=options,
            )
    except RelorchError as exc:
        from relorch.ci import annotate_error

        annotate_error(exc.message, json_out=_wants_json(args, options))
        return fail(exc.message, exc.hint, int(exc.exit_code))
    except click.exceptions.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        return int(ExitCode.USAGE)
    except click.exceptions.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "relorch"
        return fail(exc.format_message(), f"see `{command} --help`", int(ExitCode.USAGE))
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt) as exc:
        seen.append(exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT))
    except click.exceptions.ClickException as exc:
        return fail(exc.format_message(), "", int(ExitCode.USAGE))
    if seen:  # typer turns an interrupt into a silent exit status 130: say what happened
        how = "" if seen[0].signal_name == "SIGINT" else f" by {seen[0].signal_name}"
        hint = (
            "nothing was left half-written (a started deploy is recorded as failed); "
            "run the command again"
        )
        return fail(f"interrupted{how}", hint, int(ExitCode.INTERRUPTED))
    return result if isinstance(result, int) else 0


def _report_error(message: str, hint: str, code: int, *, json_out: bool) -> None:
    """`error:`/`hint:` on stderr; with --json also a `relorch-error` document on stdout
    (unless the command printed its own document before failing, as `diff` does)."""
    from relorch.output import DOCUMENT_PRINTED, Reporter, emit_json

    Reporter().error(message, hint)
    if json_out and not DOCUMENT_PRINTED.get():
        emit_json("error", {"error": message, "hint": hint or None, "exit_code": code})
