"""`relorch status`: per API and major, the release line, latest revision and what is live."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from relorch.config import Config
from relorch.ledger.state import LedgerState
from relorch.model.history import ApiHistory
from relorch.policy.support import release_moments, support_states


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
    previews: dict[str, list[int]] = field(default_factory=dict)  # env -> revisions in preview
    live_since: datetime | None = None  # released to consumers (first live in live_env)

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
            "live_since": self.live_since.isoformat() if self.live_since else None,
            "live": self.live,
            "previews": self.previews,
        }


def major_rows(
    config: Config,
    histories: dict[str, ApiHistory],
    *,
    current: dict[tuple[str, str, int], int] | None = None,
    envs: list[str] | None = None,
    now: datetime | None = None,
    state: LedgerState | None = None,
) -> list[MajorStatus]:
    """Rows newest major first within each API, with the support state of each major.

    With the ledger's `state`, previews are listed and support follows what is live.
    """
    rows = []
    for name in sorted(histories):
        history = histories[name]
        released = None if state is None else release_moments(config, history, state)
        states = support_states(history, config.support, now or datetime.now(UTC), released)
        for major in reversed(history.majors):
            latest = major.latest
            support = states.get(major.major)
            rows.append(
                MajorStatus(
                    api=name,
                    major=major.major,
                    line=major.line,
                    latest_tag=latest.tag,
                    latest_revision=latest.revision,
                    latest_sha=latest.sha,
                    released_at=latest.date,
                    semver=_semver(history.api.scheme.parse_legacy(latest.tag))
                    or f"{major.major}.{latest.revision}.0",
                    support=support.state if support else "current",
                    deprecated_at=support.deprecated_at if support else None,
                    sunset_at=support.sunset_at if support else None,
                    live={env: (current or {}).get((name, env, major.major)) for env in envs or []},
                    previews={
                        env: [p.revision for p in state.previews_of(name, env, major.major)]
                        for env in envs or []
                        if state is not None and state.previews_of(name, env, major.major)
                    },
                    live_since=support.released_at if support else None,
                )
            )
    return rows


def _semver(version: tuple[int, int, int] | None) -> str | None:
    """A legacy tag shows its own version (`v1.2.3` is 1.2.3, not 1.3.0)."""
    return ".".join(map(str, version)) if version else None
