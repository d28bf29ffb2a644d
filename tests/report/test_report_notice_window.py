"""A deploy waiting out its notice window, as the status site shows it (issue 16): a real
deploy process in the background, its `announced` record on the origin, `relorch report`."""

from __future__ import annotations

import json
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from relorch.ledger.records import Record, format_time, new_record
from relorch.ledger.state import parse_time
from relorch.report.ledgerview import view_of
from tests.deploykit import env_block, origin_records, setup_project, start, step_env, wait_for
from tests.gitrepo import Clone

HOOK = "/hooks/notice"
CHANNEL = '[channels.platform]\nkind = "webhook"\nurl_env = "RELORCH_TEST_HOOK"\n'


def notice_project(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path, notice: str
) -> dict[str, str]:
    """Production announces on a loopback webhook and has a notice window; v1-rev1 is live."""
    httpserver.expect_request(HOOK).respond_with_data("ok")
    extra = f'announce = ["platform"]\nnotice = "{notice}"'
    setup_project(repo, CHANNEL + env_block("production", extra=extra))
    env = {"RELORCH_TEST_HOOK": httpserver.url_for(HOOK), **step_env(tmp_path)}
    first = repo.relorch(
        "deploy", "v1-rev1", "--env", "production", "--no-wait", "--force", env=env
    )
    assert first.returncode == 0, first.stderr
    return env


def announced(repo: Clone) -> list[dict[str, Any]]:
    return [r for r in origin_records(repo.origin) if r["status"] == "announced"]


def production_cell(repo: Clone, site: Path, now: str) -> dict[str, Any]:
    done = repo.relorch("report", "-o", str(site), "--now", now)
    assert done.returncode == 0, done.stderr
    data = json.loads((site / "status.json").read_text())
    row = next(r for r in data["repositories"][0]["live"] if r["major"] == 1)
    cell: dict[str, Any] = row["environments"]["production"]
    return cell


def test_deploy_in_its_notice_window_is_shown_waiting_until_it_is_held(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    env = notice_project(repo, httpserver, tmp_path, "30s")
    deploy = start(repo, "deploy", "v1", "--env", "production", env=env)
    wait_for(lambda: bool(announced(repo)))
    record = announced(repo)[0]
    assert (record["action"], record["tag"], record["major"]) == ("deploy", "v1-rev2", 1)
    assert record["extra"]["from"] == "v1-rev1" and record["lock"] is None
    until = record["extra"]["notice_until"]
    assert parse_time(until) - parse_time(record["time"]) == timedelta(seconds=30)

    site = tmp_path / "site"
    cell = production_cell(repo, site, record["time"])
    assert cell["state"] == "in a notice window"
    assert cell["notice_until"] == until
    assert cell["revision"] == 1  # what is live stays shown
    assert "v1-rev2 in a notice window until" in cell["summary"]
    assert "rev1 still live" in cell["summary"]
    page = (site / "index.html").read_text()
    assert 'href="#i-in-a-notice-window"' in page and 'id="i-in-a-notice-window"' in page
    assert "deploy announced" in page  # the recent activity lists the record
    history = repo.relorch("history", "--env", "production")  # the table is human output
    assert "announced" in history.stderr and f"notice window until {until}" in history.stderr
    records = json.loads(repo.relorch("history", "--json").stdout)["records"]
    assert records[0]["status"] == "announced"  # and its schema knows the status
    # `relorch status` shows the open window too (its `until` is ahead of the clock now).
    shown = repo.relorch("status", "--env", "production")
    assert shown.returncode == 0, shown.stderr
    assert (
        f"deploy of products v1-rev2 to production announced by {record['actor']}: notice "
        f"window until {until} (to object: relorch hold v1-rev2 --env production"
    ) in shown.stdout + shown.stderr
    waiting = json.loads(repo.relorch("status", "--json").stdout)["announced"]
    assert [(w["tag"], w["env"], w["until"], w["id"]) for w in waiting] == [
        ("v1-rev2", "production", until, record["id"])
    ]
    staging = repo.relorch("status", "--env", "staging")
    assert "announced" not in staging.stdout + staging.stderr

    # Past the window's end with no later record (a killed deploy): no longer waiting; the
    # same ledger tip, so this reads the kept view, which holds the record, not "waiting".
    after = format_time(parse_time(until) + timedelta(seconds=1))
    cell = production_cell(repo, site, after)
    assert (cell["state"], cell["notice_until"]) == ("deployed", None)
    assert production_cell(repo, site, record["time"])["state"] == "in a notice window"

    hold = repo.relorch(
        "hold", "v1-rev2", "--env", "production", "--reason", "consumers not ready", env=env
    )
    assert hold.returncode == 0, hold.stderr
    cell = production_cell(repo, site, record["time"])
    assert cell["state"] == "held" and cell["notice_until"] is None
    assert cell["revision"] == 1
    # Rather than wait out the rest of the window to be refused, Ctrl-C: nothing more written.
    deploy.send_signal(signal.SIGINT)
    _, stderr = deploy.communicate(timeout=120)
    assert deploy.returncode == 130, stderr
    assert [r["status"] for r in origin_records(repo.origin)][-2:] == ["announced", "held"]


def test_deploy_past_its_notice_window_is_shown_deployed(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    env = notice_project(repo, httpserver, tmp_path, "1s")
    done = repo.relorch("deploy", "v1", "--env", "production", env=env)
    assert done.returncode == 0, done.stderr
    statuses = [r["status"] for r in origin_records(repo.origin)][2:]
    assert statuses == ["announced", "started", "succeeded"]
    state = json.loads(repo.relorch("status", "--json").stdout)
    assert state["locks"] == [] and state["announced"] == []  # the lock ended the window
    # Read at the moment the window was open: the later records end the wait all the same.
    cell = production_cell(repo, tmp_path / "site", announced(repo)[0]["time"])
    assert (cell["state"], cell["revision"]) == ("deployed", 2)


def record(status: str, revision: int, **extra: str) -> Record:
    return new_record(
        api="products",
        env="production",
        action="deploy",
        status=status,
        now=parse_time("2026-03-01T10:00:00Z"),
        actor="ann",
        major=1,
        revision=revision,
        tag=f"v1-rev{revision}",
        extra=extra,
    )


def test_announced_record_is_no_finished_deploy_and_a_later_record_ends_the_wait() -> None:
    waiting = record("announced", 3, notice_until="2026-03-01T10:30:00Z")
    view = view_of([record("succeeded", 2).to_json(), waiting.to_json()], "production", ())
    assert view.last_finished[("products", "production", 1)].status == "succeeded"
    assert view.announced == {("products", "production", 1): waiting}
    view = view_of([waiting.to_json(), record("started", 3).to_json()], "production", ())
    assert view.announced == {}
