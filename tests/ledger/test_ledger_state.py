"""State derived from records: live revisions, previous good, rolled-back marks, locks, holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from relorch.ci import RunContext
from relorch.deploy.guard import check_rules, lock_records
from relorch.deploy.plan import DeployPlan
from relorch.deploy.targets import Target
from relorch.errors import ConflictError
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState, replay

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def deploy(
    revision: int,
    status: str,
    action: str = "deploy",
    env: str = "prod",
    lock: str | None = None,
    major: int = 2,
) -> Record:
    return new_record(
        api="api",
        env=env,
        action=action,
        status=status,
        now=NOW,
        actor="ann",
        major=major,
        revision=revision,
        tag=f"v{major}-rev{revision}",
        sha="a" * 40,
        lock=lock,
    )


def deployed(*revisions: int) -> LedgerState:
    records = []
    for revision in revisions:
        started = deploy(revision, "started")
        records += [started, deploy(revision, "succeeded", lock=started.id)]
    return replay(records)


def test_succeeded_deploy_becomes_current_and_releases_the_lock() -> None:
    started = deploy(4, "started")
    state = replay([started])
    assert state.lock("api", "prod") is not None
    assert state.current("api", "prod", 2) is None
    state = state.apply([deploy(4, "succeeded", lock=started.id)])
    assert state.lock("api", "prod") is None
    live = state.current("api", "prod", 2)
    assert live is not None
    assert live.revision == 4


def test_failed_deploy_releases_the_lock_and_keeps_the_current_revision() -> None:
    state = deployed(3)
    started = deploy(4, "started")
    state = state.apply([started, deploy(4, "failed", lock=started.id)])
    assert state.locks == {}
    assert state.current("api", "prod", 2).revision == 3  # type: ignore[union-attr]
    assert state.previous_good("api", "prod", 2) is None


def test_previous_good_is_the_highest_succeeded_revision_below_current() -> None:
    state = deployed(1, 3, 2, 5)
    assert state.previous_good("api", "prod", 2) == 3


def test_rollback_marks_the_revision_it_replaced() -> None:
    state = deployed(1, 2)
    started = deploy(1, "started", action="rollback")
    state = state.apply([started, deploy(1, "succeeded", action="rollback", lock=started.id)])
    assert state.is_rolled_back("api", "prod", 2, 2)
    assert not state.succeeded_in("api", "prod", 2, 2)
    state = state.apply([deploy(3, "started"), deploy(3, "succeeded")])
    assert state.previous_good("api", "prod", 2) == 1


def test_majors_and_environments_are_independent() -> None:
    state = replay(
        [
            deploy(1, "succeeded", major=1),
            deploy(4, "succeeded", major=2),
            deploy(2, "succeeded", env="staging"),
        ]
    )
    assert state.live_majors("api", "prod") == [1, 2]
    assert state.current("api", "staging", 2).revision == 2  # type: ignore[union-attr]


def test_holds_open_and_lift_per_tag_and_environment() -> None:
    held = new_record(
        api="api",
        env="prod",
        action="hold",
        status="held",
        now=NOW,
        actor="bo",
        tag="v2-rev4",
        reason="why",
    )
    state = replay([held])
    assert state.hold("api", "prod", "v2-rev4").reason == "why"  # type: ignore[union-attr]
    assert state.hold("api", "staging", "v2-rev4") is None
    lifted = new_record(
        api="api", env="prod", action="unhold", status="lifted", now=NOW, actor="bo", tag="v2-rev4"
    )
    assert state.apply([lifted]).holds == {}


def test_snapshot_round_trips_through_json() -> None:
    state = deployed(1, 2).apply([deploy(3, "started")])
    assert LedgerState.from_json(state.to_json()) == state


def plan_for(revision: int, *, break_lock: bool) -> DeployPlan:
    return DeployPlan(
        action="deploy",
        ref=f"v2@rev{revision}",
        env="prod",
        target=Target("api", 2, revision, f"v2-rev{revision}", "b" * 40, "main"),
        live=None,
        run=RunContext("cy", None, None),
        command=None,
        timeout_seconds=60,
        lock_timeout_seconds=3600,
        promote_from=None,
        announce_channels=(),
        announce_failure="block",
        notice_seconds=0,
        break_lock=break_lock,
    )


def test_lock_younger_than_lock_timeout_cannot_be_broken() -> None:
    state = replay([deploy(1, "started")])
    with pytest.raises(ConflictError, match="locked by ann's deploy of v2-rev1 since"):
        check_rules(plan_for(2, break_lock=True), state, NOW + timedelta(minutes=59))


def test_stale_lock_is_named_and_broken_only_on_request() -> None:
    state = replay([deploy(1, "started")])
    later = NOW + timedelta(hours=2)
    with pytest.raises(ConflictError, match="stale") as caught:
        check_rules(plan_for(2, break_lock=False), state, later)
    assert "--break-lock" in caught.value.hint
    abandoned, started = lock_records(plan_for(2, break_lock=True), state, later)
    assert (abandoned.status, abandoned.lock) == ("abandoned", state.lock("api", "prod").id)  # type: ignore[union-attr]
    after = state.apply([abandoned, started])
    assert after.lock("api", "prod").id == started.id  # type: ignore[union-attr]


@pytest.mark.parametrize("action", ["deploy", "preview"])
def test_announced_record_takes_no_lock_and_changes_nothing_live(action: str) -> None:
    state = deployed(3)
    started = deploy(4, "started")
    locked = state.apply([started])
    announced = deploy(5, "announced", action=action)
    after = locked.apply([announced])
    assert after.lock("api", "prod") == locked.lock("api", "prod")  # another's lock stays
    assert replay([announced]).locks == {}
    # Nothing but the wait itself changes.
    assert {**after.to_json(), "count": 0, "announced": []} == {**locked.to_json(), "count": 0}
    assert [a.id for a in after.announced.values()] == [announced.id]
    assert after.current("api", "prod", 2).revision == 3  # type: ignore[union-attr]
    assert after.previews_of("api", "prod", 2) == ()
    assert not after.succeeded_in("api", "prod", 2, 5)


def announcing(revision: int, until: str, env: str = "prod") -> Record:
    return replace(deploy(revision, "announced", env=env), extra={"notice_until": until})


def test_a_notice_window_is_open_until_its_end_or_the_lock() -> None:
    window = announcing(4, "2026-01-15T10:30:00Z")
    state = deployed(3).apply([window])
    (waiting,) = state.waiting(NOW)
    assert (waiting.id, waiting.tag, waiting.env, waiting.until) == (
        window.id,
        "v2-rev4",
        "prod",
        "2026-01-15T10:30:00Z",
    )
    assert state.waiting(NOW + timedelta(minutes=30)) == []  # ended: held, killed or gone on
    assert LedgerState.from_json(state.to_json()) == state
    started = deploy(4, "started")
    assert state.apply([started]).waiting(NOW) == []  # the deploy went on
    # A hold does not end the window (the deploy finds it when the window ends), and another
    # environment's records leave it alone.
    hold = new_record(
        api="api", env="prod", action="hold", status="held", now=NOW, actor="bo", tag="v2-rev4"
    )
    assert len(state.apply([hold, deploy(1, "started", env="qa")]).waiting(NOW)) == 1
    # A newer window replaces it.
    newer = announcing(5, "2026-01-15T11:00:00Z")
    assert [a.tag for a in state.apply([newer]).waiting(NOW)] == ["v2-rev5"]


def test_a_snapshot_from_before_notice_windows_reads_as_none_open() -> None:
    data = deployed(3).apply([announcing(4, "2026-01-15T10:30:00Z")]).to_json()
    del data["announced"]
    assert LedgerState.from_json(data).announced == {}
