"""Deploy, rollback, hold and notify follow the config committed on the main branch as the
remote has it; a working-tree or unpushed edit of the policy is refused or used on record."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import env_block, origin_records, setup_project, step_env
from tests.gitrepo import Clone, git

GUARDED = env_block("staging") + env_block("production", extra='promote_from = "staging"')


def weaken(repo: Clone) -> None:
    """The attack: drop promote_from from the working tree's config, commit nothing."""
    path = repo.path / "relorch.toml"
    path.write_text(path.read_text().replace('promote_from = "staging"\n', ""))


def test_uncommitted_edit_removing_promotion_is_refused_and_changes_nothing(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, GUARDED)
    weaken(repo)
    before = repo.remote_refs()
    result = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert result.returncode == 3, result.stderr
    assert "error: the policy in relorch.toml differs from the one committed on origin/main" in (
        result.stderr
    )
    assert "environments.production" in result.stderr
    assert "hint: commit the change and push it to main, or pass --config-from-worktree" in (
        result.stderr
    )
    assert repo.remote_refs() == before and origin_records(repo.origin) == []
    assert repo.git("status", "--porcelain", "--untracked-files=no") == "M relorch.toml"


def test_unpushed_commit_weakening_the_policy_is_refused(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, GUARDED)
    weaken(repo)
    repo.git("commit", "-q", "-am", "chore: skip staging")
    result = repo.relorch("rollback", "--env", "production", "v1", env=step_env(tmp_path))
    assert result.returncode == 3 and "differs from the one committed on origin/main" in (
        result.stderr
    )
    held = repo.relorch("hold", "v1@rev2", "--env", "production", "--reason", "x")
    assert held.returncode == 3 and origin_records(repo.origin) == []


def test_the_committed_promotion_rule_still_governs_a_checkout_without_it(
    repo: Clone, tmp_path: Path
) -> None:
    """An older published commit (a tag's CI job) follows main's policy, not its own file."""
    setup_project(repo, env_block("staging") + env_block("production"))
    old = repo.head()
    text = (repo.path / "relorch.toml").read_text() + 'promote_from = "staging"\n'
    repo.commit("chore: production needs staging", {"relorch.toml": text})
    repo.push("HEAD:main")
    repo.git("checkout", "-q", old)
    result = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert result.returncode == 3 and "staging" in result.stderr, result.stderr


def test_config_from_worktree_is_used_and_recorded(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, GUARDED)
    weaken(repo)
    result = repo.relorch(
        "deploy",
        "v1@rev2",
        "--env",
        "production",
        "--config-from-worktree",
        "--json",
        env=step_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    records = origin_records(repo.origin)
    assert {r["extra"].get("config") for r in records} == {"worktree"}
    assert {r["config_commit"] for r in records} == {repo.head()}


def test_every_record_names_the_config_commit_and_history_shows_it(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, GUARDED)
    main = git(repo.origin, "rev-parse", "main")
    assert repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path)).returncode == 0
    assert repo.relorch("hold", "v1", "--env", "production", "--reason", "wait").returncode == 0
    history = repo.relorch("history", "--json")
    records = json.loads(history.stdout)["records"]
    assert len(records) == 3 and {r["config_commit"] for r in records} == {main}


def test_records_from_before_config_commit_stay_readable(repo: Clone, tmp_path: Path) -> None:
    """A ledger written by an older relorch (no config_commit key) reads as null."""
    setup_project(repo, GUARDED)
    assert repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path)).returncode == 0
    from relorch.ledger.records import Record

    line = json.dumps(
        {k: v for k, v in origin_records(repo.origin)[0].items() if k != "config_commit"}
    )
    assert Record.from_line(line).config_commit is None
    assert "config_commit" not in Record.from_line(line).extra


def test_without_a_remote_head_config_governs(tmp_path: Path) -> None:
    path = tmp_path / "local"
    git(tmp_path, "init", "-q", str(path))
    clone = Clone(path, path)
    policy = env_block("staging", deploy=False) + env_block(
        "production", deploy=False, extra='promote_from = "staging"'
    )
    clone.commit("chore: config", {"relorch.toml": "[apis.products]\n" + policy})
    clone.git("tag", "-a", "-m", "v1-rev1", "v1-rev1")
    weaken(clone)
    refused = clone.relorch("deploy", "v1", "--env", "production")
    assert refused.returncode == 3 and "committed on HEAD" in refused.stderr
    clone.git("checkout", "-q", "relorch.toml")
    assert clone.relorch("deploy", "v1", "--env", "staging").returncode == 0
