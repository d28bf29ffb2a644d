"""The flags of a whole repository: every API's file, read once, for the commands."""

from __future__ import annotations

from relorch.config import Config
from relorch.errors import ConfigError
from relorch.flags.load import candidates, read
from relorch.flags.model import FlagFile
from relorch.flags.render import RenderedFlags, render_flags
from relorch.flags.requires import Current
from relorch.git.gateway import Git


def load_all(git: Git, config: Config, api: str | None, rev: str | None) -> list[FlagFile]:
    """The flag files of `api` (every API when None) that exist; `rev` None: working tree."""
    apis = [config.api(api)] if api is not None else list(config.apis.values())
    return [f for a in apis if (f := read(git, config, a, rev)) is not None]


def load_one(git: Git, config: Config, api: str | None, rev: str | None) -> FlagFile:
    """The flag file of one API (the only one when `api` is None); a usage error when absent."""
    chosen = config.api(api)
    source = read(git, config, chosen, rev)
    if source is None:
        where = f"at {rev}" if rev else "in the working tree"
        raise ConfigError(
            f"{chosen.name} has no flag file {where} ({' or '.join(candidates(chosen))})",
            hint="write flags/" + chosen.name + ".yaml (see docs/flags.md)",
        )
    return source


def render_env(source: FlagFile, env: str, current: Current) -> RenderedFlags:
    """The flagd file of `source` for `env` (the environment checked against the config)."""
    return render_flags(source, env, current)
