"""`relorch status`: per API and major, the release line, latest revision and what is live."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from relorch.config import Config
from relorch.model.history import ApiHistory
from relorch.policy.support import support_states


@dataclass(frozen=True)
class MajorStatus:
    """One row of the status table."""

    api: str
    major: int
    line: str
    latest_tag: str
    latest_revision: int
    latest_sha: str
    released_at: datetime | None
    semver: str
    support: str = "current"
    deprecated_at: datetime | None = None
    sunset_at: datetime | None = None
    live: dict[str, int | None] = field(default_factory=dict)  # env -> current revision

    def as_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "api": self.api,
            "major": self.major,
            "line": self.line,
            "latest": {
                "tag": self.latest_tag,
                "revision": self.latest_revision,
                "sha": self.latest_sha,
                "date": self.released_at.isoformat() if self.released_at else None,
                "semver": self.semver,
            },
            "support": self.support,
            "deprecated_at": self.deprecated_at.isoformat() if self.deprecated_at else None,
            "sunset_at": self.sunset_at.isoformat() if self.sunset_at else None,
            "live": self.live,
        }


def major_rows(
    config: Config,
    histories: dict[str, ApiHistory],
    *,
    current: dict[tuple[str, str, int], int] | None = None,
    envs: list[str] | None = None,
    now: datetime | None = None,
) -> list[MajorStatus]:
    """Rows newest major first within each API, with the support state of each major."""
    rows = []
    for name in sorted(histories):
        history = histories[name]
        states = support_states(history, config.support, now or datetime.now(UTC))
        for major in reversed(history.majors):
            latest = major.latest
            state = states.get(major.major)
            rows.append(
                MajorStatus(
                    api=name,
                    major=major.major,
                    line=major.line,
                    latest_tag=latest.tag,
                    latest_revision=latest.revision,
                    latest_sha=latest.sha,
                    released_at=latest.date,
                    semver=f"{major.major}.{latest.revision}.0",
                    support=state.state if state else "current",
                    deprecated_at=state.deprecated_at if state else None,
                    sunset_at=state.sunset_at if state else None,
                    live={env: (current or {}).get((name, env, major.major)) for env in envs or []},
                )
            )
    return rows
