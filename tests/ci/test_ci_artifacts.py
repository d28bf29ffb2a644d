"""The GitHub Actions composite action and the example workflows: schema, lint, and real runs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ci.ci_harness import (
    ACTION_DIR,
    ROOT,
    ActionRun,
    check_jsonschema,
    parse_file_command,
    require_venv_tool,
    run_action,
    runner_temp,
)
from tests.gitrepo import Clone, git, make_origin

__all__ = ["runner_temp"]  # a fixture, imported for its name

EXAMPLES = ROOT / "ci" / "examples"
DOCUMENTED_OUTPUTS = {"tag", "major", "revision", "sha", "released", "deployed"}
DOCUMENTED_INPUTS = {"command", "args", "relorch-version", "python-version", "token"}
TWO_APIS = '[apis.orders]\npaths = ["orders"]\n[apis.billing]\npaths = ["billing"]\n'


def action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ACTION_DIR / "action.yml").read_text())


def released_once(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: handle empty basket")
    repo.push()


# -- static checks -----------------------------------------------------------------------------


def test_action_validates_against_the_github_actions_schema() -> None:
    proc = check_jsonschema("vendor.github-actions", ACTION_DIR / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_workflows_validate_against_the_github_workflows_schema() -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("github-*.yml"))
    assert len(files) == 3
    proc = check_jsonschema("vendor.github-workflows", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_declares_the_inputs_and_outputs_of_the_spec() -> None:
    spec = action()
    assert set(spec["inputs"]) >= DOCUMENTED_INPUTS
    assert set(spec["outputs"]) >= DOCUMENTED_OUTPUTS
    for name, output in spec["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}", name


def test_action_scripts_read_inputs_only_through_env() -> None:
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"expression inside run: of step {step.get('id')}"


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed: run scripts/install-ci-tools")
    scripts = []
    for index, step in enumerate(action()["runs"]["steps"]):
        if "run" in step:
            script = tmp_path / f"step{index}.sh"
            script.write_text("#!/bin/bash\nset -eo pipefail\n" + step["run"])
            scripts.append(str(script))
    proc = subprocess.run([shellcheck, *scripts], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def test_example_workflows_pass_actionlint_against_the_local_action(tmp_path: Path) -> None:
    """actionlint checks `with:` inputs and `steps.*.outputs` against a local action's
    action.yml, so the examples are linted with `uses:` pointing at this checkout's action."""
    actionlint = require_venv_tool("actionlint")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copytree(ACTION_DIR, tmp_path / "ci" / "github-actions")
    for example in EXAMPLES.glob("github-*.yml"):
        text = example.read_text()
        assert "OWNER/relorch/ci/github-actions@v1" in text
        local = text.replace("OWNER/relorch/ci/github-actions@v1", "./ci/github-actions")
        (workflows / example.name).write_text(local)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shellcheck = shutil.which("shellcheck") or ""
    proc = subprocess.run(
        [actionlint, f"-shellcheck={shellcheck}", "-pyflakes=", "-no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_an_undeclared_input(tmp_path: Path) -> None:
    """The lint above can fail: a `with:` key the action does not declare is reported."""
    actionlint = require_venv_tool("actionlint")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copytree(ACTION_DIR, tmp_path / "ci" / "github-actions")
    (tmp_path / ".github" / "workflows" / "w.yml").write_text(
        "on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: ./ci/github-actions\n        with:\n          command: release\n"
        "          arguments: --revision\n"
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    proc = subprocess.run(
        [actionlint, "-shellcheck=", "-pyflakes=", "-no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and 'input "arguments" is not defined' in proc.stdout


def test_file_command_parser_reads_both_forms() -> None:
    text = "a=1\nnotes<<EOF_x\nline one\nline=two\nEOF_x\nb=\n"
    assert parse_file_command(text) == {"a": "1", "notes": "line one\nline=two", "b": ""}


# -- runs of the action ------------------------------------------------------------------------


def run(repo: Clone, runner_temp: Path, **inputs: str) -> ActionRun:
    return run_action(repo.path, inputs, runner_temp)


def test_release_revision_outputs_the_new_tag(tmp_path: Path, runner_temp: Path) -> None:
    repo = make_origin(tmp_path)
    released_once(repo)
    result = run(repo, runner_temp, command="release", args="--revision")
    assert result.conclusion == "success", result.log
    assert result.steps[0].skipped == "uses: actions/setup-python@v6"
    outputs = result.outputs
    assert (outputs["tag"], outputs["major"], outputs["revision"]) == ("v1-rev2", "1", "2")
    assert (outputs["released"], outputs["exit-code"]) == ("true", "0")
    assert outputs["sha"] == repo.head()
    assert "refs/tags/v1-rev2" in repo.remote_refs()
    assert "`v1-rev2` released" in result.summary


def test_release_installs_relorch_from_the_actions_own_checkout(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path)
    released_once(repo)
    result = run(repo, runner_temp, command="release", args="--revision --dry-run")
    assert result.conclusion == "success", result.log
    install = next(s for s in result.steps if s.id == "install")
    venv = runner_temp / "relorch-venv"
    assert install.outputs["relorch"] == str(venv / "bin" / "relorch")
    assert (venv / ".relorch-requirement").read_text() == str(ROOT)
    assert "refs/tags/v1-rev2" not in repo.remote_refs()


def test_rerun_on_a_released_head_succeeds_with_released_false(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path)
    repo.tag("v1-rev1")
    result = run(repo, runner_temp, command="release", args="--revision")
    assert result.conclusion == "success", result.log
    assert (result.outputs["tag"], result.outputs["released"]) == ("v1-rev1", "false")


def test_nothing_to_release_exit_4_is_success_with_released_false(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path, TWO_APIS, {"orders/a.txt": "1", "billing/a.txt": "1"})
    repo.tag("orders/v1-rev1")
    repo.tag("billing/v1-rev1")
    repo.commit("docs: readme", {"README.md": "hi"})
    repo.push()
    before = repo.remote_refs()
    result = run(repo, runner_temp, command="release", args="--revision")
    assert result.conclusion == "success", result.log
    assert (result.outputs["released"], result.outputs["exit-code"]) == ("false", "4")
    assert result.outputs["tag"] == ""
    assert any("nothing to release" in a for a in result.annotations)
    assert repo.remote_refs() == before


def test_a_refused_release_fails_the_step_with_relorchs_exit_code(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path)
    released_once(repo)
    (repo.path / "relorch.toml").write_text("[apis.products]\n# edited\n")
    result = run(repo, runner_temp, command="release", args="--revision")
    assert result.conclusion == "failure"
    assert result.outputs["exit-code"] == "3"
    assert any(a.startswith("::error title=relorch::") for a in result.annotations)


@pytest.mark.parametrize(
    "args",
    [
        "--revision; touch pwned",
        "--revision && touch pwned",
        "--revision | touch pwned",
        "--revision $(touch pwned)",
        "--revision `touch pwned`",
        "--revision\ntouch pwned",
        "--revision ' ; touch pwned ; '",
    ],
)
def test_hostile_args_are_words_not_commands(tmp_path: Path, runner_temp: Path, args: str) -> None:
    repo = make_origin(tmp_path)
    released_once(repo)
    result = run(repo, runner_temp, command="release", args=args)
    assert result.conclusion == "failure"
    assert result.outputs["exit-code"] == "2"  # relorch's usage error for the extra words
    assert "refs/tags/v1-rev2" not in repo.remote_refs()
    assert not list(tmp_path.rglob("pwned")) and not list(runner_temp.rglob("pwned"))
    assert not (Path.cwd() / "pwned").exists()


def test_hostile_command_input_is_refused(tmp_path: Path, runner_temp: Path) -> None:
    repo = make_origin(tmp_path)
    result = run(repo, runner_temp, command="status; touch pwned", args="")
    assert result.conclusion == "failure"
    assert result.steps[-1].returncode == 2
    assert any("input 'command' must name a relorch command" in a for a in result.annotations)
    assert not list(tmp_path.rglob("pwned"))


def test_unbalanced_quotes_in_args_are_a_usage_error(tmp_path: Path, runner_temp: Path) -> None:
    repo = make_origin(tmp_path)
    result = run(repo, runner_temp, command="release", args="--revision -C 'unclosed")
    assert result.conclusion == "failure" and result.steps[-1].returncode == 2
    assert any("cannot be split into words" in a for a in result.annotations)


def test_quoted_args_stay_one_word(tmp_path: Path, runner_temp: Path) -> None:
    spaced = tmp_path / "dir with spaces"
    spaced.mkdir()
    repo = make_origin(spaced)
    released_once(repo)
    result = run_action(
        tmp_path, {"command": "release", "args": f"--revision -C '{repo.path}'"}, runner_temp
    )
    assert result.conclusion == "success", result.log
    assert result.outputs["tag"] == "v1-rev2"


def test_deploy_outputs_deployed_and_the_tag(tmp_path: Path, runner_temp: Path) -> None:
    repo = make_origin(tmp_path, "[apis.products]\n[environments.staging]\n")
    repo.tag("v1-rev1")
    result = run(repo, runner_temp, command="deploy", args="v1@rev1 --env staging")
    assert result.conclusion == "success", result.log
    assert (result.outputs["deployed"], result.outputs["tag"]) == ("true", "v1-rev1")
    assert "refs/relorch/ledger" in repo.remote_refs()


def test_actor_and_run_url_come_from_the_runners_variables(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path, "[apis.products]\n[environments.staging]\n")
    repo.tag("v1-rev1")
    result = run(repo, runner_temp, command="deploy", args="v1 --env staging")
    assert result.conclusion == "success", result.log
    text = git(repo.origin, "show", "refs/relorch/ledger:records/000000.jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    assert {r["actor"] for r in records} == {"octocat"}
    assert {r["run_url"] for r in records} == {
        "https://github.com/example/products-api/actions/runs/4242"
    }


@pytest.mark.parametrize(
    "name",
    [
        "github-release.yml",
        "github-deploy.yml",
        "github-pages.yml",
        "gitlab-ci.yml",
        "gitlab-pages.yml",
    ],
)
def test_docs_show_the_example_files_verbatim(name: str) -> None:
    docs = (ROOT / "docs" / "ci.md").read_text()
    marker = (
        f"<!-- {name}: kept identical to ci/examples/{name} by tests/ci/test_ci_artifacts.py -->"
    )
    assert marker in docs
    shown = docs.split(marker, 1)[1].split("```yaml\n", 1)[1].split("```\n", 1)[0]
    assert shown == (EXAMPLES / name).read_text()


def test_report_appends_its_summary_file_to_the_job_summary(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path, "[apis.products]\n[environments.production]\n")
    repo.tag("v1-rev1")
    result = run(
        repo,
        runner_temp,
        command="report",
        args="-o site --now 2026-06-20T12:00:00Z",
        **{"summary-file": "site/summary.md"},
    )
    assert result.conclusion == "success", result.log
    assert (repo.path / "site" / "index.html").exists()
    assert "### What is live where" in result.summary
    assert result.summary.count("## API status") == 1


def test_a_missing_summary_file_is_a_warning_not_a_failure(
    tmp_path: Path, runner_temp: Path
) -> None:
    repo = make_origin(tmp_path)
    result = run(repo, runner_temp, command="status", **{"summary-file": "nowhere.md"})
    assert result.conclusion == "success", result.log
    assert "summary-file nowhere.md was not written" in result.log
