"""Options every command shares (-C, --config, --json) and the project they load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from relorch.config import Config
    from relorch.git.gateway import Git

ChdirOpt = Annotated[
    Path | None, typer.Option("-C", help="Run as if relorch was started in PATH.", metavar="PATH")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (default: relorch.toml, pyproject.toml)."),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine output on stdout, nothing else there.")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")]
EnvOpt = Annotated[str, typer.Option("--env", "-e", help="Target environment.")]
OptionalEnvOpt = Annotated[str | None, typer.Option("--env", "-e", help="Environment.")]
ApiOpt = Annotated[str | None, typer.Option("--api", help="API name (repos with several APIs).")]


@dataclass(frozen=True)
class Project:
    """A repository and its resolved config."""

    git: Git
    config: Config


def load_project(chdir: Path | None, config: Path | None) -> Project:
    """Find the repository from -C (or the cwd) and load its config."""
    from relorch.config import load_config
    from relorch.git.gateway import Git

    start = (chdir or Path.cwd()).resolve()
    git = Git.discover(start)
    config_path = None
    if config is not None:
        config_path = config if config.is_absolute() else (chdir or Path.cwd()) / config
    return Project(git=git, config=load_config(git.root, config_path))
