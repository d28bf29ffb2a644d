"""Property tests of the support policy: orderings of dates and states that hold for any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.config import SupportConfig
from relorch.durations import Duration
from relorch.errors import PreconditionError
from relorch.model.history import ApiHistory
from relorch.policy.support import CURRENT, RETIRED, ensure_deployable, support_states
from tests.policy.test_support import history

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=20 * 366 * 86400).map(
    lambda s: EPOCH + timedelta(seconds=s)
)
durations = st.builds(Duration, months=st.integers(0, 36), seconds=st.integers(0, 400 * 86400))
policies = st.builds(
    SupportConfig,
    previous_majors=st.integers(0, 3),
    deprecation_period=durations,
    reminder_before=durations,
)


@st.composite
def histories(draw: st.DrawFn) -> ApiHistory:
    """1-5 majors whose first tags are in time order (a new major follows the previous one)."""
    starts = sorted(draw(st.lists(instants, min_size=1, max_size=5)))
    majors = sorted(draw(st.sets(st.integers(1, 12), min_size=len(starts), max_size=len(starts))))
    return history(*((major, [start]) for major, start in zip(majors, starts, strict=True)))


fast = settings(max_examples=100, deadline=None)


@fast
@given(histories(), policies, instants)
def test_sunset_never_precedes_deprecation_and_reminder_lies_between(
    h: ApiHistory, support: SupportConfig, now: datetime
) -> None:
    for state in support_states(h, support, now).values():
        if state.deprecated_at is None:
            continue
        assert state.sunset_at is not None and state.reminder_at is not None
        assert state.deprecated_at <= state.reminder_at <= state.sunset_at
        if state.retired_at is not None:
            assert state.deprecated_at <= state.retired_at <= state.sunset_at


@fast
@given(histories(), policies, instants)
def test_only_the_newest_major_is_current_and_at_most_n_older_ones_are_supported(
    h: ApiHistory, support: SupportConfig, now: datetime
) -> None:
    states = support_states(h, support, now)
    newest = h.majors[-1].major
    assert [m for m, s in states.items() if s.state == CURRENT] == [newest]
    older_supported = [m for m, s in states.items() if s.supported and m != newest]
    assert len(older_supported) <= support.previous_majors


@fast
@given(histories(), policies, instants, st.integers(0, 5 * 366 * 86400))
def test_retirement_is_for_good_as_time_passes(
    h: ApiHistory, support: SupportConfig, now: datetime, later: int
) -> None:
    before = support_states(h, support, now)
    after = support_states(h, support, now + timedelta(seconds=later))
    for major, state in before.items():
        if state.state == RETIRED:
            assert after[major].state == RETIRED


@fast
@given(histories(), policies, instants, st.integers(1, 12))
def test_ensure_deployable_refuses_exactly_the_retired_majors(
    h: ApiHistory, support: SupportConfig, now: datetime, major: int
) -> None:
    state = support_states(h, support, now).get(major)
    try:
        ensure_deployable(h, major, support, now)
    except PreconditionError:
        assert state is not None and state.state == RETIRED
    else:
        assert state is None or state.state != RETIRED


@fast
@given(instants, instants, st.integers(0, 36))
def test_month_periods_land_on_the_same_day_or_the_last_day_of_the_month(
    first: datetime, start: datetime, months: int
) -> None:
    import calendar

    h = history((1, [min(first, start)]), (2, [start]))
    support = SupportConfig(deprecation_period=Duration(months=months))
    sunset = support_states(h, support, start)[1].sunset_at
    assert sunset is not None
    assert (sunset.year * 12 + sunset.month) - (start.year * 12 + start.month) == months
    assert sunset.day == min(start.day, calendar.monthrange(sunset.year, sunset.month)[1])
    assert sunset.time() == start.time()
