"""Deploy bugs found by using relorch from outside, each pinned: first-deploy notes, a killed
deploy's worktree, placeholders at load, dry runs without secrets, one failing channel."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.deploykit import (
    env_block,
    origin_records,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
    worktrees,
)
from tests.gitrepo import Clone

FILE_CHANNEL = '[channels.team]\nkind = "file"\npath = "team.jsonl"\n'
HOOK_CHANNEL = '[channels.platform]\nkind = "webhook"\nurl_env = "RELORCH_TEST_HOOK"\n'


def sent(repo: Clone) -> list[dict]:  # type: ignore[type-arg]
    path = repo.path / "team.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_first_deploy_announces_the_notes_the_tag_carries(repo: Clone, tmp_path: Path) -> None:
    setup_project(
        repo, FILE_CHANNEL + env_block("staging", extra='announce = ["team"]'), revisions=0
    )
    repo.commit("feat: search by colour")
    repo.push("HEAD:main")
    assert repo.relorch("release", "--major").returncode == 0
    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr
    pending = sent(repo)[0]
    assert pending["event"] == "pending"
    assert "search by colour" in pending["text"] and "(none listed)" not in pending["text"]


def test_a_killed_deploys_worktree_is_removed_by_the_next_deploy_and_yours_are_kept(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging", extra='lock_timeout = "1s"'))
    mine = tmp_path / "relorch-deploy-mine" / "worktree"  # looks like relorch's, is the user's
    repo.git("worktree", "add", "-q", "--detach", str(mine), "HEAD")
    repo.git("worktree", "lock", "--reason", "my own", str(mine))
    plain = tmp_path / "plain"
    repo.git("worktree", "add", "-q", "--detach", str(plain), "HEAD")
    proc = start(repo, "deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path, "wait"))
    wait_for(lambda: bool(step_calls(tmp_path)))
    proc.kill()
    proc.communicate(timeout=30)
    (tmp_path / "release").write_text("")  # let the orphaned step end
    [dead] = [w for w in worktrees(repo) if w not in (str(repo.path), str(mine), str(plain))]
    assert Path(dead).is_dir()
    wait_for(lambda: origin_records(repo.origin)[-1]["status"] == "started")
    time.sleep(1.1)  # past the 1s lock_timeout (record times have 1s resolution)
    again = repo.relorch(
        "deploy", "v1@rev2", "--env", "staging", "--break-lock", env=step_env(tmp_path)
    )
    assert again.returncode == 0, again.stderr
    assert f"removed the worktree of a deploy that died: {dead}" in again.stderr
    assert sorted(worktrees(repo)) == sorted([str(repo.path), str(mine), str(plain)])
    assert not Path(dead).parent.exists() and mine.is_dir() and plain.is_dir()


def test_unknown_placeholder_in_a_deploy_argv_fails_when_the_config_loads(repo: Clone) -> None:
    setup_project(repo, '[environments.staging]\ndeploy = ["./go", "{tga}"]\n')
    result = repo.relorch("status")
    assert result.returncode == 2
    assert "environments.staging.deploy: unknown placeholder {tga}" in result.stderr
    assert "hint: placeholders: {api}" in result.stderr


def test_dry_run_needs_no_channel_secret_and_the_real_deploy_does(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, HOOK_CHANNEL + env_block("production", extra='announce = ["platform"]'))
    dry = repo.relorch("deploy", "v1", "--env", "production", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "announce:  platform" in dry.stderr
    real = repo.relorch("deploy", "v1", "--env", "production", env=step_env(tmp_path))
    assert real.returncode == 2 and "RELORCH_TEST_HOOK" in real.stderr
    assert origin_records(repo.origin) == [] and step_calls(tmp_path) == []


def test_one_failing_channel_is_named_alone_and_the_others_hear_it_is_cancelled(
    repo: Clone, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    setup_project(
        repo,
        FILE_CHANNEL
        + HOOK_CHANNEL
        + env_block("production", extra='announce = ["team", "platform"]'),
    )
    env = {
        **step_env(tmp_path),
        "RELORCH_TEST_HOOK": httpserver.url_for("/hook"),
        "RELORCH_ANNOUNCE_ATTEMPTS": "2",
        "RELORCH_ANNOUNCE_BACKOFF": "0",
    }
    result = repo.relorch("deploy", "v1", "--env", "production", env=env)
    assert result.returncode == 1
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert "could not announce the deploy on platform:" in error and "team" not in error
    assert [m["event"] for m in sent(repo)] == ["pending", "cancelled"]
    assert "cancelled: not deployed" in sent(repo)[1]["text"]
    assert step_calls(tmp_path) == [] and origin_records(repo.origin) == []
