"""Options every command shares (-C, --config, --json, --no-color) and the project they load.

The global options are accepted before the command (`relorch -C DIR status`, as git takes
them) and after it (`relorch status -C DIR`). The root callback and each command's own option
store into one `GlobalOptions` object (the click context's `obj`); a command's option value is
merged with it by the option's callback, so a command only declares `JsonOpt`, `ChdirOpt`,
`ConfigOpt` as usual and sees the value wherever the user typed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from relorch.cli.project import GlobalOptions, load_project


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The invocation's global options (created on first use)."""
    return ctx.ensure_object(GlobalOptions)


def merge_chdir(ctx: typer.Context, value: Path | None) -> Path | None:
    """-C PATH: the last one given wins."""
    options = global_options(ctx)
    if value is not None:
        options.chdir = value
    return options.chdir


def merge_config(ctx: typer.Context, value: Path | None) -> Path | None:
    """--config FILE: the last one given wins."""
    options = global_options(ctx)
    if value is not None:
        options.config = value
    return options.config


def merge_json(ctx: typer.Context, value: bool) -> bool:
    """--json before or after the command."""
    options = global_options(ctx)
    options.json = options.json or bool(value)
    return options.json


def merge_no_color(ctx: typer.Context, value: bool) -> bool:
    """--no-color: no ANSI colours in this invocation, whatever the terminal."""
    from relorch.output import NO_COLOUR

    options = global_options(ctx)
    if value and not options.no_color:
        options.no_color = True
        NO_COLOUR.set(True)
    return options.no_color


CHDIR_HELP = "Run as if relorch was started in PATH."
CONFIG_HELP = "Config file (default: relorch.toml, pyproject.toml)."
JSON_HELP = "Machine output on stdout, nothing else there (errors too)."
NO_COLOR_HELP = "No colours (NO_COLOR=1 does the same)."

ChdirOpt = Annotated[
    Path | None, typer.Option("-C", help=CHDIR_HELP, metavar="PATH", callback=merge_chdir)
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help=CONFIG_HELP, callback=merge_config)
]
JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP, callback=merge_json)]
NoColorOpt = Annotated[
    bool, typer.Option("--no-color", help=NO_COLOR_HELP, callback=merge_no_color)
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")]


def complete_environment(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of --env: the environments of the config -C/--config point at."""
    from relorch.errors import RelorchError

    options = ctx.find_object(GlobalOptions) or GlobalOptions()
    chdir = ctx.params.get("chdir") or options.chdir
    config = ctx.params.get("config") or options.config
    try:
        project = load_project(chdir, config)
    except RelorchError:
        return []  # no repository or no valid config here: nothing to offer
    return sorted(name for name in project.config.environments if name.startswith(incomplete))


EnvOpt = Annotated[
    str,
    typer.Option("--env", "-e", help="Target environment.", autocompletion=complete_environment),
]
OptionalEnvOpt = Annotated[
    str | None,
    typer.Option("--env", "-e", help="Environment.", autocompletion=complete_environment),
]
WorktreeConfigOpt = Annotated[
    bool,
    typer.Option(
        "--config-from-worktree",
        help="Take the policy from the config file here, not the one committed on the main "
        "branch (recorded in the ledger).",
    ),
]
ApiOpt = Annotated[str | None, typer.Option("--api", help="API name (repos with several APIs).")]
RefArg = Annotated[
    str, typer.Argument(metavar="REF", help="v2, v2@rev4, v2@current, v2@previous or a tag name.")
]
