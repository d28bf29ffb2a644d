"""status.json: the site's data for machines, in the documented relorch-report/1 shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from relorch.documents import schema_id
from relorch.report.model import Cell, Lifecycle, RepoReport, Site, Upcoming

SCHEMA = schema_id("report")


def status_json(site: Site) -> str:
    """The whole site as JSON text (sorted keys, one trailing newline)."""
    return json.dumps(status_data(site), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def status_data(site: Site) -> dict[str, Any]:
    """The whole site as a JSON-ready mapping, `schema` first."""
    return {
        "schema": SCHEMA,
        "generated_at": _time(site.generated_at),
        "horizon_days": site.horizon_days,
        "repositories": [_repo(r) for r in site.repos],
        "upcoming": [_upcoming(u) for u in site.upcoming],
    }


def _time(when: datetime | None) -> str | None:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None


def _repo(repo: RepoReport) -> dict[str, Any]:
    return {
        "name": repo.name,
        "id": repo.ident,
        "reachable": repo.reachable,
        "error": repo.error,
        "source_commit": repo.source_commit,
        "ledger_tip": repo.ledger_tip,
        "environments": list(repo.environments),
        "live": [
            {
                "api": row.api,
                "major": row.major,
                "support": row.support,
                "latest": row.latest_tag,
                "environments": {cell.env: _cell(cell) for cell in row.cells},
            }
            for row in repo.rows
        ],
        "lifecycles": [_lifecycle(life) for life in repo.lifecycles],
        "upcoming": [_upcoming(u) for u in repo.upcoming],
        "activity": [
            {
                "time": _time(a.when),
                "api": a.api,
                "env": a.env,
                "action": a.action,
                "status": a.status,
                "tag": a.tag,
                "actor": a.actor,
                "run_url": a.run_url,
                "reason": a.reason,
            }
            for a in repo.activity
        ],
        "ledger_records": repo.activity_total,
        "notes": [
            {
                "api": n.api,
                "major": n.major,
                "older": n.older,
                "revisions": [
                    {"tag": r.tag, "date": _time(r.date), "subject": r.subject, "body": r.body}
                    for r in n.shown
                ],
            }
            for n in repo.notes
        ],
    }


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "state": cell.state,
        "summary": cell.summary,
        "revision": cell.revision,
        "tag": cell.tag,
        "time": _time(cell.when),
        "actor": cell.actor,
        "run_url": cell.run_url,
        "previous_good": cell.previous_good,
        "preview": cell.preview,
        "notice_until": _time(cell.notice_until),
    }


def _lifecycle(life: Lifecycle) -> dict[str, Any]:
    return {
        "api": life.api,
        "major": life.major,
        "state": life.state,
        "released": _time(life.released),
        "deprecated_at": _time(life.deprecated_at),
        "sunset_at": _time(life.sunset_at),
        "reminder_at": _time(life.reminder_at),
        "days_left": life.days_left,
        "latest": life.latest_tag,
        "revisions": life.revisions,
        "notices": [{"kind": n.kind, "time": _time(n.when)} for n in life.notices],
        "next_notice": life.next_notice,
        "next_notice_at": _time(life.next_notice_at),
    }


def _upcoming(item: Upcoming) -> dict[str, Any]:
    return {
        "time": _time(item.when),
        "kind": item.kind,
        "api": item.api,
        "major": item.major,
        "text": item.text,
        "uid": item.uid,
        "repository": item.repository or None,
    }
