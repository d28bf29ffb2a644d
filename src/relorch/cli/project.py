"""The global options' values and the project a command loads: no typer here, so the commands
`cli.quick` runs without typer (release, plan) import only this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from relorch.config import Config
    from relorch.git.gateway import Git


@dataclass
class GlobalOptions:
    """What -C, --config, --json and --no-color said, wherever they were given."""

    chdir: Path | None = None
    config: Path | None = None
    json: bool = False
    no_color: bool = False


class Project(NamedTuple):
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


def load_governed(chdir: Path | None, config: Path | None, *, from_worktree: bool) -> Project:
    """The project with the config that governs deploys: the one committed on the main branch
    as the remote has it (refused when the working tree's policy differs, unless asked)."""
    from relorch.model.committed import governing_config

    project = load_project(chdir, config)
    governed = governing_config(project.git, project.config, from_worktree=from_worktree)
    return Project(git=project.git, config=governed)


def parse_now(text: str | None) -> datetime:
    """--now TIME (ISO 8601; without a zone, UTC), or the clock."""
    from relorch.errors import UsageError

    if text is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO 8601 time",
            hint="e.g. --now 2026-09-01 or --now 2026-09-01T12:00:00Z",
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def relative_to(path: Path, chdir: Path | None) -> Path:
    """Relative paths are relative to -C PATH when given (as if relorch was started there)."""
    return path if path.is_absolute() or chdir is None else chdir / path
