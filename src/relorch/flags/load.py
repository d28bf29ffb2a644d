"""Finding and reading an API's flag file: in the working tree, or at a commit (what deploys and
publishes use: the main branch as the remote has it)."""

from __future__ import annotations

from relorch.config import ApiConfig, Config
from relorch.errors import ConfigError, OperationalError
from relorch.flags.flagdfile import check_flagd
from relorch.flags.model import FlagFile
from relorch.flags.source import parse_flags
from relorch.flags.text import parse_text
from relorch.git.gateway import Git
from relorch.model.repository import line_ref, main_branch


def candidates(api: ApiConfig) -> list[str]:
    """Where the API's flags may live: the configured path, else flags/<api>.yaml|.yml|.json."""
    if api.flags:
        return [api.flags]
    return [f"flags/{api.name}.{ext}" for ext in ("yaml", "yml", "json")]


def parse_file(
    text: str, path: str, api: str, config: Config, *, commit: str | None, modified: bool = False
) -> FlagFile:
    """A flag file's text, validated: relorch's format (YAML) or plain flagd (JSON)."""
    if path.endswith(".json"):
        document = check_flagd(parse_text(text, path, json_only=True), path)
        return FlagFile(api, path, flagd=document, commit=commit, modified=modified)
    flags = parse_flags(parse_text(text, path), path, api, config)
    return FlagFile(api, path, flags=flags, commit=commit, modified=modified)


def read_worktree(git: Git, config: Config, api: ApiConfig) -> FlagFile | None:
    """The API's flags as the working tree has them; None when it has no flag file."""
    for path in candidates(api):
        file = git.root / path
        if not file.is_file():
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
        commit = git.resolve("HEAD")
        committed = git.show_file(commit, path) if commit else None
        return parse_file(text, path, api.name, config, commit=commit, modified=committed != text)
    if api.flags:
        raise ConfigError(
            f"apis.{api.name}.flags: {api.flags} does not exist",
            hint="create it, or remove the setting",
        )
    return None


def read_at(git: Git, config: Config, api: ApiConfig, rev: str) -> FlagFile | None:
    """The API's flags at commit `rev`; None when that commit has no flag file."""
    commit = git.resolve(rev)
    if commit is None:
        raise OperationalError(f"{rev} names no commit", hint="fetch, or name another commit")
    for path in candidates(api):
        text = git.show_file(commit, path)
        if text is not None:
            return parse_file(text, path, api.name, config, commit=commit)
    return None


def committed_ref(git: Git, config: Config) -> str:
    """The main branch as the remote has it (fetched by the caller), else the local one."""
    ref = line_ref(git, config, main_branch(git, config))
    if git.resolve(ref) is None:
        return "HEAD"
    return ref


def read(git: Git, config: Config, api: ApiConfig, rev: str | None) -> FlagFile | None:
    """`rev` None: the working tree; otherwise that commit."""
    return read_worktree(git, config, api) if rev is None else read_at(git, config, api, rev)
