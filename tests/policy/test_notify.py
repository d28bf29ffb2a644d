"""relorch notify: deprecation and reminder notices, each sent once and recorded in the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from relorch.config import load_config
from relorch.deploy.executor import Executor
from relorch.deploy.plan import plan_deploy
from relorch.git.gateway import Git
from relorch.output import Reporter
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


LIVE_CONFIG = CONFIG + "[environments.staging]\n[environments.production]\n"
# A hermetic clock for the deploy: the moment v2 first goes live in production.
WENT_LIVE = datetime(2026, 8, 31, 23, 30, tzinfo=UTC)


def deploy_at(repo, env: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Deploy v2 in-process (real git, real ledger) with the executor's clock set to `when`."""
    git = Git(repo.path)
    config = load_config(git.root)
    plan = plan_deploy(git, config, ref_text="v2", env=env)
    Executor(git, config, plan, reporter=Reporter(), clock=lambda: when).run()


def test_a_tagged_major_not_live_in_production_deprecates_nothing(tmp_path: Path) -> None:
    repo = two_majors(tmp_path)
    repo.commit("chore: environments", {"relorch.toml": LIVE_CONFIG})
    repo.push()
    deploy_at(repo, "staging", WENT_LIVE)
    result = repo.relorch("notify", "-c", "team", "--now", "2026-10-01T00:00:00Z", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == []
    status = json.loads(repo.relorch("status", "--json", "--no-fetch").stdout)
    assert [(m["major"], m["support"]) for m in status["majors"]] == [
        (2, "current"),
        (1, "current"),
    ]


def test_support_dates_start_when_the_new_major_first_goes_live_across_a_month_end(
    tmp_path: Path,
) -> None:
    repo = two_majors(tmp_path)
    repo.commit("chore: environments", {"relorch.toml": LIVE_CONFIG})
    repo.push()
    deploy_at(repo, "production", WENT_LIVE)

    manifest = repo.relorch("render", "manifest", "--now", "2026-09-01T00:00:00Z")
    assert manifest.returncode == 0, manifest.stderr
    v1 = json.loads(manifest.stdout)["apis"][0]["majors"][0]
    assert v1["support"]["deprecated_at"] == "2026-08-31T23:30:00Z"
    assert v1["support"]["sunset_at"] == "2027-02-28T23:30:00Z"
    assert v1["support"]["reminder_at"] == "2027-01-31T23:30:00Z"
    v2 = json.loads(manifest.stdout)["apis"][0]["majors"][1]
    assert v2["support"]["released_at"] == "2026-08-31T23:30:00Z"

    notice = repo.relorch("notify", "-c", "team", "--now", "2026-09-01T00:00:00Z", "--json")
    assert [n["kind"] for n in json.loads(notice.stdout)["sent"]] == ["deprecation"]
    assert "until 2027-02-28" in sent(repo)[-1]["message"]
    early = repo.relorch("notify", "-c", "team", "--now", "2027-01-31T23:00:00Z", "--json")
    assert json.loads(early.stdout)["sent"] == []
    reminder = repo.relorch("notify", "-c", "team", "--now", "2027-01-31T23:30:00Z", "--json")
    assert [n["kind"] for n in json.loads(reminder.stdout)["sent"]] == ["reminder"]
    again = repo.relorch("notify", "-c", "team", "--now", "2027-02-10T00:00:00Z", "--json")
    assert json.loads(again.stdout)["sent"] == []
