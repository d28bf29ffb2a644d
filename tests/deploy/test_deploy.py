"""relorch deploy through the installed executable: resolution, refusals, the step, the records."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import (
    PYTHON,
    STEP,
    env_block,
    origin_records,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
    worktrees,
)
from tests.gitrepo import Clone, clone_of


def test_deploy_runs_the_step_in_a_worktree_of_the_tag_and_records_it(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging"))
    (repo.path / "step.py").write_text("raise SystemExit('the checkout must not run')\n")

    result = repo.relorch("deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path))

    assert result.returncode == 0, result.stderr
    [call] = step_calls(tmp_path)
    assert call["argv"] == ["v1-rev1", "staging"]
    assert Path(str(call["cwd"])) != repo.path
    sha = repo.git("rev-parse", "v1-rev1^{commit}")
    assert call["env"]["RELORCH_SHA"] == sha
    assert "step output for v1-rev1" in result.stderr
    records = origin_records(repo.origin)
    assert [(r["action"], r["status"], r["tag"], r["sha"]) for r in records] == [
        ("deploy", "started", "v1-rev1", sha),
        ("deploy", "succeeded", "v1-rev1", sha),
    ]
    assert records[1]["lock"] == records[0]["id"]
    assert worktrees(repo) == [str(repo.path)]
    assert result.stdout == ""


def test_deploy_exports_every_placeholder_as_a_relorch_variable(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging"))
    repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    [call] = step_calls(tmp_path)
    env = call["env"]
    assert isinstance(env, dict)
    assert {
        k: env[k]
        for k in (
            "RELORCH_API",
            "RELORCH_MAJOR",
            "RELORCH_REVISION",
            "RELORCH_TAG",
            "RELORCH_ENV",
            "RELORCH_ACTION",
        )
    } == {
        "RELORCH_API": "products",
        "RELORCH_MAJOR": "1",
        "RELORCH_REVISION": "2",
        "RELORCH_TAG": "v1-rev2",
        "RELORCH_ENV": "staging",
        "RELORCH_ACTION": "deploy",
    }
    assert env["RELORCH_WORKDIR"] == call["cwd"]
    assert Path(env["RELORCH_RENDERED"]).name == "rendered"


def test_deploy_json_reports_the_result_on_stdout(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    repo.relorch("deploy", "v1@rev1", "--env", "staging", env=step_env(tmp_path))
    result = repo.relorch("deploy", "v1", "--env", "staging", "--json", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tag"] == "v1-rev2"
    assert data["status"] == "succeeded"
    assert data["deployed"] is True
    assert data["previous"] == {"revision": 1, "tag": "v1-rev1"}


def test_deploy_writes_github_outputs(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    output = tmp_path / "gh_output"
    result = repo.relorch(
        "deploy",
        "v1",
        "--env",
        "staging",
        env={
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_ACTOR": "octocat",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "42",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "v1-rev2" in output.read_text()
    started = origin_records(repo.origin)[0]
    assert started["actor"] == "octocat"
    assert started["run_url"] == "https://github.com/o/r/actions/runs/42"


def test_deploy_without_a_command_is_record_only(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert step_calls(tmp_path) == []
    assert [r["status"] for r in origin_records(repo.origin)] == ["started", "succeeded"]


def test_dry_run_prints_the_plan_and_writes_nothing(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    before = repo.remote_refs()
    result = repo.relorch(
        "deploy", "v1", "--env", "staging", "--dry-run", "--json", env=step_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True
    assert plan["tag"] == "v1-rev2"
    assert plan["steps"] == ["lock", "run_step", "record_result"]
    assert plan["command"][-2:] == ["v1-rev2", "staging"]
    assert "would deploy" in result.stderr
    assert repo.remote_refs() == before
    assert step_calls(tmp_path) == []


def test_deploy_refuses_a_tag_that_does_not_exist(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    result = repo.relorch("deploy", "v1@rev9", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "v1-rev9 does not exist" in result.stderr
    assert "hint: the latest revision of v1 is v1-rev2" in result.stderr
    assert origin_records(repo.origin) == []


def test_deploy_refuses_a_major_without_revisions(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    result = repo.relorch("deploy", "v4", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "no released revision of v4" in result.stderr


def test_deploy_refuses_a_tag_only_in_the_local_clone(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    repo.tag("v1-rev3", push=False)
    result = repo.relorch("deploy", "v1-rev3", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "v1-rev3 does not exist on the remote" in result.stderr


def test_deploy_refuses_a_lightweight_tag(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    repo.git("tag", "v1-rev3")
    repo.push("refs/tags/v1-rev3")
    result = repo.relorch("deploy", "v1@rev3", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "lightweight" in result.stderr
    assert "hint:" in result.stderr


def test_deploy_refuses_a_tag_off_the_release_line(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    repo.git("checkout", "-q", "-b", "experiment")
    repo.commit("feat: not on main")
    repo.tag("v1-rev3")
    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "not on the release line main" in result.stderr
    assert step_calls(tmp_path) == []


def test_deploy_refuses_an_unknown_environment(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    result = repo.relorch("deploy", "v1", "--env=-rf", env=step_env(tmp_path))
    assert result.returncode == 2
    assert "no environment named '-rf'" in result.stderr


def test_current_and_previous_need_an_environment_history(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"))
    result = repo.relorch("deploy", "v1@current", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 3
    assert "nothing of products v1 has been deployed to staging" in result.stderr


def test_deploy_at_previous_redeploys_the_previous_good_revision(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    repo.relorch("deploy", "v1@rev1", "--env", "staging")
    repo.relorch("deploy", "v1@rev2", "--env", "staging")
    result = repo.relorch("deploy", "v1@previous", "--env", "staging", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tag"] == "v1-rev1"


def test_production_accepts_only_revisions_that_succeeded_in_staging(
    repo: Clone, tmp_path: Path
) -> None:
    envs = env_block("staging", deploy=False) + env_block(
        "production", deploy=False, extra='promote_from = "staging"'
    )
    setup_project(repo, envs)
    refused = repo.relorch("deploy", "v1", "--env", "production")
    assert refused.returncode == 3
    assert "v1-rev2 has not succeeded in staging" in refused.stderr
    assert "relorch deploy v1-rev2 --env staging" in refused.stderr
    assert repo.relorch("deploy", "v1", "--env", "staging").returncode == 0
    accepted = repo.relorch("deploy", "v1", "--env", "production")
    assert accepted.returncode == 0, accepted.stderr


def test_each_major_has_its_own_current_revision(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False), revisions=1)
    repo.git("branch", "release/v1", "v1-rev1")
    repo.push("refs/heads/release/v1")
    repo.commit("feat!: v2")
    repo.push("HEAD:main")
    repo.tag("v2-rev1")
    assert repo.relorch("deploy", "v1", "--env", "staging").returncode == 0
    assert repo.relorch("deploy", "v2", "--env", "staging").returncode == 0
    live = {
        (i["major"], i["revision"])
        for i in json.loads(repo.git("cat-file", "blob", "refs/relorch/ledger:state.json"))["live"]
    }
    assert live == {(1, 1), (2, 1)}


def test_status_shows_what_deploy_made_current(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    repo.relorch("deploy", "v1@rev1", "--env", "staging")
    result = repo.relorch("status", "--env", "staging")
    assert result.returncode == 0, result.stderr
    assert "rev1" in result.stderr.splitlines()[-1]


def test_the_lock_is_per_api_so_two_apis_deploy_side_by_side(repo: Clone, tmp_path: Path) -> None:
    step_argv = f'deploy = [{PYTHON}, "step.py", "{{api}}"]'
    config = f"[apis.products]\n[apis.orders]\n[environments.staging]\n{step_argv}\n"
    repo.commit("config", {"relorch.toml": config, "step.py": STEP})
    repo.push("HEAD:main")
    repo.tag("products/v1-rev1")
    repo.tag("orders/v1-rev1")
    slow = start(repo, "deploy", "products/v1", "--env", "staging", env=step_env(tmp_path, "wait"))
    wait_for(lambda: bool(step_calls(tmp_path)))
    try:
        other = clone_of(repo, tmp_path, "other")
        fast = other.relorch("deploy", "orders/v1", "--env", "staging", env=step_env(tmp_path))
        same = other.relorch("deploy", "products/v1", "--env", "staging", env=step_env(tmp_path))
    finally:
        (tmp_path / "release").touch()
        slow.communicate(timeout=60)
    assert fast.returncode == 0, fast.stderr
    assert same.returncode == 5
    assert slow.returncode == 0
    assert sorted(c["argv"][0] for c in step_calls(tmp_path)) == ["orders", "products"]
