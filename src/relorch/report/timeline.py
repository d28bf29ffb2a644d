"""The timeline drawing's geometry: bars, ticks and markers placed in SVG user units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from relorch.report.model import TimelineBar

WIDTH = 960
LABEL = 150  # room for "products v12 · deprecated" on the left
RIGHT = 16
ROW = 34
TOP = 28
BAR = 16


@dataclass(frozen=True)
class Row:
    """One major's bar and what happened on it, in user units."""

    y: int
    label: str
    state: str
    x: float
    width: float
    open_end: bool  # current majors have no sunset: the bar runs off the right edge
    ticks: tuple[float, ...]
    notices: tuple[tuple[float, str], ...]
    flags: tuple[tuple[float, str], ...]
    title: str


@dataclass(frozen=True)
class Drawing:
    """Everything the SVG template draws."""

    width: int
    height: int
    rows: tuple[Row, ...]
    axis: tuple[tuple[float, str], ...]
    today: float
    today_label: str
    description: str


def draw(bars: Sequence[TimelineBar], now: datetime, horizon_days: int = 30) -> Drawing:
    """Place `bars` between the oldest release and a little past `now` or the last sunset."""
    starts = [b.start for b in bars]
    ends = [b.end for b in bars if b.end is not None]
    t0 = min([*starts, now])
    t1 = max([*ends, now + timedelta(days=horizon_days)]) + timedelta(days=horizon_days)
    span = max((t1 - t0).total_seconds(), 1.0)
    inner = WIDTH - LABEL - RIGHT

    def x(when: datetime) -> float:
        return round(LABEL + inner * (when - t0).total_seconds() / span, 1)

    rows = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        left = x(bar.start)
        right = x(bar.end) if bar.end is not None else WIDTH - RIGHT
        ticks = sorted({round(x(d)) for d in bar.deploys if bar.start <= d})
        notices = tuple((x(n.when), f"{n.kind} notice sent {_day(n.when)}") for n in bar.notices)
        flags = tuple(
            (x(when), f"flag {name} on {_day(when)}")
            for when, name in bar.flags
            if t0 <= when <= t1  # a mark outside the drawing would land on the labels
        )
        until = f"sunset {_day(bar.end)}" if bar.end is not None else "no sunset yet"
        rows.append(
            Row(
                y=y,
                label=f"{bar.api} v{bar.major}",
                state=bar.state,
                x=left,
                width=round(max(right - left, 2.0), 1),
                open_end=bar.end is None,
                ticks=tuple(float(t) for t in ticks),
                notices=notices,
                flags=flags,
                title=f"{bar.api} v{bar.major} ({bar.state}): released {_day(bar.start)}, "
                f"{until}, {len(bar.deploys)} production deploy days",
            )
        )
    height = TOP + max(len(rows), 1) * ROW + 8
    description = "; ".join(r.title for r in rows) or "no majors released yet"
    return Drawing(
        width=WIDTH,
        height=height,
        rows=tuple(rows),
        # a label starting within 44 units of the right edge would be cut off
        axis=tuple((x(w), label) for w, label in _axis(t0, t1) if x(w) <= WIDTH - RIGHT - 44),
        today=x(now),
        today_label=f"today {_day(now)}",
        description=description,
    )


def _axis(t0: datetime, t1: datetime) -> list[tuple[datetime, str]]:
    """Year starts for long spans, month starts for short ones (at most ~12 labels)."""
    months = (t1.year - t0.year) * 12 + t1.month - t0.month
    step = 1 if months <= 12 else 3 if months <= 36 else 12 * max(1, months // 144)
    out: list[tuple[datetime, str]] = []
    year, month = t0.year, t0.month + 1
    while True:
        if month > 12:
            year, month = year + 1, month - 12
        when = datetime(year, month, 1, tzinfo=UTC)
        if when > t1:
            return out
        if (month - 1) % step == 0 or step == 1:
            out.append((when, str(year) if step >= 12 else f"{year}-{month:02d}"))
        month += 1


def _day(when: datetime) -> str:
    return when.astimezone(UTC).date().isoformat()
