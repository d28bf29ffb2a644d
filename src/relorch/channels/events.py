"""What an announcement is about: the facts a channel renders into a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Announcement:
    """One event worth telling the channel: a pending deploy, its result, or a free-form notice.

    kind: "pending" (before the deploy step), "succeeded", "failed", "held", "cancelled" (a
    pending deploy called off: another channel could not be told), "rolled_back",
    "rollback_pending", or "notice" (free text in `message`). `mode` says what the step does
    with the revision: "current" (deploy, rollback), "preview" (beside the current one,
    reachable at `preview_url`) or "withdraw" (a preview taken away; kinds rollback_pending
    and rolled_back).
    """

    kind: str
    api: str = ""
    env: str = ""
    ref: str = ""
    tag: str = ""
    sha: str = ""
    major: int | None = None
    revision: int | None = None
    live_tag: str | None = None  # what is live in env now
    notes: tuple[str, ...] = ()  # release notes between live and coming
    actor: str = ""
    run_url: str | None = None
    notice_ends: datetime | None = None
    hold_command: str | None = None
    rollback_command: str | None = None
    reason: str | None = None
    message: str | None = None
    flags: tuple[str, ...] = ()  # feature flags switching on with this deploy or in its window
    extra: dict[str, str] = field(default_factory=dict)
    mode: str = "current"
    preview_url: str | None = None
    previewed_since: datetime | None = None  # a deploy making a preview current: since when
