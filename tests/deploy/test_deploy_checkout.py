"""The deploy step's checkout: parallel by default, sparse where the environment lists paths."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import PYTHON, setup_project, step_env
from tests.gitrepo import Clone

# A step that lists the files it sees and what `git status` says in its worktree.
LISTING = r"""
import json, os, pathlib, subprocess, sys
root = pathlib.Path.cwd()
files = sorted(
    str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
)
status = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout
pathlib.Path(os.environ["STEP_LOG"]).write_text(json.dumps({"files": files, "status": status}))
"""


def _project(repo: Clone, extra: str) -> Clone:
    repo.commit(
        "chore: files",
        {"deploy/run.py": LISTING, "deploy/conf.txt": "x\n", "src/app.py": "", "openapi.yaml": ""},
    )
    block = f'[environments.staging]\ndeploy = [{PYTHON}, "deploy/run.py"]\n{extra}'
    return setup_project(repo, block)


def _seen(tmp_path: Path) -> dict[str, object]:
    seen: dict[str, object] = json.loads((tmp_path / "step.log").read_text())
    return seen


def test_step_sees_the_whole_tree_without_checkout_paths(repo: Clone, tmp_path: Path) -> None:
    _project(repo, "")
    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = _seen(tmp_path)
    assert {"deploy/run.py", "src/app.py", "openapi.yaml", "relorch.toml"} <= set(seen["files"])  # type: ignore[arg-type]
    assert seen["status"] == ""


def test_checkout_paths_give_the_step_only_those_files_and_a_clean_status(
    repo: Clone, tmp_path: Path
) -> None:
    _project(repo, 'checkout = ["deploy/", "openapi.yaml"]\n')
    config_before = (repo.path / ".git" / "config").read_bytes()
    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = _seen(tmp_path)
    assert seen["files"] == ["deploy/conf.txt", "deploy/run.py", "openapi.yaml"]
    assert seen["status"] == ""
    # the user's repository is left as it was: no worktreeConfig extension, no sparse setting
    assert (repo.path / ".git" / "config").read_bytes() == config_before
    assert repo.git("worktree", "list").count("\n") == 0


def test_a_checkout_path_that_is_not_a_path_is_a_config_error(repo: Clone) -> None:
    repo.commit(
        "config", {"relorch.toml": '[apis.products]\n[environments.staging]\ncheckout = ["/"]\n'}
    )
    result = repo.relorch("status")
    assert result.returncode == 2
    assert "environments.staging.checkout" in result.stderr
    assert "hint:" in result.stderr
