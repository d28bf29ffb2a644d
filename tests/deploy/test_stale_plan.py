"""A deploy or rollback that waited (a slow announcement) while another one changed the
environment re-checks under the lock and stops with exit 5 instead of undoing it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.deploy.test_deploy_announce import CHANNEL, SECRET_PATH, fast_retries
from tests.deploykit import env_block, origin_state, setup_project, start, wait_for
from tests.gitrepo import Clone


class SlowServer:
    """A threaded loopback server; once armed, the next announcement hangs until released."""

    def __init__(self) -> None:
        self.server = HTTPServer(threaded=True)
        self.armed, self.hanging, self.release = (threading.Event() for _ in range(3))
        self.server.expect_request(SECRET_PATH, method="POST").respond_with_handler(self.hook)
        self.server.start()

    def hook(self, request: Request) -> Response:
        if self.armed.is_set() and not self.hanging.is_set():
            self.hanging.set()
            self.release.wait(60)
        return Response("ok")


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    server = SlowServer()
    yield server
    server.release.set()
    server.server.stop()


def project(repo: Clone) -> None:
    block = env_block("production", deploy=False, extra='announce = ["platform"]')
    setup_project(repo, CHANNEL + block, revisions=4)


def live_revision(repo: Clone) -> int:
    state = origin_state(repo.origin)
    return int(next(item["revision"] for item in state["live"]))


def test_rollback_that_waited_while_another_rollback_ran_stops_with_exit_5(
    repo: Clone, slow: SlowServer
) -> None:
    project(repo)
    env = fast_retries(slow.server)
    for revision in (2, 3, 4):
        result = repo.relorch("deploy", f"v1@rev{revision}", "--env", "production", env=env)
        assert result.returncode == 0, result.stderr
    slow.armed.set()
    b = start(repo, "rollback", "v1", "--env", "production", env=env)  # plans rev4 -> rev3
    wait_for(slow.hanging.is_set)
    a = repo.relorch("rollback", "--env", "production", "--to", "v1@rev2", env=env)
    assert a.returncode == 0, a.stderr
    slow.release.set()
    _, err = b.communicate(timeout=120)
    assert b.returncode == 5, err
    assert "changed while this rollback of v1-rev3 waited" in err
    assert live_revision(repo) == 2  # A's deliberate choice stands
