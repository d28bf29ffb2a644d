"""CLI: `relorch completion SHELL`, the shell completion script for bash, zsh or fish."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Shell(StrEnum):
    """The shells relorch completes in."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")],
) -> int:
    """Print the completion script: eval "$(relorch completion bash)" (see the README)."""
    # typer's own scripts and protocol (pinned below 0.29 in pyproject.toml); typer exposes
    # them only through --install-completion, which guesses the shell and edits rc files.
    from typer._completion_classes import completion_init
    from typer._completion_shared import get_completion_script

    from relorch.cli.quick import COMPLETE_VAR

    completion_init()
    script = get_completion_script(
        prog_name="relorch", complete_var=COMPLETE_VAR, shell=shell.value
    )
    print(script.strip())
    return 0


def register(app: typer.Typer) -> None:
    """Add `completion`."""
    app.command("completion")(completion)
