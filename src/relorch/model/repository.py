"""Repository facts every command shares: the main branch, syncing with the remote, histories."""

from __future__ import annotations

from dataclasses import dataclass

from relorch.config import Config
from relorch.git.gateway import Git
from relorch.model.history import ApiHistory, build_history, tag_globs


@dataclass(frozen=True)
class Remote:
    """The configured remote, or None-equivalent when the repository has none (local mode)."""

    name: str
    present: bool


def remote_of(git: Git, config: Config) -> Remote:
    """The configured remote and whether it exists (no remote = local-only mode)."""
    return Remote(config.remote, git.has_remote(config.remote))


def main_branch(git: Git, config: Config) -> str:
    """config main_branch, else the remote's HEAD branch, else "main" (README: Configuration)."""
    if config.main_branch:
        return config.main_branch
    return git.remote_head_branch(config.remote) or "main"


def sync_tags(git: Git, config: Config) -> None:
    """Fetch the remote's branches and tags (never clobbering a local tag); no-op without remote."""
    if not remote_of(git, config).present:
        return
    git.run(
        "fetch",
        "--quiet",
        "--tags",
        "--prune",
        config.remote,
        f"+refs/heads/*:refs/remotes/{config.remote}/*",
        network=True,
    )


def histories(git: Git, config: Config) -> dict[str, ApiHistory]:
    """Every API's history from the local tags (call sync_tags first for the remote's view)."""
    tags = git.local_tags(tag_globs(config))
    branch = main_branch(git, config)
    return {name: build_history(api, tags, branch) for name, api in config.apis.items()}


def line_ref(git: Git, config: Config, line: str) -> str:
    """The ref to trust for a release line: the remote-tracking branch when there is a remote."""
    if remote_of(git, config).present:
        return f"refs/remotes/{config.remote}/{line}"
    return f"refs/heads/{line}"
