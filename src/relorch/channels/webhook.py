"""The generic webhook: a documented JSON body, a delivery id and an HMAC-SHA256 signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from relorch.channels.events import Announcement
from relorch.documents import schema_id

SCHEMA = schema_id("announcement")
SIGNATURE_HEADER = "X-Relorch-Signature"
DELIVERY_HEADER = "X-Relorch-Delivery"
EVENT_HEADER = "X-Relorch-Event"


def body(
    event: Announcement,
    *,
    channel: str,
    delivery_id: str,
    text: str,
    now: datetime,
    hold_command: str | None,
    rollback_command: str | None,
) -> dict[str, object]:
    """The JSON object webhook receivers and the file channel get (docs/channels.md)."""
    return {
        "schema": SCHEMA,
        "delivery_id": delivery_id,
        "time": iso(now),
        "channel": channel,
        "event": event.kind,
        "api": event.api or None,
        "env": event.env or None,
        "ref": event.ref or None,
        "tag": event.tag or None,
        "sha": event.sha or None,
        "major": event.major,
        "revision": event.revision,
        "live_tag": event.live_tag,
        "notes": list(event.notes),
        **({"flags": list(event.flags)} if event.flags else {}),
        "actor": event.actor or None,
        "run_url": event.run_url,
        "notice_ends": iso(event.notice_ends) if event.notice_ends else None,
        "hold_command": hold_command,
        "rollback_command": rollback_command,
        "reason": event.reason,
        "message": event.message,
        "extra": dict(sorted(event.extra.items())),
        "mode": event.mode,
        "preview_url": event.preview_url,
        "previewed_since": iso(event.previewed_since) if event.previewed_since else None,
        "text": text,
    }


def encode(data: object) -> bytes:
    """Compact UTF-8 JSON on one line: the exact bytes that are sent and signed."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, payload: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC-SHA256 of the exact body bytes>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def iso(when: datetime) -> str:
    """UTC ISO 8601 with a Z, to the second."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
