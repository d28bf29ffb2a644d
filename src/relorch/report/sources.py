"""Reading a repository for the report: the local clone, or a remote through a shallow cache.

A remote is read through git alone: one `ls-remote`, then (only for refs that moved since the
last run) a one-commit-deep fetch of the main branch (for the committed config), of the
revision tags and of the ledger ref into a bare cache repository. No clone, no checkout.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from relorch.config import Config, parse_config
from relorch.errors import ConfigError, GitError
from relorch.flags.load import committed_ref, read_at
from relorch.flags.model import FlagFile
from relorch.git.gateway import Git
from relorch.git.objects import ObjectStore, read_ref
from relorch.ledger.state import LedgerState
from relorch.ledger.store import Ledger
from relorch.masking import mask
from relorch.model.history import ApiHistory, build_history, tag_globs
from relorch.model.repository import main_branch
from relorch.report import viewcache
from relorch.report.build import NOTES_PER_MAJOR, RepoInputs, production_env
from relorch.report.ledgerview import LedgerView, pointed_at, view_of

FEW_TAGS = 100  # moved tags fetched by name; more are fetched by pattern


def display_name(url: str) -> str:
    """A repository's URL as the site shows it: credentials masked, no trailing slash."""
    return mask(url).rstrip("/")


def ident_of(name: str) -> str:
    """A short id that stays the same for the same repository (calendar UIDs, anchors)."""
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def read_local(git: Git, config: Config) -> RepoInputs:
    """A clone as it is now (call sync_tags and the ledger's sync first for the remote's view)."""
    url = git.config_value(f"remote.{config.remote}.url")
    name = display_name(url) if url else git.root.name
    tags = git.local_tags(tag_globs(config))
    branch = main_branch(git, config)
    histories = {n: build_history(api, tags, branch) for n, api in config.apis.items()}
    ledger_tip = read_ref(git, config.ledger_ref)
    view, state = read_ledger(git, config, ledger_tip)
    return RepoInputs(
        name=name,
        ident=ident_of(name),
        config=config,
        histories=histories,
        messages=notes_messages(git, histories),
        ledger=view,
        state=state,
        source_commit=git.resolve("HEAD"),
        ledger_tip=ledger_tip,
        env_order=_env_order_of_file(config),
        flags=_flags(git, config, committed_ref(git, config)),
    )


def notes_messages(git: Git, histories: Mapping[str, ApiHistory]) -> dict[str, str]:
    """The messages of the tags whose notes the report shows (the newest few of each major),
    read by name: reading all 2,000 tag messages of a repository took longer than the rest of
    its tags together."""
    shown = [
        rev.tag
        for history in histories.values()
        for info in history.majors
        for rev in info.revisions[-NOTES_PER_MAJOR:]
    ]
    # A tag name cannot hold a glob character (git check-ref-format), so each is matched as is.
    return git.tag_messages(shown) if shown else {}


def read_ledger(git: Git, config: Config, tip: str | None) -> tuple[LedgerView, LedgerState]:
    """The view and state of ledger commit `tip` (None: no ledger): from the cache when it was
    read before, else in one pass (an older format's state is rebuilt from the records once,
    each chunk parsed once) and kept in the cache."""
    if tip is None:
        return LedgerView(), LedgerState()
    production = production_env(config)
    path = viewcache.cache_file(git.common_dir())
    cached = viewcache.load(path, tip, production)
    if cached is not None:
        return cached[1], cached[0]
    ledger = Ledger(git, config)
    with ObjectStore(git) as store:
        snap = ledger.snapshot(tip, store)
        objects = (
            json.loads(line)
            for name in sorted(snap.chunks)
            for line in store.read_blob(snap.chunks[name].sha).decode().split("\n")
            if line.strip()
        )
        view = view_of(objects, production, pointed_at(snap.state))
    viewcache.store(path, tip, production, snap.state, view)
    return view, snap.state


def cache_repo(cache: Path, name: str) -> Git:
    """The bare cache repository of one remote (created on first use)."""
    path = cache / f"{ident_of(name)}.git"
    if not (path / "HEAD").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        Git.init_bare(path)
    return Git(path, bare=True)


def read_remote(url: str, cache: Path) -> RepoInputs:
    """A remote repository read through its cache; GitError when it cannot be reached."""
    name = display_name(url)
    git = cache_repo(cache, name)
    head, remote = git.ls_remote_all(url)
    branch = head or "main"
    main_ref = f"refs/heads/{branch}"
    if main_ref not in remote:
        raise GitError(f"{name} has no branch {branch}", hint="is it a relorch repository?")
    local = git.ref_ids(["refs/heads/", "refs/tags/", "refs/relorch/"])
    if local.get(main_ref) != remote[main_ref]:
        git.fetch_shallow(url, [f"+{main_ref}:{main_ref}"])
    config, data = _config_at(git, main_ref, name)
    env_order = _env_order(data)
    globs = tag_globs(config)
    wanted = {
        ref: sha
        for ref, sha in remote.items()
        if ref.startswith("refs/tags/") and any(fnmatchcase(ref[10:], g) for g in globs)
    }
    moved = [ref for ref, sha in sorted(wanted.items()) if local.get(ref) != sha]
    if len(moved) > FEW_TAGS:
        # git matches every explicit refspec against every ref (2,000 tags: 20 s instead of
        # 2 s), so many moved tags are fetched by one pattern each: the glob up to its first
        # `*` (a refspec takes one); tags it brings beyond the revision tags are ignored.
        prefixes = sorted({g.split("*", 1)[0] for g in globs})
        git.fetch_shallow(url, [f"+refs/tags/{p}*:refs/tags/{p}*" for p in prefixes])
    elif moved:
        git.fetch_shallow(url, [f"+{ref}:{ref}" for ref in moved])
    ledger_tip = remote.get(config.ledger_ref)
    if ledger_tip is not None and local.get(config.ledger_ref) != ledger_tip:
        git.fetch_shallow(url, [f"+{config.ledger_ref}:{config.ledger_ref}"])
    # Only what the remote lists counts: a tag deleted there may linger in the cache.
    tags = [t for t in git.local_tags(globs) if f"refs/tags/{t.name}" in wanted]
    histories = {n: build_history(api, tags, branch) for n, api in config.apis.items()}
    view, state = LedgerView(), LedgerState()
    if ledger_tip is not None:  # (the cache may hold a ledger the remote no longer has)
        view, state = read_ledger(git, config, read_ref(git, config.ledger_ref))
    return RepoInputs(
        name=name,
        ident=ident_of(name),
        config=config,
        histories=histories,
        messages=notes_messages(git, histories),
        ledger=view,
        state=state,
        source_commit=remote[main_ref],
        ledger_tip=ledger_tip,
        env_order=env_order,
        flags=_flags(git, config, main_ref),
    )


def _env_order(data: dict[str, Any]) -> tuple[str, ...]:
    table = data.get("environments")
    return tuple(table) if isinstance(table, dict) else ()


def _env_order_of_file(config: Config) -> tuple[str, ...]:
    """The environments' order in the config file the Config was loaded from."""
    if config.source is None:
        return ()
    try:
        data = tomllib.loads(config.source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    if config.source.name == "pyproject.toml":
        data = data.get("tool", {}).get("relorch", {})
    return _env_order(data) if isinstance(data, dict) else ()


def _config_at(git: Git, ref: str, name: str) -> tuple[Config, dict[str, Any]]:
    """The config committed at `ref`: relorch.toml, else [tool.relorch] of pyproject.toml."""
    for path, section in (("relorch.toml", None), ("pyproject.toml", "relorch")):
        text = git.show_file(ref, path)
        if text is None:
            continue
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{name}: {path}: {exc}") from None
        if section is not None:
            tool = data.get("tool", {})
            if not isinstance(tool, dict) or not isinstance(tool.get(section), dict):
                continue
            data = tool[section]
        return parse_config(data, root=git.root, source=Path(f"{name}:{path}")), data
    raise ConfigError(
        f"{name}: no relorch.toml or [tool.relorch] on its main branch",
        hint="is it a relorch repository?",
    )


def _flags(git: Git, config: Config, rev: str) -> tuple[FlagFile, ...]:
    """Each API's flag file as committed at `rev` (the main branch), where it has one."""
    return tuple(f for api in config.apis.values() if (f := read_at(git, config, api, rev)))
