"""The flag definitions as validated: frozen values a renderer and the checks can trust."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

JsonValue = Any  # str | bool | int | float | None | list | dict, as read from JSON or YAML

NOW, NEVER = "now", "never"


@dataclass(frozen=True)
class Release:
    """When a flag switches on in one environment: `now`, `never`, or at a moment."""

    kind: str  # "now" | "never" | "at"
    at: datetime | None = None

    @property
    def timestamp(self) -> int | None:
        """The moment as Unix seconds (what `$flagd.timestamp` is compared with)."""
        return int(self.at.timestamp()) if self.at is not None else None

    def __str__(self) -> str:
        return format_moment(self.at) if self.at is not None else self.kind


@dataclass(frozen=True)
class Ramp:
    """A linear rollout: nobody at `start`, everybody at `end`, keyed on the targeting key."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        """The total fractional weight flagd sums (one unit a second)."""
        return int(self.end.timestamp()) - int(self.start.timestamp())


@dataclass(frozen=True)
class Requirement:
    """A revision of an API that must be live in the environment (`products/v2@rev3`)."""

    api: str
    major: int
    revision: int | None  # None: any revision of the major
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Flag:
    """One flag of relorch's source format."""

    key: str
    description: str
    owner: str
    expires: date
    variants: Mapping[str, JsonValue]
    default: str  # variant served until released (and when off)
    on: str  # variant served once released
    release_at: Mapping[str, Release]
    ramp: Mapping[str, Ramp] = field(default_factory=dict)  # env -> ramp ("*": every env)
    targeting: Mapping[str, JsonValue] | None = None
    requires: Requirement | None = None

    def release(self, env: str) -> Release:
        """The release of `env`; an environment the flag does not list never switches on."""
        return self.release_at.get(env, Release(NEVER))

    def ramp_for(self, env: str) -> Ramp | None:
        """The ramp that applies in `env`, if any."""
        return self.ramp.get(env) or self.ramp.get("*")


@dataclass(frozen=True)
class FlagFile:
    """The flags of one API as read from one file: relorch's format or plain flagd."""

    api: str
    path: str
    flags: tuple[Flag, ...] = ()
    flagd: Mapping[str, JsonValue] | None = None  # a plain flagd document, passed through
    commit: str | None = None  # the commit the file was read at (None: unknown)
    modified: bool = False  # read from a working tree that differs from `commit`

    @property
    def keys(self) -> list[str]:
        """The flag keys, in file order."""
        if self.flagd is not None:
            return list(self.flagd.get("flags", {}))
        return [f.key for f in self.flags]


def format_moment(when: datetime) -> str:
    """RFC 3339 in UTC with a Z: 2027-01-15T09:00:00Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
