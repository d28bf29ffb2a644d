"""A depth-1 CI clone: deploy says the history is missing and how to fetch it, instead of
claiming the tag is not on its release line."""

from __future__ import annotations

from pathlib import Path

from tests.deploykit import env_block, setup_project
from tests.gitrepo import Clone, git


def test_deploy_in_a_shallow_clone_names_the_shallow_history_and_the_fix(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    shallow = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.origin}", str(shallow))
    result = Clone(shallow, repo.origin).relorch("deploy", "v1@rev1", "--env", "staging")
    assert result.returncode == 3, result.stderr
    assert "shallow" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    assert "is not on the release line" not in result.stderr


def test_full_clone_that_fetched_the_ledger_shallowly_still_deploys(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False))
    assert repo.relorch("deploy", "v1@rev2", "--env", "staging").returncode == 0
    result = repo.relorch("deploy", "v1@rev1", "--env", "staging")
    assert result.returncode == 0, result.stderr
