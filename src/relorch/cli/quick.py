"""The invocations CI runs on every pipeline (`relorch release --revision`, `relorch plan`,
`relorch status`, `relorch render KIND`), parsed and run without typer.

Importing typer (with its click) and building the command took about 26 ms of the 0.15 s a
release takes at 2,000 tags. `parse` accepts only an exact, plain invocation of a command
listed in COMMANDS: global options before the command, the command's own options after it,
each option spelled as declared (`--api NAME`, `-e NAME`, or `--api=NAME` for a long one),
no positional word but the one argument a command takes (render's KIND|TEMPLATE), no
`--help`. For anything else, a word it does not know included, it returns None and typer
parses the whole invocation, so every usage error, every help text and every completion is
still typer's. The tables below must say what the typer declarations say;
tests/cli/test_quick.py checks them against the click commands typer builds, and that both
paths hand the command the same arguments.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from relorch.cli.project import GlobalOptions

COMPLETE_VAR = "_RELORCH_COMPLETE"
INIT_LEDGER_HELP = (
    "Where the remote lost the deploy ledger (gone, or fewer records than this clone's copy), "
    "set this clone's copy aside under refs/relorch/set-aside/ and go on with the remote's "
    "(a new ledger when it has none). Without it that is an error."
)


class Command(NamedTuple):
    """One command's options: flag -> parameter, option taking a value -> parameter; its
    typer-free body (a function of `relorch.cli.<module>`, imported when it runs); the
    parameter of its one positional argument (required) if it has one; the parameters whose
    value is a path."""

    flags: Mapping[str, str]
    values: Mapping[str, str]
    run: tuple[str, str]
    positional: str | None = None
    paths: frozenset[str] = frozenset()


# Accepted before the command (the root callback) and after it (every command).
GLOBAL_FLAGS = {"--json": "json_out", "--no-color": "no_color"}
GLOBAL_VALUES = {"-C": "chdir", "--config": "config"}
# Accepted after the command only: cli.app adds --init-ledger to every command.
COMMAND_FLAGS = {"--init-ledger": "init_ledger"}

COMMANDS = {
    "release": Command(
        flags={"--revision": "revision", "--major": "major", "--dry-run": "dry_run"},
        values={"--api": "api"},
        run=("releasing", "release"),
    ),
    "plan": Command(
        flags={}, values={"--api": "api", "--branch": "branch"}, run=("releasing", "plan")
    ),
    "status": Command(
        flags={"--semver": "semver", "--no-fetch": "no_fetch"},
        values={"--env": "env", "-e": "env"},
        run=("reading", "status"),
    ),
    "render": Command(
        flags={"--no-fetch": "no_fetch", "--dry-run": "dry_run"},
        values={
            "--env": "env",
            "-e": "env",
            "-o": "output",
            "--output": "output",
            "--service": "service",
            "--now": "now",
        },
        run=("reading", "render"),
        positional="what",
        paths=frozenset({"output"}),
    ),
}


class Call(NamedTuple):
    """A parsed invocation: the command's function and its arguments."""

    name: str
    kwargs: dict[str, object]
    init_ledger: bool = False
    no_color: bool = False

    def __call__(self) -> int:
        if self.no_color:
            from relorch.output import NO_COLOUR

            NO_COLOUR.set(True)
        start_new_ledger(self.init_ledger)
        # Without the cyclic collector for the command (as Mercurial's `util.nogc` does): its
        # imports and tag listings allocate many objects and free them by reference count;
        # the collector's passes over them cost 2-4 ms of a 0.13 s release (measured).
        enabled = gc.isenabled()
        gc.disable()
        try:
            module, function = COMMANDS[self.name].run
            body = getattr(importlib.import_module(f"relorch.cli.{module}"), function)
            result: int = body(**self.kwargs)
            return result
        finally:
            if enabled:
                gc.enable()


def start_new_ledger(value: bool) -> None:
    """--init-ledger: this invocation may set aside a local ledger the remote lost."""
    if value:
        from relorch.ledger.store import START_NEW_LEDGER

        START_NEW_LEDGER.set(True)


def parse(args: Sequence[str], options: GlobalOptions) -> Call | None:
    """The call `args` make when they are a plain invocation of a command in COMMANDS (the
    global options' values also stored in `options`); None otherwise."""
    words = list(args)
    seen: dict[str, object] = {}
    command: Command | None = None
    name = ""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if command is None and not word.startswith("-"):
            if word not in COMMANDS:
                return None
            name, command = word, COMMANDS[word]
            continue
        if command is not None and not word.startswith("-"):
            if command.positional is None or command.positional in seen:
                return None  # a word the command does not take: typer says so
            seen[command.positional] = word
            continue
        option, equals, inline = word.partition("=")
        if equals and not option.startswith("--"):
            return None  # click reads `-e=x` as the value "=x"
        flags = {**GLOBAL_FLAGS, **(COMMAND_FLAGS if command else {})}
        values = dict(GLOBAL_VALUES)
        if command is not None:
            flags.update(command.flags)
            values.update(command.values)
        if option in flags and not equals:
            seen[flags[option]] = True
            continue
        if option not in values:
            return None  # --help, --version, `--`, an unknown option or a positional word
        if equals:
            value = inline
        elif index < len(words):
            value = words[index]
            index += 1
        else:
            return None
        if not value or value.startswith("-"):
            return None  # typer's reading of such a value is typer's to give
        seen[values[option]] = value
    if command is None or (command.positional is not None and command.positional not in seen):
        return None
    kwargs: dict[str, object] = {param: False for param in command.flags.values()}
    kwargs.update({param: None for param in command.values.values()})
    if command.positional is not None:
        kwargs[command.positional] = None  # given (checked above): set with the rest below
    kwargs.update((param, given) for param, given in seen.items() if param in kwargs)
    for param in command.paths:
        if kwargs[param] is not None:
            kwargs[param] = Path(str(kwargs[param]))
    options.chdir = Path(str(seen["chdir"])) if "chdir" in seen else None
    options.config = Path(str(seen["config"])) if "config" in seen else None
    options.json = bool(seen.get("json_out"))
    options.no_color = bool(seen.get("no_color"))
    kwargs.update(json_out=options.json, chdir=options.chdir, config=options.config)
    return Call(name, kwargs, bool(seen.get("init_ledger")), options.no_color)
