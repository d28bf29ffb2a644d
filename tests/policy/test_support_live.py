"""The lifecycle follows the ledger: a major is released when it first goes live in live_env."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from relorch.config import Config, parse_config
from relorch.errors import ConfigError
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState, replay
from relorch.policy.support import CURRENT, DEPRECATED, RETIRED, release_moments, support_states
from tests.policy.test_support import at, history

H = history(
    (1, [at("2025-01-10")]), (2, [at("2026-01-15T10:00:00")]), (3, [at("2026-06-01T00:00:00")])
)


def config(
    live_env: str | None = None, envs: tuple[str, ...] = ("staging", "production")
) -> Config:
    support: dict[str, object] = {"deprecation_period": "6 months", "reminder_before": "4 weeks"}
    if live_env is not None:
        support["live_env"] = live_env
    data = {"apis": {"products": {}}, "support": support, "environments": {e: {} for e in envs}}
    return parse_config(data, root=Path("/nonexistent"))


def went_live(env: str, major: int, when: datetime, action: str = "deploy") -> list[Record]:
    common = {
        "api": "products",
        "env": env,
        "action": action,
        "actor": "ann",
        "major": major,
        "revision": 1,
        "tag": f"v{major}-rev1",
        "sha": "a" * 40,
        "now": when,
    }
    started = new_record(status="started", **common)  # type: ignore[arg-type]
    return [started, new_record(status="succeeded", lock=started.id, **common)]  # type: ignore[arg-type]


def ledger(*steps: list[Record]) -> LedgerState:
    return replay([r for step in steps for r in step])


def states(cfg: Config, state: LedgerState, now: str) -> dict[int, object]:
    return support_states(H, cfg.support, at(now), release_moments(cfg, H, state))  # type: ignore[return-value]


def test_a_major_tagged_but_not_live_keeps_its_predecessor_current() -> None:
    state = ledger(
        went_live("production", 1, at("2025-02-01")), went_live("staging", 2, at("2026-02-01"))
    )
    result = support_states(
        H, config().support, at("2026-03-01"), release_moments(config(), H, state)
    )
    assert result[1].state == CURRENT and result[1].sunset_at is None
    assert result[2].state == CURRENT and result[2].released_at is None


def test_first_success_in_live_env_deprecates_the_predecessor_from_that_moment() -> None:
    state = ledger(
        went_live("production", 1, at("2025-02-01")),
        went_live("production", 2, at("2026-03-10T08:00:00")),
    )
    v1 = support_states(H, config().support, at("2026-04-01"), release_moments(config(), H, state))[
        1
    ]
    assert v1.state == DEPRECATED and v1.successor == 2
    assert v1.deprecated_at == at("2026-03-10T08:00:00")
    assert v1.sunset_at == at("2026-09-10T08:00:00")
    assert v1.reminder_at == at("2026-08-13T08:00:00")


def test_sunset_from_a_ledger_moment_on_31_august_is_the_end_of_february() -> None:
    state = ledger(went_live("production", 2, at("2026-08-31T23:30:00")))
    v1 = support_states(H, config().support, at("2026-09-01"), release_moments(config(), H, state))[
        1
    ]
    assert v1.deprecated_at == at("2026-08-31T23:30:00")
    assert v1.sunset_at == at("2027-02-28T23:30:00")
    assert v1.reminder_at == at("2027-01-31T23:30:00")


def test_sunset_from_a_ledger_moment_on_31_january_in_a_leap_year_is_29_february() -> None:
    state = ledger(went_live("production", 2, at("2027-08-31T00:00:00")))
    cfg = config()
    v1 = support_states(H, cfg.support, at("2027-09-01"), release_moments(cfg, H, state))[1]
    assert v1.sunset_at == at("2028-02-29T00:00:00")


def test_a_preview_in_live_env_releases_nothing() -> None:
    state = ledger(went_live("production", 2, at("2026-03-01"), action="preview"))
    cfg = config()
    assert (
        support_states(H, cfg.support, at("2026-04-01"), release_moments(cfg, H, state))[1].state
        == CURRENT
    )


def test_a_later_redeploy_does_not_move_the_clock() -> None:
    state = ledger(
        went_live("production", 2, at("2026-03-10")), went_live("production", 2, at("2026-05-10"))
    )
    cfg = config()
    v1 = support_states(H, cfg.support, at("2026-06-01"), release_moments(cfg, H, state))[1]
    assert v1.deprecated_at == at("2026-03-10")


def test_retirement_by_count_waits_for_the_pusher_to_go_live() -> None:
    state = ledger(went_live("production", 2, at("2026-03-10")))
    cfg = config()
    moments = release_moments(cfg, H, state)
    before = support_states(H, cfg.support, at("2026-07-01"), moments)
    assert (
        before[1].state == DEPRECATED and before[2].state == CURRENT and before[3].state == CURRENT
    )
    state = state.apply(went_live("production", 3, at("2026-07-02")))
    after = support_states(H, cfg.support, at("2026-07-03"), release_moments(cfg, H, state))
    assert after[1].state == RETIRED and after[1].retired_at == at("2026-07-02")
    assert after[2].state == DEPRECATED and after[2].deprecated_at == at("2026-07-02")


def test_live_env_names_which_environment_releases() -> None:
    state = ledger(went_live("staging", 2, at("2026-03-10")))
    cfg = config(live_env="staging")
    v1 = support_states(H, cfg.support, at("2026-04-01"), release_moments(cfg, H, state))[1]
    assert v1.state == DEPRECATED and v1.deprecated_at == at("2026-03-10")


def test_without_environments_the_tag_date_releases_a_major() -> None:
    cfg = config(envs=())
    moments = release_moments(cfg, H, LedgerState())
    assert moments == {1: at("2025-01-10"), 2: at("2026-01-15T10:00:00"), 3: at("2026-06-01")}
    v1 = support_states(H, cfg.support, at("2026-02-01"), moments)[1]
    assert v1.deprecated_at == at("2026-01-15T10:00:00")


def test_without_the_default_live_env_configured_the_tag_date_releases_a_major() -> None:
    cfg = config(envs=("staging", "prod"))
    assert cfg.live_environment() is None
    assert release_moments(cfg, H, LedgerState())[2] == at("2026-01-15T10:00:00")


def test_an_explicit_live_env_that_is_no_environment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="live_env names unknown environment 'prod'"):
        config(live_env="prod")
