"""One TOML table under validation: typed reads, errors naming file, key and expected type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from relorch.durations import Duration, parse_duration
from relorch.errors import ConfigError

TablePath = tuple[str, ...]  # a table's place in the config, "*" standing for any name


class Recorder:
    """What the loader reads, table by table: the source of the config's JSON Schema
    (relorch.config.schema), so a key the loader reads is in the schema without a second list."""

    def __init__(self) -> None:
        self.tables: dict[TablePath, dict[str, Any]] = {}

    def node(self, path: TablePath) -> dict[str, Any]:
        """The record of one table: its keys, or the pattern of its names."""
        return self.tables.setdefault(path, {"keys": {}, "names": None, "required": set()})

    def key(self, path: TablePath, key: str, fragment: dict[str, Any]) -> None:
        """`key` of the table at `path` holds values described by `fragment`."""
        self.node(path)["keys"].setdefault(key, fragment)


class Table:
    """One TOML table being validated: every read is typed, leftovers are unknown keys."""

    def __init__(
        self,
        data: Any,
        where: str,
        source: str,
        *,
        recorder: Recorder | None = None,
        path: TablePath = (),
    ) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {where} must be a table, got {kind_of(data)}")
        self.data = dict(data)
        self.where = where
        self.source = source
        self.recorder = recorder
        self.path = path
        if recorder is not None:
            recorder.node(path)

    def _note(self, key: str, fragment: dict[str, Any], default: Any = None) -> None:
        if self.recorder is not None:
            if default is not None:
                fragment = {**fragment, "default": default}
            self.recorder.key(self.path, key, fragment)

    def _fail(self, key: str, expected: str, value: Any = None) -> ConfigError:
        got = f", got {kind_of(value)} {value!r}" if value is not None else ""
        return ConfigError(f"{self.source}: {self._key(key)} must be {expected}{got}")

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _no_nul(self, key: str, *values: str) -> None:
        # A NUL cannot reach git, a program's argv or a file name: refuse it here, naming the
        # key, rather than fail somewhere later with a traceback.
        if any("\x00" in v for v in values):
            raise ConfigError(f"{self.source}: {self._key(key)} contains a NUL character")

    def text(self, key: str, default: str | None = None) -> str | None:
        self._note(key, {"type": "string"}, default)
        value = self.data.pop(key, default)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string", value)
        if value is not None:
            self._no_nul(key, value)
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        self._note(key, {"enum": list(options)}, default)
        value = self.text(key, default)
        if value not in options:
            raise self._fail(key, "one of " + ", ".join(options), value)
        return value

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        self._note(key, {"type": "integer", "minimum": minimum}, default)
        value = self.data.pop(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(key, f"a whole number >= {minimum}", value)
        return value

    def number(self, key: str, default: float, minimum: float, maximum: float) -> float:
        """An integer or float in [minimum, maximum], as a float."""
        self._note(key, {"type": "number", "minimum": minimum, "maximum": maximum}, default)
        value = self.data.pop(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, f"a number from {minimum:g} to {maximum:g}", value)
        if not minimum <= value <= maximum:
            raise self._fail(key, f"a number from {minimum:g} to {maximum:g}", value)
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        self._note(key, {"type": "boolean"}, default)
        value = self.data.pop(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def strings(self, key: str, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
        listed = None if default is None else list(default)
        self._note(key, {"type": "array", "items": {"type": "string"}}, listed)
        value = self.data.pop(key, default)
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings", value)
        self._no_nul(key, *value)
        return tuple(value)

    def strings_or_preset(self, key: str, presets: tuple[str, ...]) -> tuple[str, ...] | str | None:
        """A list of strings, or one of the `presets` words (returned as the word itself)."""
        listed = {"type": "array", "items": {"type": "string"}}
        self._note(key, {"anyOf": [{"enum": list(presets)}, listed]})
        value = self.data.pop(key, None)
        if value is None or value in presets:
            return value  # type: ignore[no-any-return]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings or " + " | ".join(presets), value)
        return tuple(value)

    def argv_lists(self, key: str) -> tuple[tuple[str, ...], ...]:
        argv = {"type": "array", "items": {"type": "string"}, "minItems": 1}
        self._note(key, {"type": "array", "items": argv})
        value = self.data.pop(key, [])
        ok = isinstance(value, list) and all(
            isinstance(v, list) and v and all(isinstance(a, str) for a in v) for v in value
        )
        if not ok:
            raise self._fail(key, 'a list of argv lists, e.g. [["pytest", "tests"]]', value)
        self._no_nul(key, *(arg for argv in value for arg in argv))
        return tuple(tuple(v) for v in value)

    def duration(self, key: str, default: Duration) -> Duration:
        self._note(key, {"$ref": "#/$defs/duration"}, str(default))
        value = self.data.pop(key, None)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ConfigError(f"{self.source}: {self._key(key)} must be {exc}") from None

    def table(self, key: str) -> Table:
        """The sub-table `key` (empty when absent)."""
        self._note(key, {"table": (*self.path, key)})
        return self._child(key, (*self.path, key))

    def each(
        self, pattern: re.Pattern[str] | None = None, *, required: bool = False
    ) -> Iterator[tuple[str, Table]]:
        """The sub-tables of a table keyed by names ([apis.<name>]), sorted by name.

        `pattern` and `required` (at least one) are what the loader checks itself; they are
        recorded for the schema only.
        """
        if self.recorder is not None:
            node = self.recorder.node(self.path)
            node["names"] = {"pattern": pattern.pattern if pattern else None, "required": required}
        for name in sorted(self.data):
            yield name, self._child(name, (*self.path, "*"))

    def levels(self, options: tuple[str, ...]) -> dict[str, str]:
        """A table of free names, each set to one of `options` ([gate.rules]: rule id ->
        level); the names are checked by whoever knows them (the gate knows its rule ids)."""
        if self.recorder is not None:
            self.recorder.node(self.path)["values"] = {"enum": list(options)}
        found: dict[str, str] = {}
        for name in sorted(self.data):
            value = self.data.pop(name)
            if value not in options:
                raise self._fail(name, "one of " + ", ".join(options), value)
            found[name] = value
        return found

    def _child(self, key: str, path: TablePath) -> Table:
        return Table(
            self.data.pop(key, {}),
            self._key(key),
            self.source,
            recorder=self.recorder,
            path=path,
        )

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
