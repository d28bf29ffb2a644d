"""`relorch notify`: the support policy's lifecycle notices, each sent once and recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from relorch.channels.events import Announcement
from relorch.config import Config
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState
from relorch.ledger.store import Ledger
from relorch.model.history import ApiHistory
from relorch.policy.support import SupportState, release_moments, support_states

NOTICE_ENV = "*"  # notices concern every environment of an API


@dataclass(frozen=True)
class Notice:
    """One lifecycle notice: a major's deprecation, or the reminder before its sunset."""

    key: str  # what the ledger remembers, so each notice goes out once
    kind: str  # "deprecation" | "reminder"
    api: str
    major: int
    message: str

    def as_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "key": self.key,
            "kind": self.kind,
            "api": self.api,
            "major": self.major,
            "message": self.message,
        }


def due_notices(
    config: Config, histories: Mapping[str, ApiHistory], state: LedgerState, now: datetime
) -> list[Notice]:
    """Notices the policy calls for at `now` that the ledger has not recorded as sent.

    A major's deprecation notice is due once its successor is released to consumers (first
    live in [support] live_env), its reminder once `reminder_before` the sunset is reached.
    """
    due = []
    for name in sorted(histories):
        released = release_moments(config, histories[name], state)
        states = support_states(histories[name], config.support, now, released)
        for major, support in sorted(states.items()):
            for notice in _notices(config, name, major, support, now):
                if notice.key not in state.notices:
                    due.append(notice)
    return due


def _notices(config: Config, api: str, major: int, s: SupportState, now: datetime) -> list[Notice]:
    if s.state != "deprecated" or s.successor is None:
        return []
    sunset = s.sunset_at.date().isoformat() if s.sunset_at else "a date to be announced"
    guide = config.support.migration_guide
    how = f" Migration guide: {guide}" if guide else ""
    out = [
        Notice(
            key=f"deprecation:{api}:v{major}",
            kind="deprecation",
            api=api,
            major=major,
            message=f"{api} v{major} is deprecated: v{s.successor} is available. v{major} stays "
            f"supported until {sunset}, then it is retired.{how}",
        )
    ]
    if s.reminder_at is not None and now >= s.reminder_at:
        out.append(
            Notice(
                key=f"reminder:{api}:v{major}",
                kind="reminder",
                api=api,
                major=major,
                message=f"Reminder: {api} v{major} is retired on {sunset}. Move to "
                f"v{s.successor} before then.{how}",
            )
        )
    return out


def send_notices(
    ledger: Ledger,
    notices: Sequence[Notice],
    deliver: Callable[[Announcement], object],
    *,
    actor: str,
    run_url: str | None,
    now: datetime,
) -> list[Notice]:
    """Deliver each notice, then record it (a notice another job recorded meanwhile is not
    recorded twice). Delivery comes first: a failed delivery leaves it due for the next run."""
    sent = []
    for notice in notices:
        deliver(
            Announcement(
                kind="notice",
                api=notice.api,
                major=notice.major,
                actor=actor,
                run_url=run_url,
                message=notice.message,
            )
        )
        record = new_record(
            api=notice.api,
            env=NOTICE_ENV,
            action="notice",
            status="sent",
            now=now,
            actor=actor,
            run_url=run_url,
            major=notice.major,
            reason=notice.kind,
            extra={"key": notice.key},
        )

        def once(state: LedgerState, key: str = notice.key, rec: Record = record) -> list[Record]:
            return [] if key in state.notices else [rec]

        ledger.append(once, subject=f"notice {notice.key}: sent")
        sent.append(notice)
    return sent
