"""The NGINX and Kong decK example templates of docs/examples/, run for real.

NGINX: the rendered config is served by a real `nginx` on 127.0.0.1 in front of loopback
backends, one per upstream (revision). decK: the rendered file validates against decK's
JSON schema ($RELORCH_TEST_SCHEMAS/kong-deck/).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from relorch.render.manifest import manifest_data
from relorch.render.usertemplate import render_template
from tests.render import gatewayworld as world
from tests.render import test_render_world as base
from tests.schemas import schema_dir

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
# products v2-rev5 in preview in staging (v2-rev3 current, rev2 kept); v1-rev4 current, deprecated
DATES = {
    **world.DATES,
    ("products", 2, 5): datetime(2026, 3, 12, 9, 0, tzinfo=UTC),
}
PREVIEWS = {("products", "staging", 2): (5,)}
SUNSET = "Thu, 28 May 2026 09:30:00 GMT"


def rendered(template: str, env: str = "staging") -> str:
    tables = world.apis()
    tables["products"]["apim"]["path"] = ""  # served at /v1/…, /v2/…
    cfg = base.config(apis=tables, environments=world.environments())
    model = world.model(cfg, previews=PREVIEWS, dates=DATES)
    source = (EXAMPLES / template).read_text(encoding="utf-8")
    return render_template(source, template, manifest_data(model, env))


class _Backend(BaseHTTPRequestHandler):
    """Answers every GET with the name of the upstream it stands for."""

    def do_GET(self) -> None:
        body = json.dumps({"upstream": self.server.upstream, "path": self.path}).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.skip("nginx is not installed (scripts/install-ci-tools installs the Debian package)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[int, str]]:
    """nginx serving the rendered example on 127.0.0.1:PORT; yields (port, rendered text)."""
    nginx = _nginx()
    text = rendered("nginx.conf.j2")
    port = _free_port()
    assert "    listen 80;\n" in text
    (tmp_path / "relorch.conf").write_text(text.replace("listen 80;", f"listen 127.0.0.1:{port};"))
    servers = []
    upstreams = []
    for name in sorted(set(re.findall(r"\b([a-z0-9_]+_v\d+_rev\d+);", text))):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
        server.upstream = name  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        upstreams.append(f"upstream {name} {{ server 127.0.0.1:{server.server_address[1]}; }}")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"  {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'} warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n{temp}\n  " + "\n  ".join(upstreams) + "\n"
        f"  include {tmp_path / 'relorch.conf'};\n}}\n"
    )
    with (tmp_path / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _await_listening(process, port, tmp_path)
        yield port, text
    finally:
        process.terminate()
        process.wait(timeout=30)
        for server in servers:
            server.shutdown()
            server.server_close()


def _await_listening(process: subprocess.Popen[bytes], port: int, tmp_path: Path) -> None:
    """Until nginx accepts connections; fails with its error log if it exits first."""
    for _ in range(2000):
        if process.poll() is not None:
            logs = [tmp_path / "stderr.log", tmp_path / "error.log"]
            text = "".join(p.read_text() for p in logs if p.exists())
            pytest.fail(f"nginx exited {process.returncode}: {text}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            threading.Event().wait(0.01)
    pytest.fail("nginx did not start listening")


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), json.loads(body) if body else {}
    finally:
        connection.close()


def test_nginx_serves_a_deprecated_major_with_its_sunset_header(gateway: tuple[int, str]) -> None:
    port, _ = gateway
    status, headers, body = get(port, "/v1/items")
    assert status == 200
    assert body == {"upstream": "products_v1_rev4", "path": "/v1/items"}
    assert headers["Sunset"] == SUNSET
    assert headers["Deprecation"] == "@1764322200"
    assert (
        headers["Link"]
        == '<https://developer.example.net/migrate?from=v1&to=v2>; rel="deprecation"'
    )


def test_nginx_sends_the_revision_header_to_the_preview_backend(gateway: tuple[int, str]) -> None:
    port, _ = gateway
    assert get(port, "/v2/items", {"Api-Revision": "5"})[2]["upstream"] == "products_v2_rev5"
    status, headers, body = get(port, "/v2/items")
    assert (status, body["upstream"]) == (200, "products_v2_rev3")
    assert "Sunset" not in headers
    assert get(port, "/v2/items", {"Api-Revision": "2"})[2]["upstream"] == "products_v2_rev2"
    assert get(port, "/v2/items", {"Api-Revision": "4"})[2]["upstream"] == "products_v2_rev3"


@pytest.fixture(scope="module")
def deck_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(
        (schema_dir("kong-deck", "kong_json_schema.json") / "kong_json_schema.json").read_text()
    )
    return jsonschema.Draft4Validator(schema)


def test_deck_file_validates_against_decks_schema(
    deck_validator: jsonschema.Draft4Validator,
) -> None:
    for env in ("staging", "production"):
        document = yaml.safe_load(rendered("kong-deck.yaml.j2", env))
        assert sorted(e.message for e in deck_validator.iter_errors(document)) == []


def test_deck_file_routes_previews_by_header_and_adds_deprecation_headers() -> None:
    services = {s["name"]: s for s in yaml.safe_load(rendered("kong-deck.yaml.j2"))["services"]}
    assert services["products-v2"]["url"] == "http://products-v2-rev3:8080"
    preview = services["products-v2-rev5"]
    assert preview["routes"][0]["headers"] == {"Api-Revision": ["5"]}
    assert preview["routes"][0]["paths"] == ["/v2"]
    [plugin] = services["products-v1"]["plugins"]
    assert plugin["name"] == "response-transformer"
    assert f"Sunset:{SUNSET}" in plugin["config"]["add"]["headers"]
    assert "plugins" not in services["products-v2"]


def test_deck_schema_rejects_a_broken_route(deck_validator: jsonschema.Draft4Validator) -> None:
    document = yaml.safe_load(rendered("kong-deck.yaml.j2"))
    document["services"][0]["routes"][0]["paths"] = "/v2"
    document["services"][0]["routes"][0]["strip_paths"] = False
    assert len(list(deck_validator.iter_errors(document))) >= 2
