"""Loading config: find relorch.toml or [tool.relorch], validate every key, resolve a Config."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relorch.config.model import GATE_LEVELS, ChannelConfig, Config, GateConfig, SupportConfig
from relorch.config.sections import parse_apis, parse_channels, parse_environments
from relorch.config.table import Recorder, Table
from relorch.durations import Duration
from relorch.errors import ConfigError
from relorch.masking import register, register_url
from relorch.versions import is_valid_refname


def find_config_file(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """relorch.toml at the root, else [tool.relorch] of pyproject.toml; None when neither."""
    candidate = root / "relorch.toml"
    if candidate.is_file():
        return candidate, _read_toml(candidate)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        if isinstance(tool, dict) and isinstance(tool.get("relorch"), dict):
            return pyproject, tool["relorch"]
    return None


def load_config(root: Path, path: Path | None = None) -> Config:
    """Read, validate and resolve the config of the repository at `root`."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("relorch", {})
        found: tuple[Path, dict[str, Any]] | None = (path, data)
    else:
        found = find_config_file(root)
    if found is None:
        raise ConfigError(
            f"no relorch.toml or [tool.relorch] in pyproject.toml at {root}",
            hint="run `relorch init` to write a commented starter config",
        )
    return parse_config(found[1], root=root, source=found[0])


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def parse_config(
    data: dict[str, Any],
    *,
    root: Path,
    source: Path | None = None,
    recorder: Recorder | None = None,
) -> Config:
    """Validate a config mapping and resolve it into a Config (`recorder`: see config.schema)."""
    name = str(source) if source else "config"
    top = Table(data, "", name, recorder=recorder)
    main_branch = top.text("main_branch")
    remote = top.text("remote", "origin") or "origin"
    ledger_ref = top.text("ledger_ref", "refs/relorch/ledger") or "refs/relorch/ledger"
    for key, value in (("main_branch", main_branch), ("remote", remote)):
        if value is not None and not is_valid_refname(value):
            raise ConfigError(f"{name}: {key} {value!r} is not a valid git name")
    if not ledger_ref.startswith("refs/") or not is_valid_refname(ledger_ref[5:]):
        raise ConfigError(f"{name}: ledger_ref must be a ref below refs/, got {ledger_ref!r}")
    apis = parse_apis(top.table("apis"))
    support_table = top.table("support")
    explicit_live_env = "live_env" in support_table.data
    support = SupportConfig(
        previous_majors=support_table.integer("previous_majors", 1),
        deprecation_period=support_table.duration("deprecation_period", Duration(months=6)),
        reminder_before=support_table.duration("reminder_before", Duration(seconds=28 * 86400)),
        migration_guide=_web_url(name, support_table.text("migration_guide")),
        live_env=support_table.text("live_env", "production") or "production",
    )
    support_table.done()
    gate = _parse_gate(top.table("gate"))
    channels = parse_channels(top.table("channels"))
    environments = parse_environments(top.table("environments"), channels)
    if explicit_live_env and environments and support.live_env not in environments:
        raise ConfigError(
            f"{name}: support.live_env names unknown environment {support.live_env!r}",
            hint="environments: " + ", ".join(sorted(environments)),
        )
    top.done()
    _register_channel_secrets(channels.values())
    return Config(
        root=root,
        source=source,
        apis=apis,
        main_branch=main_branch,
        remote=remote,
        ledger_ref=ledger_ref,
        support=support,
        channels=channels,
        environments=environments,
        gate=gate,
    )


def _register_channel_secrets(channels: Iterable[ChannelConfig]) -> None:
    """Mask the configured channels' URLs and signing secrets from the start of every command,
    not only of the ones that announce: a `hold --reason` quoting a webhook URL is written to
    the ledger masked too (values are read, not checked: resolving a channel checks them)."""
    for channel in channels:
        if channel.url_env and os.environ.get(channel.url_env, "").strip():
            register_url(os.environ[channel.url_env].strip())
        if channel.secret_env:
            register(os.environ.get(channel.secret_env, "").strip() or None)


def _web_url(source: str, url: str | None) -> str | None:
    """[support] migration_guide goes into Link headers and messages people click: an
    http(s) URL with a host, nothing else (no javascript:, data:, file:)."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigError(
            f"{source}: support.migration_guide must be an http(s) URL, got {url!r}",
            hint='e.g. migration_guide = "https://developer.example.net/migrate"',
        )
    return url


def _parse_gate(table: Table) -> GateConfig:
    """[gate] and [gate.rules]: levels are checked here, rule ids where the gate runs."""
    fail_on = table.choice("fail_on", GATE_LEVELS[:2], "breaking")
    ignore_file = table.text("ignore_file", GateConfig.ignore_file) or GateConfig.ignore_file
    if ignore_file.startswith(("/", "-")) or ".." in ignore_file.split("/"):
        raise ConfigError(f"{table.source}: gate.ignore_file {ignore_file!r} must stay in the repo")
    rules = table.table("rules")
    levels = tuple(rules.levels(GATE_LEVELS).items())
    table.done()
    return GateConfig(fail_on, levels, ignore_file, table.source)
