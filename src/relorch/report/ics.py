"""calendar.ics: every sunset and sunset reminder as an all-day event (RFC 5545).

A UID names the event (kind, API, major, repository), never the run, so a calendar that
subscribes to the file updates an event whose date moved instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from relorch import __version__
from relorch.policy.support import CURRENT
from relorch.report.build import event_uid
from relorch.report.model import Site


def calendar_ics(site: Site) -> str:
    """The calendar text, CRLF line ends, long lines folded."""
    stamp = site.generated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//relorch//relorch {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:API sunsets and reminders",
    ]
    for uid, day, summary, description in _events(site):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_text(summary)}",
            f"DESCRIPTION:{_text(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _events(site: Site) -> Iterator[tuple[str, datetime, str, str]]:
    for repo in site.repos:
        where = f" ({repo.name})" if site.fleet else ""
        for life in repo.lifecycles:
            if life.state == CURRENT:
                continue
            name = f"{life.api} v{life.major}"
            if life.sunset_at is not None:
                yield (
                    event_uid("sunset", life.api, life.major, repo.ident),
                    life.sunset_at.astimezone(UTC),
                    f"Sunset: {name}{where}",
                    f"{name} leaves support and is retired. Latest revision: {life.latest_tag}.",
                )
            if life.reminder_at is not None:
                yield (
                    event_uid("reminder", life.api, life.major, repo.ident),
                    life.reminder_at.astimezone(UTC),
                    f"Sunset reminder: {name}{where}",
                    f"The reminder before the sunset of {name} is due"
                    + (f" ({life.sunset_at.date().isoformat()})." if life.sunset_at else "."),
                )


def _text(value: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (§3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)
