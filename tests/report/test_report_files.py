"""status.json against its schema, calendar.ics through icalendar, summary.md, determinism."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from tests.gitrepo import run_relorch
from tests.report.conftest import Built
from tests.report.sitekit import NOW

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report"


def schema() -> dict:  # type: ignore[type-arg]
    from relorch.documents import json_schema

    return json_schema("report")


def test_site_has_the_four_files(built: Built) -> None:
    assert sorted(p.name for p in built.site.iterdir()) == [
        "calendar.ics",
        "index.html",
        "status.json",
        "summary.md",
    ]


def test_status_json_validates_against_its_documented_schema(built: Built) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads((built.site / "status.json").read_text())
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert data["schema"] == "relorch-report/1"
    assert data["generated_at"] == NOW


def test_schema_rejects_a_cell_in_an_unknown_state(built: Built) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads((built.site / "status.json").read_text())
    data["repositories"][0]["live"][0]["environments"]["staging"]["state"] = "green"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(data)


def test_status_json_tells_what_is_live_where(built: Built) -> None:
    repo = json.loads((built.site / "status.json").read_text())["repositories"][0]
    assert repo["environments"] == ["staging", "canary", "production"]  # config order
    v2, v1 = repo["live"]
    assert (v2["major"], v1["major"]) == (2, 1)
    assert v2["environments"]["production"]["state"] == "failed"
    assert v2["environments"]["production"]["revision"] == 2
    assert v2["environments"]["canary"]["state"] == "held"
    assert v1["environments"]["production"]["state"] == "rolled back"
    assert v1["environments"]["production"]["revision"] == 2
    assert v1["environments"]["canary"]["state"] == "not deployed"
    assert v2["environments"]["staging"]["previous_good"] == 2
    assert v2["environments"]["staging"]["preview"] == "rev4"
    assert v2["latest"] == "v2-rev4"
    v1_life = repo["lifecycles"][1]
    assert v1_life["released"] == "2025-06-03T10:00:00Z"  # first live in production
    assert v1_life["deprecated_at"] == "2026-03-03T10:00:00Z"  # v2 first live there
    assert v1_life["notices"] == [{"kind": "deprecation", "time": "2026-01-16T08:00:00Z"}]
    assert v1_life["next_notice"] == "reminder due now"


def test_calendar_parses_with_icalendar_and_holds_sunset_and_reminder(built: Built) -> None:
    icalendar = pytest.importorskip("icalendar")
    raw = (built.site / "calendar.ics").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    ident = json.loads((built.site / "status.json").read_text())["repositories"][0]["id"]
    sunset = events[f"sunset-products-v1@{ident}.relorch"]
    reminder = events[f"reminder-products-v1@{ident}.relorch"]
    assert sunset.decoded("DTSTART") == date(2026, 9, 3)  # v2 live in production + 6 months
    assert reminder.decoded("DTSTART") == date(2026, 8, 6)
    assert "products v1" in str(sunset["SUMMARY"])
    assert len(events) == 2  # the current major has neither


def test_calendar_uids_stay_the_same_when_the_clock_moves(built: Built, tmp_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    later = tmp_path / "later"
    done = run_relorch(built.repo.path, "report", "-o", str(later), "--now", "2026-09-01")
    assert done.returncode == 0, done.stderr

    def uids(path: Path) -> set[str]:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]) for e in cal.walk("VEVENT")}

    assert uids(later / "calendar.ics") == uids(built.site / "calendar.ics")


def test_same_inputs_give_the_same_bytes(built: Built, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = run_relorch(built.repo.path, "report", "-o", str(again), "--now", NOW, "--no-fetch")
    assert done.returncode == 0, done.stderr
    for name in ("index.html", "status.json", "calendar.ics", "summary.md"):
        assert (again / name).read_bytes() == (built.site / name).read_bytes(), name


def test_summary_md_matches_its_golden(built: Built) -> None:
    """RELORCH_UPDATE_GOLDEN=1 rewrites tests/golden/report/summary.md."""
    text = (built.site / "summary.md").read_text()
    # The folder name of the test's origin differs per run: the golden names it ORIGIN.
    # and the ledger's commits carry the wall clock: its tip is LEDGER.
    repo = json.loads((built.site / "status.json").read_text())["repositories"][0]
    text = text.replace(repo["name"], "ORIGIN").replace(repo["ledger_tip"][:12], "LEDGER")
    golden = GOLDEN / "summary.md"
    if os.environ.get("RELORCH_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
