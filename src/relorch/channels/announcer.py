"""Announcing an event: plan the exact message per channel, then deliver every one."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from relorch.channels import local, messages, slack, teams, webhook
from relorch.channels.events import Announcement
from relorch.channels.model import AnnounceError, Channel, Delivery, Outgoing, RetryPolicy
from relorch.channels.resolve import HTTP_KINDS, resolve_channels
from relorch.config import Config
from relorch.masking import mask
from relorch.output import Reporter

MARKUP = {
    "slack": "slack",
    "teams": "markdown",
    "webhook": "text",
    "console": "text",
    "file": "text",
}


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def validate_channels(
    config: Config, names: Sequence[str], environ: Mapping[str, str] | None = None
) -> None:
    """Check that every named channel can be used, before a deploy starts.

    ConfigError (exit 2) for an unknown channel, an unset URL or secret variable, an
    unusable or retired URL, or a template override that does not render.
    """
    for channel in resolve_channels(config, names, environ):
        if channel.template is not None:
            messages.check_template(channel.template, several_apis=len(config.apis) > 1)


def plan(
    config: Config,
    names: Sequence[str],
    event: Announcement,
    *,
    now: datetime,
    environ: Mapping[str, str] | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[Outgoing]:
    """The exact message each named channel will get; nothing is sent."""
    several = len(config.apis) > 1
    return [
        build(channel, event, now=now, delivery_id=new_id(), several_apis=several)
        for channel in resolve_channels(config, names, environ)
    ]


def build(
    channel: Channel,
    event: Announcement,
    *,
    now: datetime,
    delivery_id: str,
    several_apis: bool = False,
) -> Outgoing:
    """One channel's Outgoing: rendered text, body bytes and headers (signature included)."""
    text = mask(
        messages.render(
            event,
            markup=MARKUP[channel.kind],
            channel=channel.name,
            now=now,
            template=channel.template,
            several_apis=several_apis,
        )
    )
    data: object = None
    if channel.kind == "slack":
        data = slack.payload(text)
    elif channel.kind == "teams":
        data = teams.payload(text, event.run_url)
    elif channel.kind in ("webhook", "file"):
        hold, rollback = messages.commands(event, several_apis=several_apis)
        data = webhook.body(
            event,
            channel=channel.name,
            delivery_id=delivery_id,
            text=text,
            now=now,
            hold_command=hold,
            rollback_command=rollback,
        )
    if data is None:  # console: the text itself
        body = text.encode("utf-8")
    else:  # whatever leaves the process is masked, and signed only after that
        body = mask(webhook.encode(data).decode("utf-8")).encode("utf-8")
    headers: list[tuple[str, str]] = []
    if channel.kind == "file":
        body += b"\n"
    elif channel.kind == "webhook":
        headers += [(webhook.DELIVERY_HEADER, delivery_id), (webhook.EVENT_HEADER, event.kind)]
        if channel.secret:
            headers.append((webhook.SIGNATURE_HEADER, webhook.sign(channel.secret, body)))
    return Outgoing(
        channel=channel,
        event=event.kind,
        delivery_id=delivery_id,
        text=text,
        body=body,
        headers=tuple(headers),
    )


def deliver(
    outgoing: Sequence[Outgoing],
    reporter: Reporter,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    clock: Callable[[], datetime],
) -> list[Delivery]:
    """Send every message (each channel tried even when another failed); never raises."""
    deliveries: list[Delivery] = []
    remote = [o for o in outgoing if o.channel.kind in HTTP_KINDS]
    transport = None
    if remote:
        from relorch.channels.delivery import Transport

        transport = Transport(policy, reporter, sleep=sleep, clock=clock)
    try:
        for message in outgoing:
            if message.channel.kind == "console":
                delivery = local.to_console(message, reporter)
            elif message.channel.kind == "file":
                delivery = local.to_file(message)
            else:
                assert transport is not None
                delivery = transport.post(message)
            if delivery.delivered and message.channel.kind != "console":
                reporter.ok(f"announced on {message.channel.name} ({message.channel.kind})")
            deliveries.append(delivery)
    finally:
        if transport is not None:
            transport.session.close()
    return deliveries


def announce(
    config: Config,
    names: Sequence[str],
    event: Announcement,
    reporter: Reporter,
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
    environ: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Deliver `event` to every named channel; AnnounceError when any could not be reached.

    The error lists each failed channel with what its server answered (masked) and carries
    all deliveries, so a caller with announce_failure = "warn" can report what did arrive.
    """
    outgoing = plan(config, names, event, now=clock(), environ=environ)
    deliveries = deliver(
        outgoing,
        reporter,
        policy=policy or RetryPolicy.from_environment(),
        sleep=sleep,
        clock=clock,
    )
    if any(not d.delivered for d in deliveries):
        raise AnnounceError(deliveries)
    return deliveries
