"""Servers that misbehave: one dripping its answer a byte (or a header line) at a time, one
echoing the secret parts of its URL back. A raw loopback socket server, the executable."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.channels.test_announce_cli import CONFIG
from tests.gitrepo import Clone


class Dripper:
    """Accepts connections, reads the request, then sends `answer` one piece every `every` s."""

    def __init__(self, pieces: list[bytes], every: float) -> None:
        self.pieces, self.every = pieces, every
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for piece in self.pieces:
                if self.stop.wait(self.every):
                    return
                try:
                    conn.sendall(piece)
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


HEADERS_FOREVER = [b"HTTP/1.1 200 OK\r\n"] + [b"X-Drip: %d\r\n" % i for i in range(10_000)]
BODY_FOREVER = [b"HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\n"] + [b"x"] * 100_000


@pytest.fixture(params=["headers", "body"])
def dripper(request: pytest.FixtureRequest) -> Iterator[Dripper]:
    server = Dripper(HEADERS_FOREVER if request.param == "headers" else BODY_FOREVER, 0.2)
    yield server
    server.close()


def test_dripping_server_is_cut_off_at_the_attempts_total_deadline(
    repo: Clone, dripper: Dripper
) -> None:
    (repo.path / "relorch.toml").write_text(CONFIG)
    env = {
        "RELORCH_HOOK_URL": f"http://127.0.0.1:{dripper.port}/hooks/abc",
        "RELORCH_HOOK_KEY": "k" * 20,
        "RELORCH_ANNOUNCE_ATTEMPTS": "2",
        "RELORCH_ANNOUNCE_BACKOFF": "0",
        "RELORCH_ANNOUNCE_TIMEOUT": "1.5",
    }
    start = time.monotonic()
    # Each read arrives within the read timeout (0.2 s apart): before, this ran for hours.
    proc = repo.relorch("announce", "-c", "hook", "hello", env=env, timeout=60)
    assert time.monotonic() - start < 30
    assert proc.returncode == 1, proc.stderr
    assert "deadline" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "path",
    ["/hooks/s3cr3t", "/hook/T01/B02/x9Kq", "/hooks/abc?sig=q1w2e3&code=zz9", "/h/Q?k=7z"],
    ids=["short-segment", "slack-shape", "query-values", "one-and-two-characters"],
)
def test_secret_parts_echoed_by_the_server_are_masked_whatever_their_length(
    repo: Clone, httpserver: HTTPServer, path: str
) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(path)
    secrets = [parts.path.rsplit("/", 1)[1]] + [
        pair.split("=")[1] for pair in parts.query.split("&") if pair
    ]

    def echo(request: Request) -> Response:
        said = " ".join(f"bad token {s}" for s in secrets)
        return Response(f"{said} (for {request.full_path})", status=403)

    httpserver.expect_request(parts.path).respond_with_handler(echo)
    (repo.path / "relorch.toml").write_text(CONFIG)
    env = {
        "RELORCH_HOOK_URL": httpserver.url_for(path),
        "RELORCH_HOOK_KEY": "signing-key-xyz",
        "RELORCH_ANNOUNCE_ATTEMPTS": "1",
        "GITHUB_ACTIONS": "true",
    }
    proc = repo.relorch("announce", "-c", "hook", "hello", env=env)
    assert proc.returncode == 1
    assert "bad token ***" in proc.stderr
    for secret in secrets:  # a short value is masked where it stands alone
        standalone = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
        assert not re.search(standalone, proc.stderr + proc.stdout), secret
    assert "::error" in proc.stdout
