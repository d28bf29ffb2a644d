"""Deploys announced over real loopback HTTP: order, failures, objections, secrets (issue 4)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.deploykit import (
    env_block,
    origin_records,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
)
from tests.gitrepo import Clone, git

SECRET_PATH = "/hooks/T0PSECRETPATH9f8e7d6c5b4a"
SIGNING_KEY = "signing-key-5a4b3c2d1e"
CHANNEL = (
    '[channels.platform]\nkind = "webhook"\nurl_env = "RELORCH_TEST_HOOK"\n'
    'secret_env = "RELORCH_TEST_SIGNING"\n'
)
# The deploy step asks the test server how many announcements it has received so far and
# fails unless the pending one is among them: the order is proven by the step itself.
ORDER_STEP = r"""
import json, sys, urllib.request
seen = json.load(urllib.request.urlopen(sys.argv[1]))
print("announcements seen by the server before the step:", seen)
sys.exit(0 if "pending" in seen else 9)
"""


def fast_retries(server: HTTPServer) -> dict[str, str]:
    return {
        "RELORCH_TEST_HOOK": server.url_for(SECRET_PATH),
        "RELORCH_TEST_SIGNING": SIGNING_KEY,
        "RELORCH_ANNOUNCE_ATTEMPTS": "3",
        "RELORCH_ANNOUNCE_BACKOFF": "0",
    }


def announced_project(repo: Clone, *, notice: str = "", deploy_argv: str | None = None) -> None:
    extra = 'announce = ["platform"]' + (f'\nnotice = "{notice}"' if notice else "")
    if deploy_argv is None:
        block = env_block("production", extra=extra)
    else:
        block = f"[environments.production]\ndeploy = {deploy_argv}\n{extra}\n"
    setup_project(repo, CHANNEL + block + env_block("staging"))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET_PATH.rsplit("/", maxsplit=1)[-1] not in text
        assert SIGNING_KEY not in text


def test_announcement_reaches_the_server_before_the_step_runs(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    kinds: list[str] = []

    def hook(request: Request) -> Response:
        body = request.get_data()
        expected = hmac.new(SIGNING_KEY.encode(), body, hashlib.sha256).hexdigest()
        assert request.headers["X-Relorch-Signature"] == f"sha256={expected}"
        kinds.append(json.loads(body)["event"])
        return Response("ok")

    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_handler(hook)
    httpserver.expect_request("/seen").respond_with_handler(
        lambda _: Response(json.dumps(kinds), content_type="application/json")
    )
    (repo.path / "order_step.py").write_text(ORDER_STEP)
    repo.git("add", "order_step.py")
    announced_project(
        repo,
        deploy_argv=json.dumps([sys.executable, "order_step.py", httpserver.url_for("/seen")]),
    )
    result = repo.relorch("deploy", "v1", "--env", "production", env=fast_retries(httpserver))
    assert result.returncode == 0, result.stderr
    assert "announcements seen by the server before the step: ['pending']" in result.stderr
    assert kinds == ["pending", "succeeded"]
    assert_no_secret(result.stdout, result.stderr, json.dumps(origin_records(repo.origin)))


def test_server_failing_every_time_blocks_the_deploy_before_anything_runs(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("boom", status=500)
    announced_project(repo)
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    result = repo.relorch("deploy", "v1", "--env", "production", env=env)
    assert result.returncode == 1
    assert "error: " in result.stderr and "hint: " in result.stderr
    assert "500" in result.stderr
    assert step_calls(tmp_path) == []
    assert origin_records(repo.origin) == []  # nothing recorded as started
    assert len(httpserver.log) == 3  # every attempt was made
    assert_no_secret(result.stdout, result.stderr)


def test_server_failing_with_warn_policy_deploys_and_says_so(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("nope", status=404)
    setup_project(
        repo,
        CHANNEL
        + env_block("production", extra='announce = ["platform"]\nannounce_failure = "warn"'),
    )
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    result = repo.relorch("deploy", "v1", "--env", "production", env=env)
    assert result.returncode == 0, result.stderr
    assert "warning: announcement not delivered" in result.stderr
    assert len(httpserver.log) == 2  # pending and result, each tried once: a 404 is not retried
    assert len(step_calls(tmp_path)) == 1
    assert_no_secret(result.stdout, result.stderr)


def _deploy_with_objection(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path, *hold_args: str
) -> tuple[int, str]:
    """Deploy v1 to production with a notice window; once the pending announcement has
    arrived, a second process places the hold described by `hold_args`."""
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    announced_project(repo, notice="3s")
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    deploy = start(repo, "deploy", "v1", "--env", "production", env=env)
    wait_for(lambda: len(httpserver.log) >= 1)  # the pending announcement: the window is open
    hold = repo.relorch(*hold_args, env=env)
    assert hold.returncode == 0, hold.stderr
    _, stderr = deploy.communicate(timeout=120)
    return deploy.returncode, stderr


def test_hold_by_another_process_during_the_notice_window_stops_the_deploy(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    code, stderr = _deploy_with_objection(
        repo,
        httpserver,
        tmp_path,
        "hold",
        "v1-rev2",
        "--env",
        "production",
        "--reason",
        "consumers not ready",
    )
    assert code == 6, stderr
    assert "consumers not ready" in stderr
    assert step_calls(tmp_path) == []
    events = [json.loads(entry[0].get_data())["event"] for entry in httpserver.log]
    assert events == ["pending", "held"]
    actions = [(r["action"], r["status"]) for r in origin_records(repo.origin)]
    assert actions == [("deploy", "announced"), ("hold", "held")]


@pytest.mark.parametrize(
    ("tag", "env", "reason"),
    [("v1-rev1", "production", "not this one"), ("v1-rev2", "staging", "staging only")],
    ids=["another-revision", "another-environment"],
)
def test_hold_on_another_revision_or_in_another_environment_does_not_stop_the_deploy(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path, tag: str, env: str, reason: str
) -> None:
    code, stderr = _deploy_with_objection(
        repo, httpserver, tmp_path, "hold", tag, "--env", env, "--reason", reason
    )
    assert code == 0, stderr
    assert len(step_calls(tmp_path)) == 1


def test_no_wait_is_refused_without_force_and_recorded_with_it(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    announced_project(repo, notice="1h")
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    refused = repo.relorch("deploy", "v1", "--env", "production", "--no-wait", env=env)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert httpserver.log == [] and origin_records(repo.origin) == []
    forced = repo.relorch("deploy", "v1", "--env", "production", "--no-wait", "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    started = [r for r in origin_records(repo.origin) if r["status"] == "started"]
    assert started[0]["extra"]["notice_skipped"] == "--no-wait --force"


def test_rollback_is_announced_without_waiting_the_notice(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("ok")
    announced_project(repo, notice="1h")
    env = {**fast_retries(httpserver), **step_env(tmp_path)}
    for tag in ("v1-rev1", "v1-rev2"):
        assert (
            repo.relorch(
                "deploy", tag, "--env", "production", "--no-wait", "--force", env=env
            ).returncode
            == 0
        )
    result = repo.relorch("rollback", "--env", "production", env=env)
    assert result.returncode == 0, result.stderr
    assert "notice window" not in result.stderr
    events = [json.loads(entry[0].get_data())["event"] for entry in httpserver.log]
    assert events[-2:] == ["rollback_pending", "rolled_back"]
    assert git(repo.origin, "rev-parse", "--verify", "refs/relorch/ledger")
