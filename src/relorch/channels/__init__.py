"""Announcement channels (Slack, Teams, webhook, console, file): validate them, announce."""

from __future__ import annotations

from relorch.channels.announcer import announce, build, deliver, plan, validate_channels
from relorch.channels.model import AnnounceError, Channel, Delivery, Outgoing, RetryPolicy
from relorch.channels.resolve import resolve_channels

__all__ = [
    "AnnounceError",
    "Channel",
    "Delivery",
    "Outgoing",
    "RetryPolicy",
    "announce",
    "build",
    "deliver",
    "plan",
    "resolve_channels",
    "validate_channels",
]
