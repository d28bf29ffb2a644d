"""Feature flags on the status site: switch-ons coming up, and marks on the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from relorch.flags.due import due
from relorch.flags.model import FlagFile
from relorch.report import model as m


def flag_events(
    files: Sequence[FlagFile], ident: str, now: datetime, horizon_days: int
) -> list[m.Upcoming]:
    """Flags switching on (or starting or ending a ramp) in the window, in every environment."""
    return [
        m.Upcoming(
            d.at,
            "flag",
            d.api,
            None,
            d.line(),
            f"flag-{d.api}-{d.env}-{d.flag}-{d.event}@{ident}.relorch",
        )
        for d in due(files, now=now, within=timedelta(days=horizon_days))
    ]


def with_flag_marks(
    bars: list[m.TimelineBar],
    files: Sequence[FlagFile],
    production: str | None,
    until: datetime,
) -> list[m.TimelineBar]:
    """Each flag's switch-on in production up to `until` (the end of the window), marked on
    the bar of its API's newest major: the one a flag of the API's current code belongs to."""
    if production is None:
        return bars
    marks: dict[str, list[tuple[datetime, str]]] = {}
    for source in files:
        for flag in source.flags:
            when = flag.release(production).at
            if when is not None and when <= until:
                marks.setdefault(source.api, []).append((when, flag.key))
    out: list[m.TimelineBar] = []
    seen: set[str] = set()
    for bar in bars:  # the newest major of each API comes first
        newest = bar.api in marks and bar.api not in seen
        seen.add(bar.api)
        out.append(replace(bar, flags=tuple(sorted(marks[bar.api]))) if newest else bar)
    return out
