"""One ledger record: an append-only JSON object (deploy, rollback, preview, hold, flags, …)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from relorch.masking import mask

# preview: a revision put beside the current one; withdraw: a preview taken away again.
ACTIONS = ("deploy", "rollback", "preview", "withdraw", "hold", "unhold", "notice", "flags")
# started -> succeeded | failed | abandoned (lock broken); hold -> held; unhold -> lifted.
# announced: a deploy or preview began its notice window (extra["notice_until"]); it takes no
# lock and changes nothing of what is live — it only lets readers see that a deploy is waiting.
STATUSES = ("announced", "started", "succeeded", "failed", "abandoned", "held", "lifted", "sent")


@dataclass(frozen=True)
class Record:
    """One line of the ledger. Every text field is masked before it is stored."""

    id: str
    time: str
    api: str
    env: str
    action: str
    status: str
    major: int | None = None
    revision: int | None = None
    tag: str | None = None
    sha: str | None = None
    actor: str = ""
    reason: str | None = None
    run_url: str | None = None
    lock: str | None = None  # the id of the `started` record this record finishes or breaks
    extra: dict[str, str] = field(default_factory=dict)
    # The commit whose config governed the record (None in records from before it was kept).
    config_commit: str | None = None

    def to_line(self) -> str:
        """The record as one JSON line (ASCII, so no character can split the line)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_line(cls, line: str) -> Record:
        """Parse a line written by to_line (unknown keys from newer writers are kept in extra)."""
        return cls.from_data(json.loads(line))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Record:
        """The record of one parsed line (a JSON object written by to_line or to_json)."""
        extra = dict(data.get("extra") or {})
        extra.update({k: str(v) for k, v in data.items() if k not in FIELD_NAMES})
        values = {k: v for k, v in data.items() if k in FIELD_NAMES and k != "extra"}
        return cls(**values, extra=extra)


# fields() per parsed record was a third of reading a 10,000-record ledger.
FIELD_NAMES = frozenset(f.name for f in fields(Record))


def new_record(
    *,
    api: str,
    env: str,
    action: str,
    status: str,
    now: datetime,
    actor: str,
    major: int | None = None,
    revision: int | None = None,
    tag: str | None = None,
    sha: str | None = None,
    reason: str | None = None,
    run_url: str | None = None,
    lock: str | None = None,
    extra: dict[str, str] | None = None,
) -> Record:
    """A fresh record with a unique id and the time in UTC; secrets masked out of every text."""
    if action not in ACTIONS or status not in STATUSES:
        raise ValueError(f"unknown ledger action/status {action}/{status}")
    return Record(
        id=uuid.uuid4().hex,
        time=format_time(now),
        api=api,
        env=env,
        action=action,
        status=status,
        major=major,
        revision=revision,
        tag=tag,
        sha=sha,
        actor=mask(actor),
        reason=mask(reason) if reason is not None else None,
        run_url=mask(run_url) if run_url else None,
        lock=lock,
        extra={k: mask(v) for k, v in (extra or {}).items()},
    )


def format_time(when: datetime) -> str:
    """UTC ISO 8601 with seconds and a Z: 2026-01-15T10:00:00Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
