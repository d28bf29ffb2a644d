"""Support policy: deprecation, sunset and reminder dates; retirement; deploy refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from relorch.config import ApiConfig, SupportConfig
from relorch.durations import Duration, parse_duration
from relorch.errors import ExitCode, PreconditionError
from relorch.model.history import ApiHistory, MajorInfo, RevisionInfo
from relorch.policy.support import CURRENT, DEPRECATED, RETIRED, ensure_deployable, support_states

API = ApiConfig("products", tag_format="v{major}-rev{revision}", branch_format="release/v{major}")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def history(*majors: tuple[int, list[datetime | None]]) -> ApiHistory:
    """majors given as (major, [date of rev1, date of rev2, ...])."""
    infos = []
    for major, dates in majors:
        revs = tuple(
            RevisionInfo("products", major, n, f"v{major}-rev{n}", f"{major:02d}{n:038d}", when)
            for n, when in enumerate(dates, start=1)
        )
        infos.append(MajorInfo("products", major, f"release/v{major}", revs))
    return ApiHistory(api=API, majors=tuple(infos))


def policy(period: str = "6 months", reminder: str = "4 weeks", previous: int = 1) -> SupportConfig:
    return SupportConfig(
        previous_majors=previous,
        deprecation_period=parse_duration(period),
        reminder_before=parse_duration(reminder),
    )


def test_single_major_is_current_without_dates() -> None:
    states = support_states(history((1, [at("2026-01-01")])), policy(), at("2030-01-01"))
    assert states[1].state == CURRENT
    assert (states[1].deprecated_at, states[1].sunset_at, states[1].successor) == (None, None, None)


def test_previous_major_is_deprecated_at_the_successors_first_tag() -> None:
    h = history((1, [at("2025-01-10"), at("2025-06-01")]), (2, [at("2026-01-15T10:00:00")]))
    state = support_states(h, policy(), at("2026-02-01"))[1]
    assert state.state == DEPRECATED and state.successor == 2
    assert state.deprecated_at == at("2026-01-15T10:00:00")
    assert state.sunset_at == at("2026-07-15T10:00:00")
    assert state.reminder_at == at("2026-06-17T10:00:00")
    assert state.retired_at is None and state.supported


def test_sunset_of_31_august_plus_six_months_is_the_end_of_february() -> None:
    h = history((1, [at("2026-01-01")]), (2, [at("2026-08-31T12:00:00")]))
    assert support_states(h, policy(), at("2026-09-01"))[1].sunset_at == at("2027-02-28T12:00:00")


def test_sunset_of_31_august_before_a_leap_year_is_29_february() -> None:
    h = history((1, [at("2027-01-01")]), (2, [at("2027-08-31")]))
    assert support_states(h, policy(), at("2027-09-01"))[1].sunset_at == at("2028-02-29")


def test_sunset_of_29_february_plus_twelve_months_is_28_february() -> None:
    h = history((1, [at("2027-01-01")]), (2, [at("2028-02-29T08:00:00")]))
    state = support_states(h, policy("12 months"), at("2028-03-01"))[1]
    assert state.sunset_at == at("2029-02-28T08:00:00")


def test_one_year_is_twelve_calendar_months() -> None:
    h = history((1, [at("2027-01-01")]), (2, [at("2028-02-29")]))
    assert support_states(h, policy("1 year"), at("2028-03-01"))[1].sunset_at == at("2029-02-28")


def test_zero_period_puts_sunset_on_the_deprecation_date_and_retires_at_once() -> None:
    h = history((1, [at("2026-01-01")]), (2, [at("2026-03-31T09:00:00")]))
    state = support_states(h, policy("0s"), at("2026-03-31T09:00:00"))[1]
    assert state.sunset_at == state.deprecated_at == at("2026-03-31T09:00:00")
    assert state.state == RETIRED and state.retired_at == state.sunset_at


def test_reminder_is_never_before_the_deprecation() -> None:
    h = history((1, [at("2026-01-01")]), (2, [at("2026-03-01")]))
    state = support_states(h, policy("2 weeks", "4 weeks"), at("2026-03-02"))[1]
    assert state.reminder_at == state.deprecated_at == at("2026-03-01")
    assert state.sunset_at == at("2026-03-15")


def test_month_based_reminder_uses_the_calendar() -> None:
    h = history((1, [at("2026-01-01")]), (2, [at("2026-03-31")]))
    state = support_states(h, policy("6 months", "1 month"), at("2026-04-01"))[1]
    assert state.sunset_at == at("2026-09-30") and state.reminder_at == at("2026-08-30")


def test_major_past_its_sunset_is_retired_from_the_sunset() -> None:
    h = history((1, [at("2026-01-01")]), (2, [at("2026-02-01")]))
    deprecated = support_states(h, policy(), at("2026-07-31T23:59:59"))[1]
    retired = support_states(h, policy(), at("2026-08-01"))[1]
    assert deprecated.state == DEPRECATED
    assert retired.state == RETIRED and retired.retired_at == at("2026-08-01")
    assert "sunset 2026-08-01 has passed" in retired.reason


def test_majors_beyond_previous_majors_are_retired_when_the_next_major_comes() -> None:
    h = history((1, [at("2025-01-01")]), (2, [at("2025-06-01")]), (3, [at("2025-09-01")]))
    states = support_states(h, policy(), at("2025-10-01"))
    assert [states[m].state for m in (1, 2, 3)] == [RETIRED, DEPRECATED, CURRENT]
    assert states[1].retired_at == at("2025-09-01")  # v3 pushed it out before its sunset
    assert states[1].sunset_at == at("2025-12-01")
    assert states[1].effective_sunset == at("2025-09-01")
    assert "only 1 previous major is supported and v3 is out" in states[1].reason


def test_two_previous_majors_keep_two_older_majors_supported() -> None:
    h = history((1, [at("2025-01-01")]), (2, [at("2025-02-01")]), (3, [at("2025-03-01")]))
    states = support_states(h, policy("1 year", previous=2), at("2025-04-01"))
    assert [states[m].state for m in (1, 2, 3)] == [DEPRECATED, DEPRECATED, CURRENT]


def test_no_previous_majors_retires_every_older_major() -> None:
    h = history((1, [at("2025-01-01")]), (2, [at("2025-02-01")]))
    state = support_states(h, policy(previous=0), at("2025-02-02"))[1]
    assert state.state == RETIRED and state.retired_at == at("2025-02-01")
    assert "only 0 previous majors are supported" in state.reason


def test_successor_without_rev1_starts_at_its_lowest_revision() -> None:
    h = history((1, [at("2025-01-01")]), (3, [at("2025-05-05")]))
    state = support_states(h, policy(), at("2025-06-01"))[1]
    assert state.successor == 3 and state.deprecated_at == at("2025-05-05")


def test_successor_tag_without_a_date_leaves_the_dates_unknown() -> None:
    h = history((1, [at("2025-01-01")]), (2, [None]))
    state = support_states(h, policy(), at("2030-01-01"))[1]
    assert state.state == DEPRECATED
    assert (state.deprecated_at, state.sunset_at, state.reminder_at) == (None, None, None)


def test_dates_in_other_zones_are_compared_in_utc() -> None:
    from datetime import timedelta, timezone

    plus2 = timezone(timedelta(hours=2))
    h = history((1, [at("2025-01-01")]), (2, [datetime(2026, 1, 1, 1, 0, tzinfo=plus2)]))
    state = support_states(h, policy(), datetime(2026, 1, 1, tzinfo=UTC))[1]
    assert state.deprecated_at == at("2025-12-31T23:00:00")
    assert state.sunset_at == at("2026-06-30T23:00:00")


def test_ensure_deployable_refuses_a_retired_major_with_exit_3_and_a_hint() -> None:
    h = history((1, [at("2025-01-01")]), (2, [at("2025-06-01")]), (3, [at("2025-09-01")]))
    with pytest.raises(PreconditionError) as caught:
        ensure_deployable(h, 1, policy(), at("2025-10-01"))
    assert caught.value.exit_code == ExitCode.PRECONDITION
    assert "products v1 is retired" in caught.value.message
    assert "deploy a supported major (v3, v2)" in caught.value.hint


def test_ensure_deployable_allows_current_and_deprecated_majors() -> None:
    h = history((1, [at("2025-01-01")]), (2, [at("2025-06-01")]))
    now = at("2025-07-01")
    ensure_deployable_state = ensure_deployable(h, 1, policy(), now)
    assert ensure_deployable_state is not None and ensure_deployable_state.state == DEPRECATED
    assert ensure_deployable(h, 2, policy(), now) is not None
    assert ensure_deployable(h, 7, policy(), now) is None


def test_default_policy_is_one_previous_major_for_six_months_reminded_four_weeks_before() -> None:
    support = SupportConfig()
    assert (support.previous_majors, support.deprecation_period, support.reminder_before) == (
        1,
        Duration(months=6),
        Duration(seconds=28 * 86400),
    )
