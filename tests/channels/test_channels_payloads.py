"""What each channel kind receives: golden payloads from a loopback server, file and console.

Regenerate the golden files with
`RELORCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/channels/test_channels_payloads.py \
 tests/channels/test_messages.py`
and review the diff; delivery ids are normalised, the clock is fixed.
"""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer

from relorch.channels import slack
from relorch.channels.announcer import announce
from relorch.channels.events import Announcement
from relorch.channels.model import RetryPolicy
from relorch.config import Config, parse_config
from relorch.output import Reporter
from tests.channels.test_messages import check_golden
from tests.jsondocs import validate_document

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EVENT = Announcement(
    kind="pending",
    api="products",
    env="production",
    ref="v2@rev4",
    tag="v2-rev4",
    sha="0123456789abcdef0123456789abcdef01234567",
    major=2,
    revision=4,
    live_tag="v2-rev3",
    notes=("feat: add <filter> & sort", "fix: pagination ✓"),
    actor="alice",
    run_url="https://ci.example.net/runs/42",
    notice_ends=datetime(2026, 1, 15, 10, 15, tzinfo=UTC),
)
FAST = RetryPolicy(attempts=2, backoff=0, connect_timeout=2, read_timeout=5)
PATH = "/hooks/T0001/B0001/golden0secret0path0segment"


def make_config(root: Path, channels: dict[str, dict[str, str]]) -> Config:
    return parse_config({"apis": {"products": {}}, "channels": channels}, root=root)


def normalise(body: bytes) -> str:
    return UUID.sub(b"00000000-0000-0000-0000-000000000000", body).decode("utf-8")


def send(config: Config, name: str, environ: dict[str, str], event: Announcement = EVENT) -> str:
    stream = io.StringIO()
    announce(
        config,
        [name],
        event,
        Reporter(stream),
        policy=FAST,
        sleep=lambda s: None,
        clock=lambda: NOW,
        environ=environ,
    )
    return stream.getvalue()


# channel kind -> (channel name, its URL variable, the loopback server's answer: body, status)
HOOKS = {
    "slack": ("platform", "SLACK_URL", "ok", 200),
    "teams": ("teams", "TEAMS_URL", "", 202),
    "webhook": ("hook", "HOOK_URL", "", 200),
}


def post_to(httpserver: HTTPServer, tmp_path: Path, kind: str) -> None:
    """Announce EVENT on one channel of `kind` whose URL is the loopback server's PATH."""
    name, url_env, answer, status = HOOKS[kind]
    httpserver.expect_request(PATH, method="POST").respond_with_data(answer, status=status)
    config = make_config(tmp_path, {name: {"kind": kind, "url_env": url_env}})
    send(config, name, {url_env: httpserver.url_for(PATH)})


def received(httpserver: HTTPServer) -> bytes:
    assert len(httpserver.log) == 1
    return httpserver.log[0][0].get_data()


def test_slack_payload_matches_golden(httpserver: HTTPServer, tmp_path: Path) -> None:
    post_to(httpserver, tmp_path, "slack")
    check_golden("slack.json", normalise(received(httpserver)))


def test_slack_payload_is_text_plus_mrkdwn_section_blocks(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    post_to(httpserver, tmp_path, "slack")
    request = httpserver.log[0][0]
    assert request.headers["Content-Type"] == "application/json"
    payload = json.loads(request.get_data())
    assert payload["text"].startswith("*Deploy pending*: *products v2-rev4* to *production*")
    assert payload["blocks"] and all(
        b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in payload["blocks"]
    )
    assert "&lt;filter&gt; &amp; sort" in payload["text"]


def test_teams_payload_matches_golden(httpserver: HTTPServer, tmp_path: Path) -> None:
    post_to(httpserver, tmp_path, "teams")
    check_golden("teams.json", normalise(received(httpserver)))


def test_teams_payload_is_an_adaptive_card_in_a_workflows_message(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    post_to(httpserver, tmp_path, "teams")
    payload = json.loads(received(httpserver))
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert all(block["type"] == "TextBlock" for block in card["body"])
    commands = [b["text"] for b in card["body"] if b.get("fontType") == "Monospace"]
    assert 'relorch hold v2-rev4 --env production --reason "..."' in commands
    assert card["actions"][0]["url"] == "https://ci.example.net/runs/42"


def test_webhook_payload_matches_golden(httpserver: HTTPServer, tmp_path: Path) -> None:
    post_to(httpserver, tmp_path, "webhook")
    check_golden("webhook.json", normalise(received(httpserver)))


def test_webhook_body_carries_the_documented_fields_and_headers(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    post_to(httpserver, tmp_path, "webhook")
    request = httpserver.log[0][0]
    body = json.loads(request.get_data())
    assert validate_document(body)["schema"] == "relorch-announcement/1"
    assert body["delivery_id"] == request.headers["X-Relorch-Delivery"]
    assert request.headers["X-Relorch-Event"] == "pending"
    assert "X-Relorch-Signature" not in request.headers  # no secret_env, no signature
    assert {k: body[k] for k in ("event", "api", "env", "tag", "sha", "major", "revision")} == {
        "event": "pending",
        "api": "products",
        "env": "production",
        "tag": "v2-rev4",
        "sha": EVENT.sha,
        "major": 2,
        "revision": 4,
    }
    assert body["time"] == "2026-01-15T10:00:00Z"
    assert body["notice_ends"] == "2026-01-15T10:15:00Z"
    assert body["hold_command"] == 'relorch hold v2-rev4 --env production --reason "..."'


def test_file_channel_appends_a_golden_json_line(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"audit": {"kind": "file", "path": "logs/announce.jsonl"}})
    send(config, "audit", {})
    send(config, "audit", {}, replace(EVENT, kind="succeeded"))
    lines = (tmp_path / "logs" / "announce.jsonl").read_bytes().splitlines(keepends=True)
    assert [validate_document(json.loads(line))["event"] for line in lines] == [
        "pending",
        "succeeded",
    ]
    check_golden("file.jsonl", normalise(lines[0]))


def test_file_channel_lines_stay_whole_under_concurrent_writers(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"audit": {"kind": "file", "path": "a.jsonl"}})
    long = replace(EVENT, notes=tuple(f"note {i} " + "x" * 200 for i in range(40)))

    def writer() -> None:
        for _ in range(10):
            send(config, "audit", {}, long)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 60
    assert all(len(json.loads(line)["notes"]) == 40 for line in lines)


def test_console_channel_prints_readable_text_matching_golden(tmp_path: Path) -> None:
    config = make_config(tmp_path, {})
    printed = send(config, "console", {})
    check_golden("console.txt", printed)


def test_slack_payload_keeps_within_block_kit_limits() -> None:
    text = "\n\n".join(f"paragraph {i} " + "y" * 4000 for i in range(60))
    payload = slack.payload(text)
    blocks = payload["blocks"]
    assert isinstance(blocks, list) and len(blocks) == slack.BLOCK_LIMIT
    assert all(len(b["text"]["text"]) <= slack.SECTION_LIMIT for b in blocks)
    assert len(str(payload["text"])) <= slack.TEXT_LIMIT
