"""Announcement text: an event's facts rendered through a sandboxed Jinja2 template."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from relorch.channels.events import Announcement
from relorch.errors import ConfigError

DEFAULT_TEMPLATE = "announcement.j2"
KINDS = (
    "pending",
    "rollback_pending",
    "succeeded",
    "failed",
    "held",
    "cancelled",
    "rolled_back",
    "notice",
)
# C0 controls but tab and newline, DEL and C1: hostile release notes must not drive a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Safe(str):
    """Text already in the channel's markup (made by a helper); not escaped again."""

    __slots__ = ()


@dataclass(frozen=True)
class Markup:
    """How one family of channels writes bold, code and links, and what it must escape."""

    name: str
    escape: Callable[[str], str]
    bold: str  # format with {0}
    code: str
    link: str  # format with {url} and {label}


def _slack_escape(text: str) -> str:
    # Slack mrkdwn control characters (api.slack.com "Formatting text"): & < > only; an
    # unescaped "<!channel>" in a release note would otherwise ping the whole channel.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _markdown_escape(text: str) -> str:
    # Teams renders Markdown: a hold reason "[click](javascript:...)" or "<img ...>" must show
    # as the text it is, never as a live link or markup. Backslash escapes are CommonMark's.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


MARKUPS: dict[str, Markup] = {
    "slack": Markup("slack", _slack_escape, "*{0}*", "`{0}`", "<{url}|{label}>"),
    "markdown": Markup("markdown", _markdown_escape, "**{0}**", "`{0}`", "[{label}]({url})"),
    "text": Markup("text", str, "{0}", "{0}", "{label} ({url})"),
}


def hold_command(ref: str, env: str) -> str:
    """The exact command that objects to a pending deploy, reason left for the reader."""
    return f'relorch hold {shlex.quote(ref)} --env {shlex.quote(env)} --reason "..."'


def rollback_command(env: str, ref: str | None = None) -> str:
    """The exact command that rolls `env` back (one major's line when `ref` names it)."""
    tail = f" {shlex.quote(ref)}" if ref else ""
    return f"relorch rollback --env {shlex.quote(env)}{tail}"


def commands(event: Announcement, *, several_apis: bool = False) -> tuple[str | None, str | None]:
    """The hold and rollback commands a message shows: the event's own, else the defaults."""
    hold = event.hold_command
    if event.mode == "withdraw":
        hold = None  # a hold names a revision to keep out; it never keeps a preview in place
    elif hold is None and event.kind in ("pending", "rollback_pending") and event.env:
        target = event.tag or event.ref
        hold = hold_command(target, event.env) if target else None
    rollback = event.rollback_command
    if rollback is None and event.kind in ("pending", "succeeded") and event.env:
        line = f"v{event.major}" if event.major is not None else None
        if line and several_apis and event.api:
            line = f"{event.api}/{line}"
        rollback = rollback_command(event.env, line)
        if event.mode == "preview":  # taking a preview back is a withdrawal
            rollback += " --preview"
    return hold, rollback


def context(
    event: Announcement, *, markup: str, channel: str, now: datetime, several_apis: bool = False
) -> dict[str, object]:
    """Every variable a template sees (documented in docs/channels.md)."""
    subject = event.tag or event.ref
    if event.api and not subject.startswith(event.api + "/"):
        subject = f"{event.api} {subject}".strip()
    hold, rollback = commands(event, several_apis=several_apis)
    return {
        "kind": event.kind,
        "api": event.api,
        "env": event.env,
        "ref": event.ref,
        "tag": event.tag,
        "sha": event.sha,
        "short_sha": event.sha[:7],
        "major": event.major,
        "revision": event.revision,
        "live_tag": event.live_tag,
        "notes": list(event.notes),
        "flags": list(event.flags),
        "actor": event.actor or "unknown",
        "run_url": event.run_url,
        "notice_ends": event.notice_ends,
        "notice_ends_text": format_time(event.notice_ends) if event.notice_ends else None,
        "hold_command": hold,
        "rollback_command": rollback,
        "reason": event.reason,
        "message": event.message,
        "extra": dict(event.extra),
        "mode": event.mode,
        "preview_url": event.preview_url,
        "previewed_since": event.previewed_since,
        "previewed_since_text": (
            format_time(event.previewed_since) if event.previewed_since else None
        ),
        "subject": subject,
        "channel": channel,
        "markup": markup,
        "now": now,
        "now_text": format_time(now),
    }


def format_time(when: datetime) -> str:
    """A time as people read it in a message: UTC, to the minute."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def render(
    event: Announcement,
    *,
    markup: str,
    channel: str,
    now: datetime,
    template: Path | None = None,
    several_apis: bool = False,
) -> str:
    """The message text for `event` in `markup` ("slack", "markdown" or "text")."""
    values = context(event, markup=markup, channel=channel, now=now, several_apis=several_apis)
    compiled = _compile(markup, template)
    try:
        text = compiled.render(values)
    except (
        TemplateError,
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
    ) as exc:
        where = str(template) if template else DEFAULT_TEMPLATE
        raise ConfigError(
            f"template {where} failed for a {event.kind!r} announcement: "
            f"{type(exc).__name__}: {exc}",
            hint="the variables a template can use are listed in docs/channels.md",
        ) from None
    return tidy(text)


def check_template(path: Path, *, several_apis: bool = False) -> None:
    """Compile `path` and render it for every kind of event; ConfigError on the first problem."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for kind in KINDS:
        sample = Announcement(
            kind=kind,
            api="api",
            env="production",
            ref="v2@rev4",
            tag="v2-rev4",
            sha="0123456789abcdef0123456789abcdef01234567",
            major=2,
            revision=4,
            live_tag="v2-rev3",
            notes=("feat: sample",),
            actor="someone",
            run_url="https://ci.example.net/run/1",
            notice_ends=now,
            reason="sample reason",
            message="sample message",
        )
        for markup in MARKUPS:
            render(
                sample,
                markup=markup,
                channel="check",
                now=now,
                template=path,
                several_apis=several_apis,
            )


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no blank lines at either end."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _compile(markup: str, template: Path | None) -> Template:
    env = _environment(markup)
    if template is None:
        source = resources.files("relorch").joinpath("templates", DEFAULT_TEMPLATE)
        text, name = source.read_text(encoding="utf-8"), DEFAULT_TEMPLATE
    else:
        try:
            text, name = template.read_text(encoding="utf-8"), str(template)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"template {template}: cannot read: {exc}") from None
    try:
        return env.from_string(text)
    except TemplateSyntaxError as exc:
        raise ConfigError(f"template {name}:{exc.lineno}: {exc.message}") from None


@cache
def _environment(markup: str) -> ImmutableSandboxedEnvironment:
    style = MARKUPS[markup]

    def clean(value: object) -> str:
        return _CONTROL.sub("", str(value))

    def finalize(value: object) -> str:
        return value if isinstance(value, Safe) else style.escape(clean(value))

    def bold(value: object) -> Safe:
        return Safe(style.bold.format(style.escape(clean(value))))

    def code(value: object) -> Safe:
        return Safe(style.code.format(style.escape(clean(value))))

    def link(url: object, label: object = None) -> Safe:
        address = clean(url).replace(" ", "%20")
        text = style.escape(clean(label if label is not None else url))
        if not address.lower().startswith("https://"):
            # Links only to https: (run URLs, migration guides); anything else (javascript:,
            # data:, a plain-http page) is shown as text, never made clickable.
            shown = style.escape(clean(url))
            return Safe(text if label is None or text == shown else f"{text} ({shown})")
        if markup == "slack":
            address = _slack_escape(address).replace("|", "%7C")
        elif markup == "markdown":
            address = address.replace(")", "%29")
        return Safe(style.link.format(url=address, label=text))

    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    filters: Mapping[str, Callable[..., Safe]] = {"bold": bold, "code": code}
    env.filters.update(filters)
    env.globals.update({"link": link, "bold": bold, "code": code})
    return env
