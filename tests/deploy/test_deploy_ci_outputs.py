"""Deploys and rollbacks write the CI's outputs as releases do: $GITHUB_OUTPUT and the step
summary on GitHub, the dotenv report on GitLab."""

from __future__ import annotations

from pathlib import Path

from tests.deploykit import env_block, setup_project
from tests.gitrepo import Clone


def _github(tmp_path: Path, name: str) -> tuple[dict[str, str], Path, Path]:
    out, summary = tmp_path / f"{name}.out", tmp_path / f"{name}.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)}
    return env, out, summary


def test_deploy_and_rollback_write_github_outputs_and_step_summary(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    env, out, summary = _github(tmp_path, "deploy")
    assert repo.relorch("deploy", "v1@rev1", "--env", "staging", env=env).returncode == 0
    assert repo.relorch("deploy", "v1@rev2", "--env", "staging", env=env).returncode == 0
    text = summary.read_text()
    assert (
        "deployed `v1-rev2`" in text and "**staging**" in text and "live before: `v1-rev1`" in text
    )
    assert "\nv1-rev2\n" in out.read_text() and "deployed<<" in out.read_text()

    env, out, summary = _github(tmp_path, "rollback")
    result = repo.relorch("rollback", "--env", "staging", env=env)
    assert result.returncode == 0, result.stderr
    assert "rolled back to `v1-rev1`" in summary.read_text()
    assert "live before: `v1-rev2`" in summary.read_text()
    outputs = out.read_text()
    assert "\nv1-rev1\n" in outputs and "\nrollback\n" in outputs


def test_deploy_writes_the_gitlab_dotenv_report(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    dotenv = tmp_path / "relorch.env"
    env = {"GITLAB_CI": "true", "RELORCH_DOTENV": str(dotenv)}
    assert repo.relorch("deploy", "v1", "--env", "staging", env=env).returncode == 0
    lines = dotenv.read_text().splitlines()
    assert "RELORCH_TAG=v1-rev2" in lines and "RELORCH_DEPLOYED=true" in lines
    assert "RELORCH_ENV=staging" in lines and "RELORCH_ACTION=deploy" in lines


def test_a_failed_deploy_writes_no_outputs(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, env_block("staging", extra='timeout = "1m"'))
    env, out, summary = _github(tmp_path, "failed")
    env.update({"STEP_MODE": "fail", "STEP_LOG": str(tmp_path / "log")})
    result = repo.relorch("deploy", "v1", "--env", "staging", env=env)
    assert result.returncode == 1
    assert not summary.exists() and not out.exists()
