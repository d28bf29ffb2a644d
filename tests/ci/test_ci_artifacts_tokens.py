"""CI push tokens: a loopback smart-HTTP git server demands them; no output shows them."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.ci.ci_harness import (
    ROOT,
    dotenv_report,
    gitlab_ci_local,
    gitlab_venv,
    run_action,
    runner_temp,
)
from tests.gitrepo import Clone, clone_of, git, make_origin

TOKEN = "ghs_relorchTestToken0123456789abcdef"
STALE = "ghs_whatCheckoutPersisted000000000000"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def normal(header: str) -> str:
    """An Authorization value with its scheme lower-cased (the credentials are case-sensitive)."""
    scheme, _, credentials = header.partition(" ")
    return f"{scheme.lower()} {credentials}"


@dataclass
class GitHttpServer:
    """`git http-backend` behind a loopback HTTP server that wants one Authorization header."""

    root: Path
    expected: str
    seen: list[list[str]] = field(default_factory=list)
    url: str = ""

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        headers = [normal(h) for h in request.headers.get_all("Authorization") or []]
        self.seen.append(headers)
        if headers != [normal(self.expected)]:
            request.send_response(401)
            request.send_header("WWW-Authenticate", 'Basic realm="relorch-test"')
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        path, _, query = request.path.partition("?")
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "ci",
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": request.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(length),
            "HTTP_CONTENT_ENCODING": request.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": request.headers.get("Git-Protocol", ""),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
        }
        proc = subprocess.run(
            ["git", "http-backend"],
            input=body,
            env=env,
            capture_output=True,
            check=False,
            timeout=60,
        )
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        status, cgi_headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                cgi_headers.append((name, value.strip()))
        request.send_response(status)
        for name, value in cgi_headers:
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)


@pytest.fixture
def http_origin(tmp_path: Path) -> Iterator[tuple[Clone, GitHttpServer]]:
    """A repo whose origin is served over loopback HTTP, pushing only with the right header."""
    seed = make_origin(tmp_path)
    seed.tag("v1-rev1")
    seed.commit("fix: handle empty basket")
    seed.push()
    git(seed.origin, "config", "http.receivepack", "true")
    server = GitHttpServer(tmp_path, basic("x-access-token", TOKEN))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.handle(self)

        def do_POST(self) -> None:
            server.handle(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield seed, server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def checkout_like_actions(seed: Clone, server: GitHttpServer, root: Path) -> Clone:
    """A workspace as actions/checkout leaves it: https remote, its own token in an extraheader."""
    workspace = clone_of(seed, root, "workspace")
    workspace.git("remote", "set-url", "origin", f"{server.url}/origin.git")
    workspace.git(
        "config",
        f"http.{server.url}/.extraheader",
        "AUTHORIZATION: basic " + basic("x-access-token", STALE).split()[1],
    )
    return workspace


__all__ = ["gitlab_venv", "runner_temp"]  # fixtures, imported for their names


def test_action_token_replaces_the_checkout_header_for_relorchs_pushes(
    http_origin: tuple[Clone, GitHttpServer], tmp_path: Path, runner_temp: Path
) -> None:
    seed, server = http_origin
    workspace = checkout_like_actions(seed, server, tmp_path)
    config_before = (workspace.path / ".git" / "config").read_text()
    result = run_action(
        workspace.path,
        {"command": "release", "args": "--revision", "token": TOKEN},
        runner_temp,
        env={"GITHUB_SERVER_URL": server.url},
    )
    assert result.conclusion == "success", result.log
    assert result.outputs["tag"] == "v1-rev2" and "refs/tags/v1-rev2" in seed.remote_refs()
    assert server.seen and all(h == [normal(server.expected)] for h in server.seen)
    encoded = server.expected.removeprefix("Basic ")
    assert TOKEN in result.masks and encoded in result.masks
    assert TOKEN not in result.raw_log and encoded not in result.raw_log
    assert (workspace.path / ".git" / "config").read_text() == config_before


def test_without_the_token_input_the_persisted_header_is_used(
    http_origin: tuple[Clone, GitHttpServer], tmp_path: Path, runner_temp: Path
) -> None:
    """The server above really refuses a wrong header: the test before it can fail."""
    seed, server = http_origin
    workspace = checkout_like_actions(seed, server, tmp_path)
    result = run_action(
        workspace.path,
        {"command": "release", "args": "--revision"},
        runner_temp,
        env={"GITHUB_SERVER_URL": server.url},
    )
    assert result.conclusion == "failure"
    assert result.outputs["exit-code"] == "1"
    assert "refs/tags/v1-rev2" not in seed.remote_refs()


def test_gitlab_token_variable_pushes_through_a_credential_helper(
    http_origin: tuple[Clone, GitHttpServer], gitlab_venv: Path
) -> None:
    """The job token in the runner's clone URL cannot push; RELORCH_GIT_TOKEN can, through a
    push URL without credentials and a helper that reads the variable."""
    seed, server = http_origin
    server.expected = basic("oauth2", TOKEN)
    project = seed.path
    (project / "ci" / "gitlab").mkdir(parents=True)
    (project / "ci" / "gitlab" / "relorch.yml").write_text(
        (ROOT / "ci" / "gitlab" / "relorch.yml").read_text()
    )
    (project / ".gitlab-ci.yml").write_text(
        "stages: [release, deploy]\ninclude:\n  - local: ci/gitlab/relorch.yml\n"
        f"    inputs:\n      relorch-version: {ROOT}\n"
    )
    seed.git("add", ".")
    seed.git("commit", "-q", "-m", "ci: include relorch")
    seed.push()
    proc = gitlab_ci_local(
        project,
        "relorch-release",
        variables={
            "RELORCH_GIT_TOKEN": TOKEN,
            "CI_PROJECT_URL": f"{server.url}/origin",
            "RELORCH_VENV": str(gitlab_venv),
        },
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dotenv_report(project, "relorch-release")["RELORCH_TAG"] == "v1-rev2"
    assert "refs/tags/v1-rev2" in seed.remote_refs()
    assert [normal(server.expected)] in server.seen  # the push went over HTTP, with the token
    assert TOKEN not in proc.stdout + proc.stderr
    build = project / ".gitlab-ci-local" / "builds" / "relorch-release" / ".git" / "config"
    assert TOKEN not in build.read_text()
