"""The values announcements are made of: resolved channels, outgoing messages, deliveries."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from relorch.errors import ConfigError, OperationalError
from relorch.masking import mask


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one delivery tries: attempts, backoff, the Retry-After cap and timeouts (s)."""

    attempts: int = 4
    backoff: float = 0.5  # first wait; doubles per attempt, with jitter
    backoff_cap: float = 8.0
    retry_after_cap: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # between two reads
    # The whole attempt: connect, send, headers and body. Per-read timeouts alone let a server
    # dripping one byte (or one header line) every few seconds hold a deploy for an hour.
    total_timeout: float = 30.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> RetryPolicy:
        """Defaults, tuned by RELORCH_ANNOUNCE_ATTEMPTS and RELORCH_ANNOUNCE_BACKOFF when set."""
        env = os.environ if environ is None else environ
        try:
            attempts = int(env.get("RELORCH_ANNOUNCE_ATTEMPTS") or cls.attempts)
            backoff = float(env.get("RELORCH_ANNOUNCE_BACKOFF") or cls.backoff)
            total = float(env.get("RELORCH_ANNOUNCE_TIMEOUT") or cls.total_timeout)
        except ValueError:
            attempts, backoff, total = 0, -1.0, 0.0
        if attempts < 1 or not 0 <= backoff <= 60 or not 0 < total <= 600:
            raise ConfigError(
                "RELORCH_ANNOUNCE_ATTEMPTS must be a whole number >= 1, "
                "RELORCH_ANNOUNCE_BACKOFF a number of seconds between 0 and 60 and "
                "RELORCH_ANNOUNCE_TIMEOUT a number of seconds above 0, at most 600",
                hint="unset them to use the defaults (4 attempts, 0.5 s first backoff, "
                "30 s per attempt)",
            )
        return cls(
            attempts=attempts,
            backoff=backoff,
            total_timeout=total,
            read_timeout=min(cls.read_timeout, total),
            connect_timeout=min(cls.connect_timeout, total),
        )


@dataclass(frozen=True)
class Channel:
    """A configured channel resolved against the environment: where its messages go."""

    name: str
    kind: str  # slack | teams | webhook | console | file
    url_env: str | None = None
    url: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)
    path: Path | None = None
    template: Path | None = None

    @property
    def target(self) -> str:
        """Where messages go, safe to print: the variable holding the URL, a file, or stderr."""
        if self.url_env:
            return "$" + self.url_env
        if self.path is not None:
            return str(self.path)
        return "stderr"


@dataclass(frozen=True)
class Outgoing:
    """One message ready to deliver: the exact bytes and headers, fixed across retries."""

    channel: Channel
    event: str
    delivery_id: str
    text: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Delivery:
    """What happened to one Outgoing: delivered or not, after how many attempts."""

    channel: str
    kind: str
    delivery_id: str
    attempts: int
    status: int | None = None  # the last HTTP status, None for console/file or no answer
    problem: str | None = None  # masked description when not delivered

    @property
    def delivered(self) -> bool:
        """True when the channel accepted the message."""
        return self.problem is None

    def as_dict(self) -> dict[str, object]:
        """Machine-readable form for --json."""
        return {
            "channel": self.channel,
            "kind": self.kind,
            "delivery_id": self.delivery_id,
            "attempts": self.attempts,
            "status": self.status,
            "delivered": self.delivered,
            "problem": self.problem,
        }


class AnnounceError(OperationalError):
    """At least one channel could not be reached after retries (exit 1); nothing leaks."""

    default_hint = (
        "check the channel's URL variable and the service's status; an environment with "
        'announce_failure = "warn" deploys anyway'
    )

    def __init__(self, deliveries: list[Delivery]) -> None:
        self.deliveries = deliveries
        failed = [d for d in deliveries if not d.delivered]
        parts = [
            f"channel {d.channel!r} ({d.kind}) after {d.attempts} attempt"
            f"{'s' if d.attempts != 1 else ''}: {d.problem}"
            for d in failed
        ]
        super().__init__(mask("announcement not delivered to " + "; ".join(parts)))

    @property
    def delivered(self) -> list[Delivery]:
        """The deliveries that did reach their channel."""
        return [d for d in self.deliveries if d.delivered]
