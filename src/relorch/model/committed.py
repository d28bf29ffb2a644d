"""The config that governs deploys: the one committed on the main branch as the remote has it."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from relorch.config import Config, parse_config
from relorch.errors import ConfigError, PreconditionError
from relorch.git.gateway import Git
from relorch.model.repository import main_branch, remote_of, sync_tags

WORKTREE_HINT = "or pass --config-from-worktree to use the file here (recorded in the ledger)"


def governing_config(git: Git, config: Config, *, from_worktree: bool = False) -> Config:
    """The committed config (same loader, same checks) when its policy is the working tree's,
    or when this checkout is an older published commit; a working-tree or unpushed edit of the
    policy is refused (exit 3) unless `from_worktree`, which is then recorded."""
    remote = remote_of(git, config)
    if remote.present:
        sync_tags(git, config)
    main = main_branch(git, config)
    where = f"{config.remote}/{main}" if remote.present else "HEAD"
    ref = f"refs/remotes/{config.remote}/{main}" if remote.present else "HEAD"
    if from_worktree:
        return replace(config, commit=git.resolve("HEAD"), from_worktree=True)
    commit = git.resolve(ref)
    path = _relative(git, config)
    if commit is None:
        raise PreconditionError(
            f"there is no {where} to read the committed config from",
            hint=f"push {main} first ({WORKTREE_HINT})",
        )
    text = git.show_file(commit, path)
    if text is None:
        raise PreconditionError(
            f"{path} is not committed on {where}: deploys follow the committed config",
            hint=f"commit it and push it to {main}, {WORKTREE_HINT}",
        )
    committed = replace(_parse(text, path, where, config), commit=commit)
    differing = _differences(config, committed)
    if not differing:
        return committed
    if _published(git, config, path, remote.present):
        return committed  # an older published checkout (a tag's CI job): main's policy governs
    raise PreconditionError(
        f"the policy in {path} differs from the one committed on {where} "
        f"({', '.join(differing[:3])}{' …' if len(differing) > 3 else ''}): deploys follow the "
        "committed policy",
        hint=f"commit the change and push it to {main}, {WORKTREE_HINT}",
    )


def _relative(git: Git, config: Config) -> str:
    source = config.source
    try:
        if source is None:
            raise ValueError
        return source.resolve().relative_to(git.root.resolve()).as_posix()
    except ValueError:
        raise PreconditionError(
            f"the config {source} is outside the repository: deploys follow committed config",
            hint=f"commit the config in the repository, {WORKTREE_HINT}",
        ) from None


def _parse(text: str, path: str, where: str, config: Config) -> Config:
    name = f"{where}:{path}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from None
    if Path(path).name == "pyproject.toml":
        data = data.get("tool", {}).get("relorch", {})
    committed = parse_config(data, root=config.root, source=Path(name))
    return replace(committed, source=config.source)


def _differences(config: Config, committed: Config) -> list[str]:
    mine, theirs = config.policy(), committed.policy()
    return sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))


def _published(git: Git, config: Config, path: str, has_remote: bool) -> bool:
    """The file is HEAD's, unedited, and HEAD is on the remote (a tag's or an old line's CI job)."""
    if not has_remote or config.source is None:
        return False
    head = git.resolve("HEAD")
    committed = git.show_file("HEAD", path) if head else None
    try:
        here = config.source.read_text(encoding="utf-8")
    except OSError:
        return False
    return committed == here and head is not None and git.on_remote(head, config.remote)
