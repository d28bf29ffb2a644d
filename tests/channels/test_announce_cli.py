"""`relorch announce` through the installed executable, the way CI runs it."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.gitrepo import Clone, run_relorch

SECRET_SEGMENT = "Vq81secretPathSegmentZ3"
PATH = f"/hooks/{SECRET_SEGMENT}"
SIGNING_KEY = "cli-signing-key-never-printed"
# Variable names the masking module does not already treat as secret by name, so these tests
# prove that the channel code registers the values it reads.
CONFIG = """\
[apis.products]

[channels.hook]
kind = "webhook"
url_env = "RELORCH_HOOK_URL"
secret_env = "RELORCH_HOOK_KEY"

[channels.teams]
kind = "teams"
url_env = "RELORCH_TEAMS_URL"

[channels.audit]
kind = "file"
path = "announcements.jsonl"

[environments.production]
announce = ["hook", "console"]
"""
FAST = {"RELORCH_ANNOUNCE_ATTEMPTS": "2", "RELORCH_ANNOUNCE_BACKOFF": "0"}


def setup(repo: Clone, url: str) -> dict[str, str]:
    (repo.path / "relorch.toml").write_text(CONFIG)
    return {"RELORCH_HOOK_URL": url, "RELORCH_HOOK_KEY": SIGNING_KEY, **FAST}


def test_announce_posts_a_signed_notice_and_reports_json(
    repo: Clone, httpserver: HTTPServer
) -> None:
    def verify(request: Request) -> Response:
        expected = (
            "sha256="
            + hmac.new(SIGNING_KEY.encode(), request.get_data(), hashlib.sha256).hexdigest()
        )
        ok = request.headers.get("X-Relorch-Signature") == expected
        return Response("", status=204 if ok else 401)

    httpserver.expect_request(PATH, method="POST").respond_with_handler(verify)
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch("announce", "--channel", "hook", "--json", "Maintenance tonight", env=env)
    assert proc.returncode == 0, proc.stderr
    (delivery,) = json.loads(proc.stdout)["deliveries"]
    assert (delivery["channel"], delivery["status"], delivery["attempts"]) == ("hook", 204, 1)
    body = json.loads(httpserver.log[0][0].get_data())
    assert (body["event"], body["message"]) == ("notice", "Maintenance tonight")
    assert body["delivery_id"] == delivery["delivery_id"]
    assert "announced on hook (webhook)" in proc.stderr


def test_announce_without_channel_uses_the_environments_announce_list(
    repo: Clone, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch("announce", "--env", "production", "Freeze starts at 18:00", env=env)
    assert proc.returncode == 0, proc.stderr
    assert len(httpserver.log) == 1
    assert "Notice in production" in proc.stderr and "Freeze starts at 18:00" in proc.stderr
    assert proc.stdout == ""


def test_announce_to_the_file_channel_appends_a_line(repo: Clone) -> None:
    (repo.path / "relorch.toml").write_text(CONFIG)
    for text in ("first", "second"):
        proc = repo.relorch("announce", "-c", "audit", text)
        assert proc.returncode == 0, proc.stderr
    lines = (repo.path / "announcements.jsonl").read_text().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["first", "second"]


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(
    repo: Clone, httpserver: HTTPServer
) -> None:
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch("announce", "-c", "hook", "--dry-run", "hello", env=env)
    assert proc.returncode == 0, proc.stderr
    assert httpserver.log == []
    assert "would announce on hook (webhook) to $RELORCH_HOOK_URL" in proc.stderr
    assert '"message": "hello"' in proc.stderr
    assert SECRET_SEGMENT not in proc.stderr + proc.stdout


def test_dry_run_json_lists_the_exact_bodies(repo: Clone, httpserver: HTTPServer) -> None:
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch(
        "announce", "-c", "hook", "-c", "console", "--dry-run", "--json", "hi", env=env
    )
    assert proc.returncode == 0, proc.stderr
    planned = json.loads(proc.stdout)["messages"]
    assert [m["channel"] for m in planned] == ["hook", "console"]
    assert json.loads(planned[0]["body"])["message"] == "hi"
    assert planned[0]["headers"]["X-Relorch-Signature"].startswith("sha256=")
    assert httpserver.log == []


def test_undeliverable_announcement_exits_1_without_leaking_url_or_secret(
    repo: Clone, httpserver: HTTPServer
) -> None:
    def echo(request: Request) -> Response:  # a hostile server repeats what it was sent
        return Response(f"no route for {request.url} {dict(request.headers)}", status=500)

    httpserver.expect_request(PATH).respond_with_handler(echo)
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch("announce", "-c", "hook", "--json", "hello", env=env)
    assert proc.returncode == 1
    assert len(httpserver.log) == 2
    assert (
        "error: announcement not delivered to channel 'hook' (webhook) after 2 attempts: "
        "server answered 500 Internal Server Error" in proc.stderr
    )
    shown = proc.stdout + proc.stderr
    assert SECRET_SEGMENT not in shown and SIGNING_KEY not in shown
    assert "Traceback" not in shown


def test_rejected_announcement_is_not_retried_and_leaks_nothing(
    repo: Clone, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(PATH).respond_with_handler(
        lambda request: Response(f"unknown hook {request.path}", status=404)
    )
    env = setup(repo, httpserver.url_for(PATH))
    proc = repo.relorch("announce", "-c", "hook", "hello", env=env)
    assert proc.returncode == 1
    assert len(httpserver.log) == 1
    assert "after 1 attempt: server answered 404 Not Found: unknown hook" in proc.stderr
    assert SECRET_SEGMENT not in proc.stdout + proc.stderr


def test_unreachable_host_leaks_nothing(repo: Clone) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    env = setup(repo, f"http://127.0.0.1:{port}{PATH}")
    proc = repo.relorch("announce", "-c", "hook", "hello", env=env)
    assert proc.returncode == 1
    assert "connection refused" in proc.stderr
    assert SECRET_SEGMENT not in proc.stdout + proc.stderr


def test_retired_teams_connector_url_is_refused_with_exit_2(repo: Clone) -> None:
    (repo.path / "relorch.toml").write_text(CONFIG)
    url = (
        "https://contoso.webhook.office.com/webhookb2/a1b2c3d4@e5f6/IncomingWebhook/0f9e8d7c6b5a/z"
    )
    proc = repo.relorch("announce", "-c", "teams", "hello", env={"RELORCH_TEAMS_URL": url})
    assert proc.returncode == 2
    assert "retired Office 365 connector" in proc.stderr
    assert "hint: create a Teams Workflows webhook" in proc.stderr
    assert "a1b2c3d4" not in proc.stderr and "0f9e8d7c6b5a" not in proc.stderr


def test_missing_url_variable_exits_2_before_sending(repo: Clone) -> None:
    (repo.path / "relorch.toml").write_text(CONFIG)
    proc = repo.relorch("announce", "-c", "hook", "hello", env={"RELORCH_HOOK_URL": ""})
    assert proc.returncode == 2
    assert "RELORCH_HOOK_URL" in proc.stderr and "is not set" in proc.stderr


def test_no_channel_and_no_environment_is_a_usage_error(repo: Clone) -> None:
    proc = repo.relorch("announce", "hello")
    assert proc.returncode == 2
    assert "error: no channel to announce on" in proc.stderr


def test_empty_notice_is_a_usage_error(repo: Clone) -> None:
    proc = repo.relorch("announce", "-c", "console", "  ")
    assert proc.returncode == 2
    assert "error: the notice is empty" in proc.stderr


def test_notice_text_can_come_from_stdin(repo: Clone) -> None:
    proc = repo.relorch("announce", "-c", "console", "-", input="from a pipe\nsecond line\n")
    assert proc.returncode == 0, proc.stderr
    assert "from a pipe" in proc.stderr and "second line" in proc.stderr


def test_minus_c_runs_as_if_started_in_the_repository(repo: Clone, tmp_path: Path) -> None:
    (repo.path / "relorch.toml").write_text(CONFIG)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_relorch(elsewhere, "announce", "-C", str(repo.path), "-c", "audit", "hello")
    assert proc.returncode == 0, proc.stderr
    assert (repo.path / "announcements.jsonl").is_file()
