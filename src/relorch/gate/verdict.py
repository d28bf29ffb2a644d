"""A team's gate policy: per-rule levels from `[gate.rules]` and reviewed exceptions."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from relorch.errors import ConfigError
from relorch.gate.rules import BREAKING, RANK, RULES

if TYPE_CHECKING:
    from relorch.config import GateConfig
    from relorch.gate.changes import Change

_IGNORE_KEYS = {"rule", "location", "reason", "expires", "api"}


@dataclass(frozen=True)
class Exception_:
    """One reviewed exception: the rule, where (exact, or a `*` pattern), why, until when."""

    rule: str
    location: str
    reason: str
    expires: date | None = None
    api: str | None = None

    def covers(self, api: str, change: Change) -> bool:
        """Whether this exception excuses `change` of `api`."""
        if self.api is not None and self.api != api:
            return False
        if change.rule != self.rule:
            return False
        if "*" not in self.location:
            return change.location == self.location
        # `*` is the only wildcard: locations hold `[]` (array items), which fnmatch would
        # read as a character class.
        pattern = ".*".join(re.escape(part) for part in self.location.split("*"))
        return re.fullmatch(pattern, change.location) is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        found: dict[str, Any] = {"rule": self.rule, "location": self.location}
        found["reason"] = self.reason
        found["expires"] = self.expires.isoformat() if self.expires else None
        return found


def check_rules(gate: GateConfig) -> dict[str, str]:
    """`[gate.rules]` as rule id -> level; an unknown rule id is a config error."""
    for rule, _ in gate.rules:
        if rule not in RULES:
            close = [r for r in RULES if r.endswith(rule) or rule in r][:3]
            raise ConfigError(
                f"{gate.source}: unknown rule id 'gate.rules.{rule}'",
                hint="rule ids are listed in docs/breaking-changes.md"
                + (f"; did you mean {', '.join(close)}?" if close else ""),
            )
    return dict(gate.rules)


def apply_levels(changes: list[Change], levels: dict[str, str]) -> list[Change]:
    """The changes with `[gate.rules]` levels applied."""
    return [
        replace(c, level=levels[c.rule]) if c.rule in levels and c.rule != "more-changes" else c
        for c in changes
    ]


def parse_ignores(text: str, label: str) -> list[Exception_]:
    """The `[[ignore]]` entries of an ignore file; ConfigError naming the file and entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"ignore"})
    if extra:
        raise ConfigError(f"{label}: unknown key {extra[0]!r}", hint="entries go in [[ignore]]")
    entries = data.get("ignore", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{label}: ignore must be an array of tables ([[ignore]])")
    found = []
    for index, entry in enumerate(entries):
        where = f"{label}: ignore[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = sorted(set(entry) - _IGNORE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
        for key in ("rule", "location", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigError(
                    f"{where}: {key} must be a non-empty string",
                    hint="every exception names its rule id, its location and why it is safe",
                )
        if entry["rule"] not in RULES:
            raise ConfigError(f"{where}: unknown rule id {entry['rule']!r}")
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            expires = expires.date()
        if expires is not None and not isinstance(expires, date):
            raise ConfigError(f"{where}: expires must be a date (2026-12-31)")
        api = entry.get("api")
        if api is not None and not isinstance(api, str):
            raise ConfigError(f"{where}: api must be a string")
        found.append(Exception_(entry["rule"], entry["location"], entry["reason"], expires, api))
    return found


@dataclass(frozen=True)
class Verdict:
    """The changes sorted out: what fails the gate, what an exception excused, what expired."""

    failing: list[Change]
    excused: list[tuple[Change, Exception_]]
    expired: list[Exception_]


def judge(
    api: str, changes: list[Change], fail_on: str, ignores: list[Exception_], today: date
) -> Verdict:
    """Which changes reach `fail_on`, with the still-valid exceptions applied."""
    valid = [e for e in ignores if e.expires is None or e.expires >= today]
    expired = [e for e in ignores if e.expires is not None and e.expires < today]
    failing, excused = [], []
    for change in changes:
        if RANK[change.level] < RANK[fail_on]:
            continue
        reason = next((e for e in valid if e.covers(api, change)), None)
        if reason is None:
            failing.append(change)
        else:
            excused.append((change, reason))
    return Verdict(failing, excused, expired)


__all__ = ["BREAKING", "Exception_", "Verdict", "apply_levels", "check_rules", "judge"]
