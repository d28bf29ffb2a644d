"""The typer application: every command registered, click's errors turned into exit codes.

`cli.main` comes here for everything `cli.quick` does not run itself (help, completion,
every command but the plain release and plan, and any word it does not know).
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable, Sequence
from typing import Any

import typer

from relorch import __version__
from relorch.cli.common import (
    NO_COLOR_HELP,
    ChdirOpt,
    ConfigOpt,
    JsonOpt,
    NoColorOpt,
    merge_no_color,
)
from relorch.cli.project import GlobalOptions
from relorch.cli.quick import COMPLETE_VAR, INIT_LEDGER_HELP, start_new_ledger

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
        params.append(flag("init_ledger", lambda _c, _p, v: start_new_ledger(v), INIT_LEDGER_HELP))
        if not any(param.name == "no_color" for param in params):
            params.append(flag("no_color", lambda c, _p, v: merge_no_color(c, v), NO_COLOR_HELP))
    return group


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


def run(args: list[str], options: GlobalOptions, fail: Callable[[str, str, int], int]) -> int:
    """Run `args` through typer; click's own errors become `fail(message, hint, code)`.
    RelorchError and interrupts pass through to the caller, as the command raised them."""
    from relorch.errors import ExitCode

    click = _click()
    _register()
    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()  # typer's bash/zsh/fish protocol (`relorch completion SHELL`)
    try:
        result = _command(args).main(
            args=args,
            prog_name="relorch",
            complete_var=COMPLETE_VAR,
            standalone_mode=False,
            obj=options,
        )
    except click.exceptions.NoArgsIsHelpError as exc:
        import sys

        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        return int(ExitCode.USAGE)
    except click.exceptions.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "relorch"
        return fail(exc.format_message(), f"see `{command} --help`", int(ExitCode.USAGE))
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort as exc:  # click's word for Ctrl-C: the caller says what happened
        raise KeyboardInterrupt from exc
    except click.exceptions.ClickException as exc:
        return fail(exc.format_message(), "", int(ExitCode.USAGE))
    return result if isinstance(result, int) else 0
