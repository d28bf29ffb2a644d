"""relorch rollback: the previous good revision goes back live, the bad one is marked."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import (
    env_block,
    origin_records,
    origin_state,
    setup_project,
    step_calls,
    step_env,
)
from tests.gitrepo import Clone


def deployed(repo: Clone, *refs: str, env: str = "staging") -> None:
    for ref in refs:
        result = repo.relorch("deploy", ref, "--env", env)
        assert result.returncode == 0, result.stderr


def test_rollback_redeploys_the_previous_good_revision_through_the_step(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging"), revisions=3)
    for ref in ("v1@rev1", "v1@rev2", "v1@rev3"):
        assert (
            repo.relorch("deploy", ref, "--env", "staging", env=step_env(tmp_path)).returncode == 0
        )

    result = repo.relorch("rollback", "--env", "staging", "v1", "--json", env=step_env(tmp_path))

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["action"], data["tag"], data["previous"]["tag"]) == (
        "rollback",
        "v1-rev2",
        "v1-rev3",
    )
    assert step_calls(tmp_path)[-1]["env"]["RELORCH_ACTION"] == "rollback"
    assert [(r["action"], r["status"]) for r in origin_records(repo.origin)[-2:]] == [
        ("rollback", "started"),
        ("rollback", "succeeded"),
    ]
    state = origin_state(repo.origin)
    assert state["rolled_back"] == [
        {"api": "products", "env": "staging", "major": 1, "revisions": [3]}
    ]


def test_rollback_without_ref_picks_the_only_live_major(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev1", "v1@rev2")
    result = repo.relorch("rollback", "--env", "staging", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tag"] == "v1-rev1"


def test_rollback_skips_failed_and_rolled_back_revisions(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging"), revisions=4)
    ok = step_env(tmp_path)
    repo.relorch("deploy", "v1@rev1", "--env", "staging", env=ok)
    repo.relorch("deploy", "v1@rev2", "--env", "staging", env=step_env(tmp_path, "fail"))
    repo.relorch("deploy", "v1@rev3", "--env", "staging", env=ok)
    repo.relorch("rollback", "--env", "staging", env=ok)  # rev3 -> rev1, rev3 marked
    repo.relorch("deploy", "v1@rev4", "--env", "staging", env=ok)
    result = repo.relorch("rollback", "--env", "staging", "--json", env=ok)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tag"] == "v1-rev1"


def test_rollback_with_nothing_below_says_so(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev1")
    result = repo.relorch("rollback", "--env", "staging")
    assert result.returncode == 3
    assert "nothing to roll back to" in result.stderr
    assert "--to" in result.stderr


def test_rollback_with_nothing_deployed_says_so(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    result = repo.relorch("rollback", "--env", "staging")
    assert result.returncode == 3
    assert "nothing of products has been deployed to staging" in result.stderr


def test_rollback_to_names_the_target(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False), revisions=3)
    deployed(repo, "v1@rev3")
    result = repo.relorch("rollback", "--env", "staging", "--to", "v1@rev1", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tag"] == "v1-rev1"
    refused = repo.relorch("rollback", "--env", "staging", "--to", "v1@rev3")
    assert refused.returncode == 3
    assert "not below the live v1-rev1" in refused.stderr


def test_rollback_ref_with_a_revision_is_a_usage_error(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev2")
    result = repo.relorch("rollback", "--env", "staging", "v1@rev1")
    assert result.returncode == 2
    assert "--to v1@rev1" in result.stderr


def test_latest_refuses_a_rolled_back_revision_until_a_newer_one_or_the_flag(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev1", "v1@rev2")
    assert repo.relorch("rollback", "--env", "staging").returncode == 0

    refused = repo.relorch("deploy", "v1@latest", "--env", "staging")
    assert refused.returncode == 3
    assert "v1-rev2 was rolled back in staging" in refused.stderr
    assert "--allow-rolled-back" in refused.stderr

    allowed = repo.relorch("deploy", "v1", "--env", "staging", "--allow-rolled-back")
    assert allowed.returncode == 0, allowed.stderr
    assert origin_state(repo.origin)["rolled_back"] == []


def test_a_newer_revision_deploys_after_a_rollback(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev1", "v1@rev2")
    assert repo.relorch("rollback", "--env", "staging").returncode == 0
    repo.commit("fix: the bug")
    repo.push("HEAD:main")
    repo.tag("v1-rev3")
    result = repo.relorch("deploy", "v1", "--env", "staging", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tag"] == "v1-rev3"


def test_rollback_dry_run_writes_nothing(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    deployed(repo, "v1@rev1", "v1@rev2")
    before = repo.remote_refs()
    result = repo.relorch("rollback", "--env", "staging", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would roll back to products v1-rev1" in result.stderr
    assert repo.remote_refs() == before
