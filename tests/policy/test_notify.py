"""relorch notify: deprecation and reminder notices, each sent once and recorded in the ledger."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import origin_records
from tests.gitrepo import make_origin

CONFIG = """\
[apis.products]
[support]
deprecation_period = "6 months"
reminder_before = "4 weeks"
migration_guide = "https://developer.example.net/migrate"
[channels.team]
kind = "file"
path = "notices.jsonl"
"""


def two_majors(tmp_path: Path):  # type: ignore[no-untyped-def]
    repo = make_origin(tmp_path, CONFIG)
    repo.tag("v1-rev1")  # dated 2026-01-15 by the hermetic clock
    repo.commit("feat!: v2")
    repo.push()
    repo.git("tag", "-a", "v2-rev1", "-m", "v2", env={"GIT_COMMITTER_DATE": "2026-03-31T12:00:00Z"})
    repo.git("push", "-q", "origin", "v2-rev1")
    return repo


def sent(repo) -> list[dict]:  # type: ignore[no-untyped-def]
    path = repo.path / "notices.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_deprecation_notice_goes_out_once(tmp_path: Path) -> None:
    repo = two_majors(tmp_path)
    first = repo.relorch("notify", "--channel", "team", "--now", "2026-04-01T00:00:00Z", "--json")
    assert first.returncode == 0, first.stderr
    assert [n["key"] for n in json.loads(first.stdout)["sent"]] == ["deprecation:products:v1"]
    message = sent(repo)[0]["message"]
    assert "v1 is deprecated" in message and "2026-09-30" in message and "migrate" in message
    again = repo.relorch("notify", "--channel", "team", "--now", "2026-04-02T00:00:00Z", "--json")
    assert json.loads(again.stdout)["sent"] == [] and "no lifecycle notice is due" in again.stderr
    assert len(sent(repo)) == 1
    keys = [r["extra"]["key"] for r in origin_records(repo.origin) if r["action"] == "notice"]
    assert keys == ["deprecation:products:v1"]


def test_reminder_goes_out_four_weeks_before_sunset(tmp_path: Path) -> None:
    repo = two_majors(tmp_path)
    assert repo.relorch("notify", "-c", "team", "--now", "2026-04-01T00:00:00Z").returncode == 0
    early = repo.relorch("notify", "-c", "team", "--now", "2026-08-01T00:00:00Z", "--json")
    assert json.loads(early.stdout)["sent"] == []
    due = repo.relorch("notify", "-c", "team", "--now", "2026-09-10T00:00:00Z", "--json")
    assert [n["kind"] for n in json.loads(due.stdout)["sent"]] == ["reminder"]
    assert "retired on 2026-09-30" in sent(repo)[-1]["message"]


def test_dry_run_sends_and_records_nothing(tmp_path: Path) -> None:
    repo = two_majors(tmp_path)
    result = repo.relorch("notify", "-c", "team", "--now", "2026-04-01T00:00:00Z", "--dry-run")
    assert result.returncode == 0 and "would send deprecation:products:v1" in result.stderr
    assert sent(repo) == [] and origin_records(repo.origin) == []


def test_unknown_channel_is_a_usage_error(tmp_path: Path) -> None:
    repo = two_majors(tmp_path)
    result = repo.relorch("notify", "--channel", "nope")
    assert result.returncode == 2 and "error: " in result.stderr and "hint: " in result.stderr
