"""The typer application: registers the command groups and turns errors into exit codes.

The only package that imports typer (and click). One module per command group; a command
parses, loads config, calls one core function and prints. May import every other package;
nothing imports it (the demo is handed `main`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

from relorch import __version__

app = typer.Typer(
    name="relorch",
    help="Release orchestrator for HTTP APIs: majors in the URL, revisions inside a major.",
    no_args_is_help=True,
    add_completion=False,
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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """relorch: branch per past major, tag per revision, deploy a chosen tag, roll back."""


def _register() -> None:
    from relorch.cli import announce, deploy, diff, notify, release, render

    for module in (release, deploy, render, announce, notify, diff):
        module.register(app)


def _click_exceptions() -> Any:
    """click's exception classes: typer >= 0.20 vendors click as typer._click."""
    try:
        from typer._click import exceptions
    except ImportError:  # older typer uses the click package itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every expected failure becomes `error:`/`hint:` and its exit code."""
    click = _click_exceptions()

    from relorch.errors import ExitCode, RelorchError
    from relorch.output import Reporter

    _register()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="relorch", standalone_mode=False)
    except RelorchError as exc:
        from relorch.ci import annotate_error

        Reporter().error(exc.message, exc.hint)
        annotate_error(exc.message)
        return int(exc.exit_code)
    except click.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        return int(ExitCode.USAGE)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "relorch"
        Reporter().error(exc.format_message(), f"see `{command} --help`")
        return int(ExitCode.USAGE)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        Reporter().error("interrupted", "nothing was left half-written; run the command again")
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        Reporter().error(exc.format_message())
        return int(ExitCode.USAGE)
    return result if isinstance(result, int) else 0
