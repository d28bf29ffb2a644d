"""Configuration: find relorch.toml / [tool.relorch], validate every key, resolve frozen objects."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from relorch.durations import Duration, parse_duration
from relorch.errors import ConfigError
from relorch.versions import (
    API_NAME,
    DEFAULT_BRANCH_FORMAT,
    DEFAULT_TAG_FORMAT,
    MULTI_BRANCH_FORMAT,
    SEMVER_TAG_FORMAT,
    TagScheme,
    check_template,
    is_valid_refname,
)

CHANNEL_KINDS = ("slack", "teams", "webhook", "console", "file")
SCHEMES = ("Segment", "Header", "Query")


@dataclass(frozen=True)
class ApimConfig:
    """[apis.<name>.apim]: how the API appears in Azure API Management."""

    service: str | None = None
    display_name: str | None = None
    description: str | None = None
    path: str | None = None
    versioning_scheme: str = "Segment"
    version_header: str = "X-Version"
    version_query: str = "api-version"
    service_url: str | None = None
    gateway_url: str | None = None
    protocols: tuple[str, ...] = ("https",)
    subscription_required: bool = True
    keep_revisions: int = 2


@dataclass(frozen=True)
class ApiConfig:
    """[apis.<name>]: one API product of the repository."""

    name: str
    tag_format: str
    branch_format: str
    paths: tuple[str, ...] = (".",)
    spec: str | None = None
    checks: tuple[tuple[str, ...], ...] = ()
    apim: ApimConfig = field(default_factory=ApimConfig)

    @property
    def scheme(self) -> TagScheme:
        """Tag and branch naming of this API."""
        return TagScheme(self.name, self.tag_format, self.branch_format)


@dataclass(frozen=True)
class SupportConfig:
    """[support]: the deprecation policy (SPEC §8)."""

    previous_majors: int = 1
    deprecation_period: Duration = Duration(months=6)
    reminder_before: Duration = Duration(seconds=4 * 7 * 86400)
    migration_guide: str | None = None


@dataclass(frozen=True)
class ChannelConfig:
    """[channels.<name>]: where announcements go; URLs and secrets only via env variables."""

    name: str
    kind: str
    url_env: str | None = None
    secret_env: str | None = None
    path: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class EnvironmentConfig:
    """[environments.<name>]: a deploy target."""

    name: str
    deploy: tuple[str, ...] | None = None
    promote_from: str | None = None
    announce: tuple[str, ...] = ()
    notice: Duration = Duration()
    announce_failure: str = "block"
    lock_timeout: Duration = Duration(seconds=2 * 3600)
    timeout: Duration = Duration(seconds=30 * 60)
    apim: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole resolved configuration of one repository."""

    root: Path
    source: Path | None
    apis: dict[str, ApiConfig]
    main_branch: str | None = None  # None: the remote's HEAD branch, else "main"
    remote: str = "origin"
    ledger_ref: str = "refs/relorch/ledger"
    support: SupportConfig = SupportConfig()
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    environments: dict[str, EnvironmentConfig] = field(default_factory=dict)

    def api(self, name: str | None) -> ApiConfig:
        """The named API, or the only one when `name` is None."""
        if name is None:
            if len(self.apis) == 1:
                return next(iter(self.apis.values()))
            raise ConfigError(
                "this repository has several APIs: " + ", ".join(self.apis),
                hint="name one with --api NAME or in the REF (products/v2)",
            )
        if name not in self.apis:
            raise ConfigError(f"no API named {name!r}", hint="APIs: " + ", ".join(self.apis))
        return self.apis[name]

    def environment(self, name: str) -> EnvironmentConfig:
        """The named environment; unknown names are usage errors."""
        if name not in self.environments:
            known = ", ".join(self.environments) or "none configured"
            raise ConfigError(f"no environment named {name!r}", hint=f"environments: {known}")
        return self.environments[name]

    def apim_for(self, api: ApiConfig, env: str | None) -> ApimConfig:
        """The API's APIM settings with the environment's overrides applied."""
        if env is None or env not in self.environments:
            return api.apim
        return replace(api.apim, **self.environments[env].apim)


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


class Table:
    """One TOML table being validated: every read is typed, leftovers are unknown keys."""

    def __init__(self, data: Any, where: str, source: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {where} must be a table, got {_kind(data)}")
        self.data = dict(data)
        self.where = where
        self.source = source

    def _fail(self, key: str, expected: str, value: Any = None) -> ConfigError:
        got = f", got {_kind(value)} {value!r}" if value is not None else ""
        return ConfigError(f"{self.source}: {self._key(key)} must be {expected}{got}")

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.pop(key, default)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string", value)
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in options:
            raise self._fail(key, "one of " + ", ".join(options), value)
        return value

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        value = self.data.pop(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(key, f"a whole number >= {minimum}", value)
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.pop(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def strings(self, key: str, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
        value = self.data.pop(key, default)
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings", value)
        return tuple(value)

    def argv_lists(self, key: str) -> tuple[tuple[str, ...], ...]:
        value = self.data.pop(key, [])
        ok = isinstance(value, list) and all(
            isinstance(v, list) and v and all(isinstance(a, str) for a in v) for v in value
        )
        if not ok:
            raise self._fail(key, 'a list of argv lists, e.g. [["pytest", "tests"]]', value)
        return tuple(tuple(v) for v in value)

    def duration(self, key: str, default: Duration) -> Duration:
        value = self.data.pop(key, None)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ConfigError(f"{self.source}: {self._key(key)} must be {exc}") from None

    def table(self, key: str) -> Table:
        return Table(self.data.pop(key, {}), self._key(key), self.source)

    def done(self) -> None:
        if self.data:
            key = sorted(self.data)[0]
            raise ConfigError(
                f"{self.source}: unknown key {self._key(key)!r}",
                hint="check the spelling; every key is listed in the README (Configuration)",
            )


def _kind(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)


def parse_config(data: dict[str, Any], *, root: Path, source: Path | None = None) -> Config:
    """Validate a config mapping and resolve it into a Config."""
    from relorch.config_sections import parse_apis, parse_channels, parse_environments

    name = str(source) if source else "config"
    top = Table(data, "", name)
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
    support = SupportConfig(
        previous_majors=support_table.integer("previous_majors", 1),
        deprecation_period=support_table.duration("deprecation_period", Duration(months=6)),
        reminder_before=support_table.duration("reminder_before", Duration(seconds=28 * 86400)),
        migration_guide=support_table.text("migration_guide"),
    )
    support_table.done()
    channels = parse_channels(top.table("channels"))
    environments = parse_environments(top.table("environments"), channels)
    top.done()
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
    )


APIM_KEYS = {f.name for f in fields(ApimConfig)}
__all__ = [
    "API_NAME",
    "CHANNEL_KINDS",
    "DEFAULT_BRANCH_FORMAT",
    "DEFAULT_TAG_FORMAT",
    "MULTI_BRANCH_FORMAT",
    "SCHEMES",
    "SEMVER_TAG_FORMAT",
    "check_template",
]
