"""Previews announced over real loopback HTTP: the URL to try, objections, quiet previews."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from tests.deploy.test_deploy_announce import CHANNEL, SECRET_PATH, assert_no_secret, fast_retries
from tests.deploykit import (
    env_block,
    origin_records,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
)
from tests.gitrepo import Clone

URL = "https://apim-test.azure-api.net/products/v1;rev=2"


def project(repo: Clone, extra: str) -> None:
    apim = '[apis.products.apim]\nservice = "apim-test"\n'
    setup_project(
        repo, apim + CHANNEL + env_block("production", extra='announce = ["platform"]\n' + extra)
    )


def bodies(server: HTTPServer) -> list[dict[str, Any]]:
    return [json.loads(entry[0].get_data()) for entry in server.log]


def test_a_preview_is_announced_with_the_url_to_try_it(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    project(repo, "")
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    assert repo.relorch("deploy", "v1@rev1", "--env", "production", env=env).returncode == 0

    result = repo.relorch("deploy", "v1@rev2", "--env", "production", "--preview", env=env)

    assert result.returncode == 0, result.stderr
    pending, done = bodies(httpserver)[-2:]
    assert (pending["event"], pending["mode"], pending["preview_url"]) == (
        "pending",
        "preview",
        URL,
    )
    assert "Preview pending" in pending["text"] and URL in pending["text"]
    assert "v1-rev1 (which stays current)" in pending["text"]
    assert "relorch rollback --env production v1 --preview" in pending["text"]
    assert (done["event"], done["mode"]) == ("succeeded", "preview")
    assert "Previewed" in done["text"] and URL in done["text"]
    assert_no_secret(result.stdout, result.stderr)


def test_making_a_preview_current_is_announced_as_becoming_current(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    project(repo, "")
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    repo.relorch("deploy", "v1@rev1", "--env", "production", env=env)
    repo.relorch("deploy", "v1@rev2", "--env", "production", "--preview", env=env)

    result = repo.relorch("deploy", "v1@rev2", "--env", "production", env=env)

    assert result.returncode == 0, result.stderr
    pending, done = bodies(httpserver)[-2:]
    assert pending["mode"] == "current" and pending["previewed_since"]
    assert "becomes current (was v1-rev1, previewed since" in pending["text"]
    assert "becomes current in production (was v1-rev1, previewed since" in done["text"]


def test_a_hold_during_a_previews_notice_window_stops_it_with_exit_6(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    project(repo, 'notice = "3s"')
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    first = repo.relorch(
        "deploy", "v1@rev1", "--env", "production", "--no-wait", "--force", env=env
    )
    assert first.returncode == 0, first.stderr
    seen = len(httpserver.log)
    preview = start(repo, "deploy", "v1@rev2", "--env", "production", "--preview", env=env)
    wait_for(lambda: len(httpserver.log) > seen)  # the pending announcement: the window is open
    hold = repo.relorch(
        "hold", "v1-rev2", "--env", "production", "--reason", "consumer tests first", env=env
    )
    assert hold.returncode == 0, hold.stderr

    _, stderr = preview.communicate(timeout=120)

    assert preview.returncode == 6, stderr
    assert "consumer tests first" in stderr
    events = [(b["event"], b["mode"]) for b in bodies(httpserver)[seen:]]
    assert events == [("pending", "preview"), ("held", "preview")]
    assert "Preview held" in bodies(httpserver)[-1]["text"]
    assert len(step_calls(tmp_path)) == 1
    assert [(r["action"], r["status"]) for r in origin_records(repo.origin)][2:] == [
        ("preview", "announced"),
        ("hold", "held"),
    ]


def test_announce_previews_false_previews_quietly_and_still_announces_deploys(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    project(repo, 'notice = "1h"\nannounce_previews = false')
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    repo.relorch("deploy", "v1@rev1", "--env", "production", "--no-wait", "--force", env=env)
    seen = len(httpserver.log)

    preview = repo.relorch("deploy", "v1@rev2", "--env", "production", "--preview", env=env)
    withdraw = repo.relorch("rollback", "--env", "production", "--preview", env=env)

    assert preview.returncode == 0, preview.stderr
    assert withdraw.returncode == 0, withdraw.stderr
    assert "notice window" not in preview.stderr  # nobody was told, so nobody could object
    assert len(httpserver.log) == seen


def test_withdrawing_a_preview_is_announced_without_waiting(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    project(repo, 'notice = "1h"')
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    repo.relorch("deploy", "v1@rev1", "--env", "production", "--no-wait", "--force", env=env)
    repo.relorch(
        "deploy", "v1@rev2", "--env", "production", "--preview", "--no-wait", "--force", env=env
    )

    result = repo.relorch("rollback", "--env", "production", "v1@rev2", "--preview", env=env)

    assert result.returncode == 0, result.stderr
    assert "notice window" not in result.stderr
    pending, done = bodies(httpserver)[-2:]
    assert [(b["event"], b["mode"]) for b in (pending, done)] == [
        ("rollback_pending", "withdraw"),
        ("rolled_back", "withdraw"),
    ]
    assert "Preview withdrawn" in done["text"] and "v1-rev1 stays current" in done["text"]
