"""Delivery over real loopback HTTP: retries, Retry-After, timeouts, signatures, no leaks."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import socket
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from relorch.channels.announcer import announce
from relorch.channels.events import Announcement
from relorch.channels.model import AnnounceError, Delivery, RetryPolicy
from relorch.config import Config, parse_config
from relorch.output import Reporter

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
EVENT = Announcement(
    kind="pending",
    api="products",
    env="production",
    ref="v2@rev4",
    tag="v2-rev4",
    sha="0123456789abcdef",
    major=2,
    revision=4,
    actor="alice",
)
SECRET_SEGMENT = "Xk29secretPathSegmentQ7"
PATH = f"/hooks/{SECRET_SEGMENT}"
SIGNING_KEY = "s1gning-key-that-must-never-print"
POLICY = RetryPolicy(attempts=4, backoff=0.5, backoff_cap=8, connect_timeout=2, read_timeout=5)


class Recorder:
    """An injected sleep that records each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_config(root: Path, kind: str = "webhook", secret: bool = False) -> Config:
    channel = {"kind": kind, "url_env": "HOOK_URL"}
    if secret:
        channel["secret_env"] = "HOOK_KEY"
    return parse_config({"apis": {"products": {}}, "channels": {"hook": channel}}, root=root)


def run(
    config: Config,
    url: str,
    *,
    policy: RetryPolicy = POLICY,
    sleep: Recorder | None = None,
    names: tuple[str, ...] = ("hook",),
    environ: dict[str, str] | None = None,
    stream: io.StringIO | None = None,
) -> list[Delivery]:
    return announce(
        config,
        list(names),
        EVENT,
        Reporter(stream or io.StringIO()),
        policy=policy,
        sleep=sleep or Recorder(),
        clock=lambda: NOW,
        environ={"HOOK_URL": url, "HOOK_KEY": SIGNING_KEY, **(environ or {})},
    )


def waits_after_retry_after(
    httpserver: HTTPServer, tmp_path: Path, status: int, retry_after: str
) -> list[float]:
    """Answer `status` with `Retry-After: retry_after` once, then ok: the waits slept between."""
    httpserver.expect_ordered_request(PATH).respond_with_response(
        Response("", status=status, headers={"Retry-After": retry_after})
    )
    httpserver.expect_ordered_request(PATH).respond_with_data("ok")
    sleep = Recorder()
    run(make_config(tmp_path), httpserver.url_for(PATH), sleep=sleep)
    return sleep.waits


def statuses(httpserver: HTTPServer) -> list[int]:
    return [response.status_code for _, response in httpserver.log]


def test_server_failing_every_time_gives_announce_error_after_all_attempts(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("boom", status=500)
    sleep = Recorder()
    with pytest.raises(AnnounceError) as caught:
        run(make_config(tmp_path), httpserver.url_for(PATH), sleep=sleep)
    assert statuses(httpserver) == [500] * 4
    assert len(sleep.waits) == 3
    message = str(caught.value)
    assert "'hook' (webhook) after 4 attempts" in message
    assert "500 Internal Server Error: boom" in message
    assert caught.value.exit_code == 1


def test_backoff_grows_exponentially_with_bounded_jitter(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(PATH).respond_with_data("", status=503)
    sleep = Recorder()
    with pytest.raises(AnnounceError):
        run(make_config(tmp_path), httpserver.url_for(PATH), sleep=sleep)
    for wait, step in zip(sleep.waits, (0.5, 1.0, 2.0), strict=True):
        assert step / 2 <= wait <= step


def test_server_failing_once_then_accepting_gets_the_message_exactly_once(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request(PATH).respond_with_data("", status=500)
    httpserver.expect_ordered_request(PATH).respond_with_data("ok", status=200)
    (delivery,) = run(make_config(tmp_path), httpserver.url_for(PATH))
    assert statuses(httpserver) == [500, 200]
    assert (delivery.attempts, delivery.status, delivery.delivered) == (2, 200, True)


def test_retries_of_one_delivery_repeat_the_same_id_body_and_signature(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request(PATH).respond_with_data("", status=502)
    httpserver.expect_ordered_request(PATH).respond_with_data("", status=504)
    httpserver.expect_ordered_request(PATH).respond_with_data("", status=200)
    (delivery,) = run(make_config(tmp_path, secret=True), httpserver.url_for(PATH))
    requests = [request for request, _ in httpserver.log]
    assert len(requests) == 3
    assert {r.headers["X-Relorch-Delivery"] for r in requests} == {delivery.delivery_id}
    assert len({r.get_data() for r in requests}) == 1
    assert len({r.headers["X-Relorch-Signature"] for r in requests}) == 1


def test_429_with_retry_after_seconds_waits_that_long_then_delivers(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request(PATH).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_ordered_request(PATH).respond_with_data("ok")
    sleep = Recorder()
    (delivery,) = run(make_config(tmp_path), httpserver.url_for(PATH), sleep=sleep)
    assert sleep.waits == [1.0]
    assert delivery.delivered and delivery.attempts == 2


def test_429_with_retry_after_http_date_waits_until_that_time(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    when = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    assert waits_after_retry_after(httpserver, tmp_path, 429, when) == [30.0]


def test_429_retry_after_longer_than_the_cap_is_capped(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    assert waits_after_retry_after(httpserver, tmp_path, 429, "86400") == [60.0]


def test_client_error_is_not_retried_and_the_error_says_what_the_server_answered(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(PATH).respond_with_data("invalid_payload", status=400)
    sleep = Recorder()
    with pytest.raises(
        AnnounceError, match="after 1 attempt: server answered 400 Bad Request: invalid_payload"
    ):
        run(make_config(tmp_path, kind="slack"), httpserver.url_for(PATH), sleep=sleep)
    assert statuses(httpserver) == [400]
    assert sleep.waits == []


def test_redirects_are_not_followed(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(PATH).respond_with_response(
        Response("", status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    with pytest.raises(AnnounceError, match=r"302 Found.*redirects are not followed"):
        run(make_config(tmp_path), httpserver.url_for(PATH))
    assert [r.path for r, _ in httpserver.log] == [PATH]


def test_long_answers_are_cut_to_a_short_excerpt(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(PATH).respond_with_data("x" * 100_000, status=404)
    with pytest.raises(AnnounceError) as caught:
        run(make_config(tmp_path), httpserver.url_for(PATH))
    assert "x" * 199 + "…" in str(caught.value)
    assert "x" * 201 not in str(caught.value)


def test_signature_verifies_against_the_exact_body_bytes(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def verify(request: Request) -> Response:
        expected = (
            "sha256="
            + hmac.new(SIGNING_KEY.encode(), request.get_data(), hashlib.sha256).hexdigest()
        )
        given = request.headers.get("X-Relorch-Signature", "")
        return Response(
            "ok" if hmac.compare_digest(given, expected) else "bad signature",
            status=200 if hmac.compare_digest(given, expected) else 401,
        )

    httpserver.expect_request(PATH).respond_with_handler(verify)
    (delivery,) = run(make_config(tmp_path, secret=True), httpserver.url_for(PATH))
    assert delivery.status == 200


def test_a_receiver_with_another_secret_rejects_the_signature(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def verify(request: Request) -> Response:
        expected = (
            "sha256=" + hmac.new(b"another-secret", request.get_data(), hashlib.sha256).hexdigest()
        )
        ok = hmac.compare_digest(request.headers.get("X-Relorch-Signature", ""), expected)
        return Response("ok" if ok else "bad signature", status=200 if ok else 401)

    httpserver.expect_request(PATH).respond_with_handler(verify)
    with pytest.raises(AnnounceError, match="401 Unauthorized: bad signature"):
        run(make_config(tmp_path, secret=True), httpserver.url_for(PATH))


@dataclass
class SilentServer:
    """A loopback TCP server that accepts connections and never answers."""

    url: str
    accepted: threading.Semaphore  # released once per accepted connection


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    connections: list[socket.socket] = []
    accepted = threading.Semaphore(0)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            accepted.release()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield SilentServer(f"http://127.0.0.1:{server.getsockname()[1]}{PATH}", accepted)
    stop.set()
    thread.join()
    for connection in connections:
        connection.close()
    server.close()


def test_a_server_that_never_answers_hits_the_read_timeout(
    silent_server: SilentServer, tmp_path: Path
) -> None:
    policy = RetryPolicy(attempts=2, backoff=0, connect_timeout=1, read_timeout=0.2)
    with pytest.raises(
        AnnounceError, match=r"after 2 attempts: no answer within 0\.2 s \(read timeout\)"
    ):
        run(make_config(tmp_path), silent_server.url, policy=policy)
    assert silent_server.accepted.acquire(timeout=10)
    assert silent_server.accepted.acquire(timeout=10)
    assert not silent_server.accepted.acquire(blocking=False)


def test_connection_refused_is_retried_and_reported_without_the_url(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}{PATH}"
    sleep = Recorder()
    with pytest.raises(AnnounceError) as caught:
        run(make_config(tmp_path), url, sleep=sleep)
    assert "after 4 attempts: connection refused" in str(caught.value)
    assert len(sleep.waits) == 3
    assert SECRET_SEGMENT not in _everything(caught.value)


def test_every_channel_is_tried_and_the_error_names_only_the_failed_one(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/ok").respond_with_data("ok")
    httpserver.expect_request(PATH).respond_with_data("", status=404)
    config = parse_config(
        {
            "apis": {"products": {}},
            "channels": {
                "hook": {"kind": "webhook", "url_env": "HOOK_URL"},
                "good": {"kind": "slack", "url_env": "GOOD_URL"},
            },
        },
        root=tmp_path,
    )
    with pytest.raises(AnnounceError) as caught:
        run(
            config,
            httpserver.url_for(PATH),
            names=("hook", "good"),
            environ={"GOOD_URL": httpserver.url_for("/ok")},
        )
    assert "'hook'" in str(caught.value) and "'good'" not in str(caught.value)
    assert [d.channel for d in caught.value.delivered] == ["good"]
    assert sorted(statuses(httpserver)) == [200, 404]


def _everything(exc: AnnounceError) -> str:
    """All text an exception can show: message, hint, repr, deliveries and its traceback."""
    return "\n".join(
        [
            str(exc),
            exc.hint,
            repr(exc),
            repr(exc.deliveries),
            "".join(traceback.format_exception(exc)),
        ]
    )


def test_failures_never_show_the_webhook_url_or_the_signing_secret(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def echo(request: Request) -> Response:  # a hostile server repeats what it was sent
        return Response(
            json.dumps({"url": request.url, "headers": dict(request.headers)}), status=500
        )

    httpserver.expect_request(PATH).respond_with_handler(echo)
    stream = io.StringIO()
    policy = RetryPolicy(attempts=2, backoff=0)
    with pytest.raises(AnnounceError) as caught:
        run(
            make_config(tmp_path, secret=True),
            httpserver.url_for(PATH),
            policy=policy,
            stream=stream,
        )
    shown = _everything(caught.value) + stream.getvalue()
    assert "server answered 500" in shown
    assert SECRET_SEGMENT not in shown
    assert SIGNING_KEY not in shown
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_503_with_retry_after_is_honoured_too(httpserver: HTTPServer, tmp_path: Path) -> None:
    assert waits_after_retry_after(httpserver, tmp_path, 503, "7") == [7.0]


def test_unparseable_retry_after_falls_back_to_backoff(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    waits = waits_after_retry_after(httpserver, tmp_path, 429, "soon-ish")
    assert len(waits) == 1 and 0.25 <= waits[0] <= 0.5


def test_http_library_debug_logs_are_masked(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request(PATH).respond_with_data("ok")
    with caplog.at_level("DEBUG", logger="urllib3"):
        run(make_config(tmp_path), httpserver.url_for(PATH))
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any("POST" in line for line in ours)
    assert not any(SECRET_SEGMENT in line for line in ours)
