"""Durations from config ("90s", "15m", "4 weeks", "6 months"); months are calendar months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_UNITS: dict[str, tuple[int, int]] = {}  # unit -> (months, seconds)
for _names, _value in (
    (("s", "sec", "secs", "second", "seconds"), (0, 1)),
    (("m", "min", "mins", "minute", "minutes"), (0, 60)),
    (("h", "hr", "hrs", "hour", "hours"), (0, 3600)),
    (("d", "day", "days"), (0, 86400)),
    (("w", "week", "weeks"), (0, 7 * 86400)),
    (("mo", "month", "months"), (1, 0)),
    (("y", "year", "years"), (12, 0)),
):
    for _name in _names:
        _UNITS[_name] = _value

_PART = re.compile(r"\s*(\d{1,6})\s*([a-z]+)\s*")


@dataclass(frozen=True, order=True)
class Duration:
    """A span of calendar months plus seconds; months are added by the calendar, not as 30 days."""

    months: int = 0
    seconds: int = 0

    @property
    def total_seconds(self) -> int:
        """Length in seconds, counting a month as 30 days (only for month-free uses)."""
        return self.months * 30 * 86400 + self.seconds

    def after(self, when: datetime) -> datetime:
        """`when` plus this duration; a day past the month's end clamps to its last day."""
        return add_months(when, self.months) + timedelta(seconds=self.seconds)

    def before(self, when: datetime) -> datetime:
        """`when` minus this duration."""
        return add_months(when, -self.months) - timedelta(seconds=self.seconds)

    def __str__(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} month" + ("s" if self.months != 1 else ""))
        if self.seconds or not parts:
            parts.append(format_seconds(self.seconds))
        return " ".join(parts)


def add_months(when: datetime, months: int) -> datetime:
    """Calendar month arithmetic: 31 Jan + 1 month = 28/29 Feb."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    import calendar  # on first use: its import (locale) costs every command 3 ms

    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


# Far beyond any support period or notice, and far inside the calendar: the dates a duration
# is added to must stay before year 9999, where datetime stops.
MAX_SECONDS = 1000 * 366 * 86400


def parse_duration(text: str) -> Duration:
    """Parse "90s", "15m", "1h 30m", "4 weeks", "6 months"; raise ValueError otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError('a duration such as "90s", "15m", "2h", "4 weeks", "6 months"')
    months = seconds = 0
    pos = 0
    lowered = text.lower()
    while pos < len(lowered):
        match = _PART.match(lowered, pos)
        if not match or match.group(2) not in _UNITS:
            raise ValueError(
                f'a duration such as "90s", "15m", "2h", "4 weeks", "6 months", not {text!r}'
            )
        unit_months, unit_seconds = _UNITS[match.group(2)]
        months += int(match.group(1)) * unit_months
        seconds += int(match.group(1)) * unit_seconds
        pos = match.end()
    if months * 30 * 86400 + seconds > MAX_SECONDS:
        raise ValueError(f"at most 1000 years (dates past year 9999 do not exist), not {text!r}")
    return Duration(months, seconds)


def format_seconds(seconds: float) -> str:
    """Readable span: 0s, 45s, 15m, 1h 30m, 2d."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            out.append(f"{amount}{unit}")
    return " ".join(out[:2])


def duration_pattern() -> str:
    """An ECMA/Python regex accepting exactly what parse_duration accepts (for JSON Schemas)."""
    units = sorted(_UNITS, key=len, reverse=True)
    # parse_duration lowercases first; JSON Schema patterns have no flags, so spell both cases.
    either = "|".join("".join(f"[{c}{c.upper()}]" for c in unit) for unit in units)
    part = rf"\s*\d{{1,6}}\s*(?:{either})\s*"
    return rf"^(?:{part})+$"
