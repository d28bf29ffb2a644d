"""The support policy: per major, current / deprecated / retired, and the dates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from relorch.config import Config, SupportConfig
from relorch.errors import PreconditionError
from relorch.ledger.state import LedgerState
from relorch.model.history import ApiHistory, MajorInfo

CURRENT = "current"
DEPRECATED = "deprecated"
RETIRED = "retired"
# major -> when it was released to consumers (None: released, date unknown). A major missing
# here is not released yet: it deprecates nothing.
Released = Mapping[int, datetime | None]


@dataclass(frozen=True)
class SupportState:
    """Where one major stands in the support policy at a given moment.

    `released_at` is when the major was released to consumers (see `release_moments`);
    `deprecated_at` is when its successor was; `sunset_at` that moment plus the deprecation
    period (never earlier); `reminder_at` the sunset minus `reminder_before` (never earlier
    than the deprecation). `retired_at` is when the major left support: its sunset, or earlier
    when newer majors pushed it beyond `previous_majors`. Dates are None when unknown.
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
    released_at: datetime | None = None

    @property
    def supported(self) -> bool:
        """Current and deprecated majors may be deployed; retired ones may not."""
        return self.state != RETIRED

    @property
    def effective_sunset(self) -> datetime | None:
        """The date the major stops (stopped) being served: retirement if earlier than sunset."""
        dates = [d for d in (self.retired_at, self.sunset_at) if d is not None]
        return min(dates) if dates else None


def release_moments(
    config: Config, history: ApiHistory, state: LedgerState
) -> dict[int, datetime | None]:
    """When each major of `history` was released to consumers.

    With a live environment ([support] live_env, a configured environment): the moment a
    revision of the major first succeeded there, from the ledger; a major never deployed there
    is not released yet. Without one: the date of the major's first revision tag.
    """
    live_env = config.live_environment()
    if live_env is None:
        return {info.major: _date(info) for info in history.majors}
    out: dict[int, datetime | None] = {}
    for info in history.majors:
        when = state.first_live_at(history.api.name, live_env, info.major)
        if when is not None:
            out[info.major] = _utc(when)
    return out


def support_states(
    history: ApiHistory, support: SupportConfig, now: datetime, released: Released | None = None
) -> dict[int, SupportState]:
    """The support state of every major of `history` at `now` (an aware datetime).

    `released` says which majors are released to consumers and when (`release_moments`);
    None: every major is, at the date of its first revision tag. Only released majors deprecate
    and retire the ones before them; until its successor is released a major stays current.
    """
    majors = history.majors
    moments = released if released is not None else {m.major: _date(m) for m in majors}
    states: dict[int, SupportState] = {}
    for index, info in enumerate(majors):
        later = [m for m in majors[index + 1 :] if m.major in moments]
        if not later:
            states[info.major] = SupportState(
                info.api, info.major, CURRENT, released_at=moments.get(info.major)
            )
            continue
        states[info.major] = _older_major(info, later, moments, support, _utc(now))
    return states


def _older_major(
    info: MajorInfo,
    later: list[MajorInfo],
    moments: Released,
    support: SupportConfig,
    now: datetime,
) -> SupportState:
    successor = later[0]
    deprecated_at = moments[successor.major]
    sunset_at = reminder_at = None
    if deprecated_at is not None:
        sunset_at = max(deprecated_at, support.deprecation_period.after(deprecated_at))
        reminder_at = max(deprecated_at, support.reminder_before.before(sunset_at))
    reasons: list[tuple[datetime | None, str]] = []
    if len(later) > support.previous_majors:
        pusher = later[support.previous_majors]
        allowed = support.previous_majors
        reasons.append(
            (
                moments[pusher.major],
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
        released_at=moments.get(info.major),
    )


def _date(major: MajorInfo) -> datetime | None:
    when = major.first.date
    return _utc(when) if when is not None else None


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


def ensure_deployable(
    history: ApiHistory,
    major: int,
    support: SupportConfig,
    now: datetime,
    released: Released | None = None,
) -> SupportState | None:
    """The major's support state; PreconditionError (exit 3) when it is retired.

    None when the API has no such major (whether it exists is the caller's question).
    """
    states = support_states(history, support, now, released)
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
