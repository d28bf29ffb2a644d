"""A cache of the ledger's state and view in <git dir>/relorch/, keyed by the ledger's tip.

Reading a ledger of 10,000 records for the report means reading and parsing every chunk
(about 0.1 s of CPU a repository; twenty times over for a fleet), while most runs of an
hourly status job find the ledger where it was. A ledger commit's id names its content (every
chunk and the snapshot), so an entry kept under the tip it was read from can never be stale:
a new record moves the tip, and the entry is then simply not used. One entry a repository (the
newest tip); a missing, foreign or damaged file is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from relorch.ledger.records import Record
from relorch.ledger.state import LedgerState
from relorch.report.ledgerview import RECENT, LedgerView

# Bump when what the view holds or how it is written changes: older entries are then ignored.
VERSION = 2
FILE = "report-ledger.json"


def cache_file(common_dir: Path) -> Path:
    """Where the view of this repository's ledger is kept."""
    return common_dir / "relorch" / FILE


def load(path: Path, tip: str, production: str | None) -> tuple[LedgerState, LedgerView] | None:
    """The state and view read from ledger commit `tip`, None unless the file holds exactly
    that (same tip, same production environment, this format) and reads back whole."""
    try:
        data = json.loads(path.read_bytes())
        if data.get("key") != _key(tip, production):
            return None
        return LedgerState.from_json(data["state"]), _view(data["view"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def store(
    path: Path, tip: str, production: str | None, state: LedgerState, view: LedgerView
) -> None:
    """Write-then-rename, so a concurrent reader sees the old entry or the new one; a cache
    that cannot be written (a read-only repository) is simply not kept."""
    data = {"key": _key(tip, production), "state": state.to_json(), "view": _json(view)}
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        # A name of its own per writer: a fleet's threads share the process id, and two URLs
        # that differ only by a trailing slash share a cache repository.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            os.unlink(tmp)
            raise


def _key(tip: str, production: str | None) -> list[Any]:
    return [VERSION, RECENT, tip, production]


def _json(view: LedgerView) -> dict[str, Any]:
    return {
        "count": view.count,
        "first_time": view.first_time.isoformat(),
        "by_id": [r.to_json() for r in view.by_id.values()],
        "last_finished": [r.to_json() for r in view.last_finished.values()],
        "notices": {k: v.isoformat() for k, v in view.notices.items()},
        "production_days": [
            [api, major, [d.isoformat() for d in days]]
            for (api, major), days in view.production_days.items()
        ],
        "recent": [r.to_json() for r in view.recent],
        "announced": [r.to_json() for r in view.announced.values()],
    }


def _view(data: dict[str, Any]) -> LedgerView:
    last = [Record.from_data(r) for r in data["last_finished"]]
    return LedgerView(
        count=int(data["count"]),
        first_time=datetime.fromisoformat(data["first_time"]),
        by_id={r.id: r for r in map(Record.from_data, data["by_id"])},
        last_finished={(r.api, r.env, _major(r)): r for r in last},
        notices={str(k): datetime.fromisoformat(v) for k, v in data["notices"].items()},
        production_days={
            (str(api), int(major)): tuple(datetime.fromisoformat(d) for d in days)
            for api, major, days in data["production_days"]
        },
        recent=tuple(Record.from_data(r) for r in data["recent"]),
        announced={(r.api, r.env, _major(r)): r for r in map(Record.from_data, data["announced"])},
    )


def _major(record: Record) -> int:
    if record.major is None:
        raise ValueError("a deploy record without a major")
    return record.major
