"""The support policy: per major, current / deprecated / retired, and the dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from relorch.config import SupportConfig
from relorch.errors import PreconditionError
from relorch.model.history import ApiHistory, MajorInfo

CURRENT = "current"
DEPRECATED = "deprecated"
RETIRED = "retired"


@dataclass(frozen=True)
class SupportState:
    """Where one major stands in the support policy at a given moment.

    `deprecated_at` is the date of the successor major's first revision tag; `sunset_at` that
    date plus the deprecation period (never earlier); `reminder_at` the sunset minus
    `reminder_before` (never earlier than the deprecation). `retired_at` is when the major
    left support: its sunset, or earlier when newer majors pushed it beyond `previous_majors`.
    Dates are None when the tag they come from has no date.
    """

    api: str
    major: int
    state: str  # CURRENT | DEPRECATED | RETIRED
    successor: int | None = None
    deprecated_at: datetime | None = None
    sunset_at: datetime | None = None
    reminder_at: datetime | None = None
    retired_at: datetime | None = None
    reason: str = ""

    @property
    def supported(self) -> bool:
        """Current and deprecated majors may be deployed; retired ones may not."""
        return self.state != RETIRED

    @property
    def effective_sunset(self) -> datetime | None:
        """The date the major stops (stopped) being served: retirement if earlier than sunset."""
        dates = [d for d in (self.retired_at, self.sunset_at) if d is not None]
        return min(dates) if dates else None


def support_states(
    history: ApiHistory, support: SupportConfig, now: datetime
) -> dict[int, SupportState]:
    """The support state of every major of `history` at `now` (an aware datetime)."""
    majors = history.majors
    states: dict[int, SupportState] = {}
    for index, info in enumerate(majors):
        if index == len(majors) - 1:
            states[info.major] = SupportState(info.api, info.major, CURRENT)
            continue
        states[info.major] = _older_major(majors, index, support, _utc(now))
    return states


def _older_major(
    majors: tuple[MajorInfo, ...], index: int, support: SupportConfig, now: datetime
) -> SupportState:
    info, successor = majors[index], majors[index + 1]
    # The successor's lowest revision when rev1 is missing: the major began with that tag.
    deprecated_at = _date(successor)
    sunset_at = reminder_at = None
    if deprecated_at is not None:
        sunset_at = max(deprecated_at, support.deprecation_period.after(deprecated_at))
        reminder_at = max(deprecated_at, support.reminder_before.before(sunset_at))
    newer = len(majors) - 1 - index
    reasons: list[tuple[datetime | None, str]] = []
    if newer > support.previous_majors:
        pusher = majors[index + support.previous_majors + 1]
        allowed = support.previous_majors
        reasons.append(
            (
                _date(pusher),
                f"only {allowed} previous major{'s' if allowed != 1 else ''} "
                f"{'are' if allowed != 1 else 'is'} supported and v{pusher.major} is out",
            )
        )
    if sunset_at is not None and now >= sunset_at:
        reasons.append((sunset_at, f"its sunset {sunset_at.date().isoformat()} has passed"))
    state, retired_at = DEPRECATED, None
    if reasons:
        # It left support at the first of the dates that retire it (the sunset counts even
        # when `now` is before it), never before it was deprecated.
        dated = [when for when, _ in reasons if when is not None]
        dated += [sunset_at] if sunset_at is not None else []
        state, retired_at = RETIRED, (min(dated) if dated else None)
        if retired_at is not None and deprecated_at is not None:
            retired_at = max(retired_at, deprecated_at)
    return SupportState(
        info.api,
        info.major,
        state,
        successor=successor.major,
        deprecated_at=deprecated_at,
        sunset_at=sunset_at,
        reminder_at=reminder_at,
        retired_at=retired_at,
        reason="; ".join(text for _, text in reasons),
    )


def _date(major: MajorInfo) -> datetime | None:
    when = major.first.date
    return _utc(when) if when is not None else None


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


def ensure_deployable(
    history: ApiHistory, major: int, support: SupportConfig, now: datetime
) -> SupportState | None:
    """The major's support state; PreconditionError (exit 3) when it is retired.

    None when the API has no such major (whether it exists is the caller's question).
    """
    states = support_states(history, support, now)
    state = states.get(major)
    if state is None or state.supported:
        return state
    supported = [f"v{s.major}" for s in states.values() if s.supported]
    name = history.api.name
    raise PreconditionError(
        f"{name} v{major} is retired: {state.reason}",
        hint=(
            f"deploy a supported major ({', '.join(reversed(supported))}); "
            "the policy is [support] previous_majors and deprecation_period in the config"
        ),
    )
