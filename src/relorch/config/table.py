"""One TOML table under validation: typed reads, errors naming file, key and expected type."""

from __future__ import annotations

from typing import Any

from relorch.durations import Duration, parse_duration
from relorch.errors import ConfigError


class Table:
    """One TOML table being validated: every read is typed, leftovers are unknown keys."""

    def __init__(self, data: Any, where: str, source: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {where} must be a table, got {kind_of(data)}")
        self.data = dict(data)
        self.where = where
        self.source = source

    def _fail(self, key: str, expected: str, value: Any = None) -> ConfigError:
        got = f", got {kind_of(value)} {value!r}" if value is not None else ""
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


def kind_of(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)
