"""What the report needs from the ledger's records beyond its state, gathered in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from relorch.ledger.records import Record
from relorch.ledger.state import parse_time

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LedgerView:
    """Records by id, the last finished deploy per (api, env, major), notices sent (key ->
    when), and the days of successful production deploys per (api, major)."""

    by_id: dict[str, Record]
    last_finished: dict[tuple[str, str, int], Record]
    notices: dict[str, datetime]
    production_days: dict[tuple[str, int], tuple[datetime, ...]]
    first_time: datetime


def view_of(records: Sequence[Record], production: str | None) -> LedgerView:
    """The view of `records` (oldest first)."""
    by_id: dict[str, Record] = {}
    last: dict[tuple[str, str, int], Record] = {}
    notices: dict[str, datetime] = {}
    days: dict[tuple[str, int], dict[str, None]] = {}
    for r in records:
        by_id[r.id] = r
        if r.action in {"deploy", "rollback"} and r.major is not None and r.status != "started":
            last[(r.api, r.env, r.major)] = r
            if r.env == production and r.status == "succeeded":
                # One tick a day is all a drawing can show; the day keeps it deterministic.
                days.setdefault((r.api, r.major), {})[r.time[:10]] = None
        elif r.action == "notice" and r.extra.get("key") and r.extra["key"] not in notices:
            notices[r.extra["key"]] = parse_time(r.time)
    production_days = {
        key: tuple(parse_time(day + "T00:00:00Z") for day in value) for key, value in days.items()
    }
    first = parse_time(records[0].time) if records else EPOCH
    return LedgerView(by_id, last, notices, production_days, first)
