"""`relorch flags due`: the flags that switch on (or finish a ramp) within a window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from relorch.flags.model import FlagFile, format_moment
from relorch.flags.requires import Current, unmet


@dataclass(frozen=True)
class Due:
    """One flag switching on in one environment at one moment."""

    at: datetime
    api: str
    env: str
    flag: str
    event: str  # "release" | "ramp-start" | "ramp-end"
    owner: str
    description: str
    blocked: str | None = None  # unmet requires (as the ledger says now)

    def to_json(self) -> dict[str, Any]:
        """The entry for --json."""
        return {
            "at": format_moment(self.at),
            "api": self.api,
            "env": self.env,
            "flag": self.flag,
            "event": self.event,
            "owner": self.owner,
            "description": self.description,
            "blocked": self.blocked,
        }

    def line(self) -> str:
        """The entry as one line of text (announcements, human output)."""
        what = {"release": "switches on", "ramp-start": "starts its ramp", "ramp-end": "ramp done"}
        text = f"{self.flag} {what[self.event]} in {self.env} at {format_moment(self.at)}"
        text += f" ({self.owner})"
        return text + (f"; blocked: {self.blocked}" if self.blocked else "")


def due(
    files: Iterable[FlagFile],
    *,
    now: datetime,
    within: timedelta,
    envs: Iterable[str] | None = None,
    current: Current | None = None,
) -> list[Due]:
    """Every switch-on in (now, now + within], soonest first."""
    until = now + within
    wanted = None if envs is None else set(envs)
    out = []
    for source in files:
        for flag in source.flags:
            for env, release in flag.release_at.items():
                if wanted is not None and env not in wanted:
                    continue
                blocked = unmet(flag.requires, env, current) if current is not None else None
                moments = []
                if release.at is not None:
                    moments.append((release.at, "release"))
                ramp = flag.ramp_for(env)
                if ramp is not None and release.kind != "never":
                    moments += [(ramp.start, "ramp-start"), (ramp.end, "ramp-end")]
                for at, event in moments:
                    if now < at <= until:
                        out.append(
                            Due(
                                at,
                                source.api,
                                env,
                                flag.key,
                                event,
                                flag.owner,
                                flag.description,
                                blocked,
                            )
                        )
    return sorted(out, key=lambda d: (d.at, d.api, d.env, d.flag, d.event))
