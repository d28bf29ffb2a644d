"""Previews in the ledger's state: beside the current revision, made current, withdrawn."""

from __future__ import annotations

from datetime import UTC, datetime

from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState, replay

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def finished(
    action: str,
    revision: int,
    *,
    status: str = "succeeded",
    env: str = "prod",
    major: int = 2,
    now: datetime = NOW,
) -> list[Record]:
    """A `started` record and the record that ends it."""
    common = {
        "api": "api",
        "env": env,
        "action": action,
        "now": now,
        "actor": "ann",
        "major": major,
        "revision": revision,
        "tag": f"v{major}-rev{revision}",
        "sha": f"{revision:040d}",
    }
    started = new_record(status="started", **common)  # type: ignore[arg-type]
    return [started, new_record(status=status, lock=started.id, **common)]  # type: ignore[arg-type]


def run(*steps: list[Record]) -> LedgerState:
    return replay([record for step in steps for record in step])


def test_a_succeeded_preview_sits_beside_the_current_revision() -> None:
    state = run(finished("deploy", 4), finished("preview", 5))
    live = state.current("api", "prod", 2)
    assert live is not None and live.revision == 4
    assert [p.revision for p in state.previews_of("api", "prod", 2)] == [5]
    assert state.preview("api", "prod", 2, 5) is not None
    assert state.previewed_in("api", "prod", 2, 5)
    assert state.lock("api", "prod") is None


def test_a_preview_takes_the_lock_while_it_runs() -> None:
    state = run(finished("deploy", 4), finished("preview", 5)[:1])
    lock = state.lock("api", "prod")
    assert lock is not None and lock.action == "preview"
    assert state.previews_of("api", "prod", 2) == ()


def test_a_failed_preview_is_not_in_preview_and_releases_the_lock() -> None:
    state = run(finished("deploy", 4), finished("preview", 5, status="failed"))
    assert state.previews_of("api", "prod", 2) == ()
    assert not state.previewed_in("api", "prod", 2, 5)
    assert state.lock("api", "prod") is None


def test_deploying_a_previewed_revision_makes_it_current_and_drops_previews_at_or_below() -> None:
    state = run(
        finished("deploy", 4), finished("preview", 5), finished("preview", 6), finished("deploy", 5)
    )
    live = state.current("api", "prod", 2)
    assert live is not None and live.revision == 5
    assert [p.revision for p in state.previews_of("api", "prod", 2)] == [6]
    # Promotion needs the preview to have succeeded; that stays known after it became current.
    assert state.previewed_in("api", "prod", 2, 5)


def test_a_withdrawal_ends_the_preview_and_its_promotion() -> None:
    state = run(finished("deploy", 4), finished("preview", 5), finished("withdraw", 5))
    assert state.previews_of("api", "prod", 2) == ()
    assert not state.previewed_in("api", "prod", 2, 5)
    live = state.current("api", "prod", 2)
    assert live is not None and live.revision == 4


def test_previews_are_per_environment_and_major() -> None:
    state = run(
        finished("deploy", 4),
        finished("deploy", 4, env="stage"),
        finished("preview", 5, env="stage"),
        finished("deploy", 1, major=3),
    )
    assert state.previews_of("api", "prod", 2) == ()
    assert [p.revision for p in state.previews_of("api", "stage", 2)] == [5]
    assert state.previews_of("api", "stage", 3) == ()


def test_first_live_is_the_first_success_and_never_moves() -> None:
    later = datetime(2026, 3, 1, tzinfo=UTC)
    state = run(
        finished("deploy", 1, status="failed"),
        finished("preview", 1, now=later),
        finished("deploy", 1, now=later),
        finished("deploy", 2, now=datetime(2026, 5, 1, tzinfo=UTC)),
    )
    assert state.first_live_at("api", "prod", 2) == later
    assert state.first_live_at("api", "stage", 2) is None


def test_a_preview_alone_does_not_make_a_major_live() -> None:
    state = run(finished("deploy", 1, major=1), finished("preview", 1, major=2))
    assert state.first_live_at("api", "prod", 2) is None


def test_snapshot_with_previews_round_trips_through_json() -> None:
    state = run(
        finished("deploy", 4), finished("preview", 5), finished("preview", 7), finished("deploy", 5)
    )
    again = LedgerState.from_json(state.to_json())
    assert again == state
    assert again.to_json()["format"] == 2
