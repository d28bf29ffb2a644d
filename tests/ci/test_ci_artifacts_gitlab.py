"""The GitLab CI/CD template: spec header, schema, and real pipelines under gitlab-ci-local."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.ci.ci_harness import (
    GITLAB_TEMPLATE,
    ROOT,
    check_jsonschema,
    dotenv_report,
    gitlab_ci_local,
    gitlab_venv,
    interpolate,
    split_template,
)
from tests.gitrepo import Clone, git, make_origin, run_relorch

__all__ = ["gitlab_venv"]  # a fixture, imported for its name

EXAMPLE = ROOT / "ci" / "examples" / "gitlab-ci.yml"
ENVIRONMENTS = "[apis.products]\n[environments.staging]\n[environments.production]\n"
TWO_APIS = (
    '[apis.orders]\npaths = ["orders"]\n[apis.billing]\npaths = ["billing"]\n'
    "[environments.staging]\n"
)
INPUT_KEYS = {"description", "default", "options", "regex", "type"}


def spec_and_jobs() -> tuple[dict, str]:  # type: ignore[type-arg]
    return split_template(GITLAB_TEMPLATE.read_text())


def includer(**inputs: str) -> str:
    """A .gitlab-ci.yml that includes the template from the project, as a user's would."""
    values = {"relorch-version": str(ROOT), **inputs}
    lines = [f"      {k}: {json.dumps(v)}" for k, v in values.items()]
    return (
        "stages: [release, deploy]\ninclude:\n  - local: ci/gitlab/relorch.yml\n    inputs:\n"
        + "\n".join(lines)
        + "\n"
    )


def example_as_local() -> str:
    """The example pipeline with its `project:` includes pointed at the local template."""
    text = EXAMPLE.read_text()
    assert text.count("project: OWNER/relorch") == 2
    text = text.replace(
        "  - project: OWNER/relorch\n    ref: v1\n    file: ci/gitlab/relorch.yml",
        "  - local: ci/gitlab/relorch.yml",
    )
    return text.replace("relorch==0.1.0", json.dumps(str(ROOT)))


def project(
    root: Path,
    config: str = ENVIRONMENTS,
    ci: str | None = None,
    files: dict[str, str] | None = None,
) -> Clone:
    """A clone of a bare origin whose main carries the template and a pipeline including it."""
    repo = make_origin(
        root,
        config,
        {
            "ci/gitlab/relorch.yml": GITLAB_TEMPLATE.read_text(),
            ".gitlab-ci.yml": ci or includer(),
            **(files or {}),
        },
    )
    return repo


def released_once(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: handle empty basket")
    repo.push()


def run_pipeline(repo: Clone, venv: Path, *args: str, **variables: str) -> str:
    proc = gitlab_ci_local(repo.path, *args, variables={"RELORCH_VENV": str(venv), **variables})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


# -- static checks -----------------------------------------------------------------------------


def test_spec_header_declares_described_inputs_with_valid_defaults() -> None:
    spec, _ = spec_and_jobs()
    assert set(spec) == {"spec"} and set(spec["spec"]) == {"inputs"}
    inputs = spec["spec"]["inputs"]
    assert {"stage", "environment", "ref", "relorch-version"} <= set(inputs)
    for name, declared in inputs.items():
        assert set(declared) <= INPUT_KEYS, name
        assert isinstance(declared.get("description"), str) and declared["description"], name
        assert isinstance(declared.get("default"), str), f"{name}: every input has a default"
        assert declared.get("type") == "string", f"{name}: every input declares its type"
        assert "options" in declared or "regex" in declared, f"{name}: values are constrained"
        if "options" in declared:
            assert declared["default"] in declared["options"], name
        if "regex" in declared:
            assert re.search(declared["regex"], declared["default"]), name


def test_default_relorch_version_is_the_projects_own_pinned_release() -> None:
    spec, _ = spec_and_jobs()
    with (ROOT / "pyproject.toml").open("rb") as f:
        version = tomllib.load(f)["project"]["version"]
    assert spec["spec"]["inputs"]["relorch-version"]["default"] == f"relorch=={version}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ref", "v1; touch pwned"),
        ("ref", "$(id)"),
        ("environment", "prod uction"),
        ("relorch-version", "relorch --index-url http://evil"),
        ("stage", "-x"),
    ],
)
def test_input_regexes_refuse_hostile_values(name: str, value: str) -> None:
    spec, _ = spec_and_jobs()
    assert not re.search(spec["spec"]["inputs"][name]["regex"], value)


def test_every_declared_input_is_used_and_every_used_input_is_declared() -> None:
    spec, jobs = spec_and_jobs()
    used = set(re.findall(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]", jobs))
    assert used == set(spec["spec"]["inputs"])


def test_scripts_read_inputs_only_through_variables() -> None:
    _, jobs = spec_and_jobs()
    for name, job in yaml.safe_load(jobs).items():
        for key in ("before_script", "script", "after_script"):
            for line in job.get(key, []):
                assert "$[[" not in line, f"{name}.{key} interpolates an input into a script"


def test_jobs_set_no_image_so_shell_runners_can_run_them() -> None:
    _, jobs = spec_and_jobs()
    assert all("image" not in job for job in yaml.safe_load(jobs).values())


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {
            "environment": "production",
            "deploy-when": "manual",
            "ref": "v2@rev4",
            "relorch-version": "relorch==0.1.0",
            "stage": "publish",
        },
    ],
    ids=["defaults", "production"],
)
def test_jobs_validate_against_the_gitlab_ci_schema(tmp_path: Path, inputs: dict) -> None:  # type: ignore[type-arg]
    spec, jobs = spec_and_jobs()
    pipeline = {"stages": ["publish", "release", "deploy"], **interpolate(jobs, spec, inputs)}
    target = tmp_path / "pipeline.json"
    target.write_text(json.dumps(pipeline))
    proc = check_jsonschema("vendor.gitlab-ci", target)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", ["gitlab-ci.yml", "gitlab-pages.yml"])
def test_example_pipeline_validates_against_the_gitlab_ci_schema(name: str) -> None:
    proc = check_jsonschema("vendor.gitlab-ci", EXAMPLE.parent / name)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_template_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed: run scripts/install-ci-tools")
    spec, jobs = spec_and_jobs()
    parsed = interpolate(jobs, spec, {})
    scripts = []
    for name, job in parsed.items():
        if name.startswith("."):
            continue
        body = parsed[".relorch"]["before_script"] + job["script"]
        script = tmp_path / f"{name}.sh"
        script.write_text("#!/bin/sh\nset -e\n" + "\n".join(body) + "\n")
        scripts.append(str(script))
    proc = subprocess.run([shellcheck, *scripts], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


# -- pipelines under gitlab-ci-local -----------------------------------------------------------


def test_release_job_passes_and_its_dotenv_report_carries_the_tag(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path)
    released_once(repo)
    output = run_pipeline(repo, gitlab_venv, "relorch-release")
    report = dotenv_report(repo.path, "relorch-release")
    assert report["RELORCH_TAG"] == "v1-rev2" and report["RELORCH_RELEASED"] == "true"
    assert report["RELORCH_SHA"] == repo.head()
    assert "refs/tags/v1-rev2" in repo.remote_refs()
    assert "PASS  relorch-release" in output


def test_release_job_releases_from_the_detached_head_runners_check_out(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path)
    released_once(repo)
    repo.git("checkout", "-q", "--detach")
    run_pipeline(repo, gitlab_venv, "relorch-release", CI_COMMIT_BRANCH="main")
    assert dotenv_report(repo.path, "relorch-release")["RELORCH_TAG"] == "v1-rev2"


def test_pipeline_deploys_the_tag_its_release_job_made(tmp_path: Path, gitlab_venv: Path) -> None:
    repo = project(tmp_path)
    released_once(repo)
    output = run_pipeline(repo, gitlab_venv)
    report = dotenv_report(repo.path, "relorch-deploy-staging")
    assert (report["RELORCH_TAG"], report["RELORCH_DEPLOYED"]) == ("v1-rev2", "true")
    assert "PASS  relorch-deploy-staging" in output
    assert "refs/relorch/ledger" in repo.remote_refs()


def test_deploy_job_records_the_gitlab_user_and_job_url(tmp_path: Path, gitlab_venv: Path) -> None:
    """gitlab-ci-local says GITLAB_CI=false; a real runner says true, and relorch then takes the
    actor and run URL from GitLab's variables."""
    repo = project(tmp_path, ci=includer(ref="v1"))
    repo.tag("v1-rev1")
    job_url = "https://gitlab.example.net/platform/products/-/jobs/77"
    run_pipeline(
        repo,
        gitlab_venv,
        "relorch-deploy-staging",
        GITLAB_CI="true",
        GITLAB_USER_LOGIN="release-manager",
        CI_JOB_URL=job_url,
    )
    ledger = git(repo.origin, "show", "refs/relorch/ledger:records/000000.jsonl")
    records = [json.loads(line) for line in ledger.splitlines()]
    assert {(r["actor"], r["run_url"]) for r in records} == {("release-manager", job_url)}


def test_nothing_to_release_passes_and_the_deploy_job_deploys_nothing(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path, TWO_APIS, files={"orders/a.txt": "1", "billing/a.txt": "1"})
    repo.tag("orders/v1-rev1")
    repo.tag("billing/v1-rev1")
    repo.commit("docs: readme", {"README.md": "hi"})
    repo.push()
    output = run_pipeline(repo, gitlab_venv)
    report = dotenv_report(repo.path, "relorch-release")
    assert report == {"RELORCH_RELEASED": "false", "RELORCH_NOTHING_TO_RELEASE": "true"}
    assert "nothing to release (exit code 4): treated as success" in output
    assert "the release job had nothing to release, so there is nothing to deploy" in output
    assert "refs/relorch/ledger" not in repo.remote_refs()


def test_hostile_ref_input_is_refused_before_any_job_runs(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path, ci=includer(ref="v1; touch pwned"))
    repo.tag("v1-rev1")
    proc = gitlab_ci_local(
        repo.path, "relorch-deploy-staging", variables={"RELORCH_VENV": str(gitlab_venv)}
    )
    assert proc.returncode != 0
    assert "ref" in proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout  # no job ran
    assert not list(tmp_path.rglob("pwned"))


def test_manual_rollback_job_puts_the_previous_revision_back(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path)
    released_once(repo)
    repo.tag("v1-rev2")
    for ref in ("v1@rev1", "v1@rev2"):
        deployed = run_relorch(repo.path, "deploy", ref, "--env", "staging")
        assert deployed.returncode == 0, deployed.stderr
    output = run_pipeline(
        repo, gitlab_venv, "--manual", "relorch-rollback-staging", "relorch-rollback-staging"
    )
    report = dotenv_report(repo.path, "relorch-rollback-staging")
    assert (report["RELORCH_TAG"], report["RELORCH_DEPLOYED"]) == ("v1-rev1", "true")
    assert "PASS  relorch-rollback-staging" in output


def test_including_per_environment_keeps_each_job_on_its_environment(tmp_path: Path) -> None:
    """The example includes the template twice; the second include redefines the shared hidden
    job, which must not move staging's jobs to production."""
    repo = project(tmp_path, ci=example_as_local())
    proc = gitlab_ci_local(repo.path, "--preview")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    jobs = yaml.safe_load(proc.stdout[proc.stdout.index("---") :])
    for env in ("staging", "production"):
        for kind in ("deploy", "rollback"):
            job = jobs[f"relorch-{kind}-{env}"]
            assert job["variables"]["RELORCH_ENVIRONMENT"] == env
            assert job["environment"]["name"] == env and job["resource_group"] == env
        assert jobs[f"relorch-rollback-{env}"]["rules"][-1]["when"] == "manual"
    assert jobs["relorch-deploy-staging"]["rules"][-1]["when"] == "on_success"
    assert jobs["relorch-deploy-production"]["rules"][-1]["when"] == "manual"
    needs = [n["job"] for n in jobs["relorch-deploy-production"]["needs"]]
    assert needs == ["relorch-release", "relorch-deploy-staging"]


def test_example_pipeline_releases_and_deploys_to_staging_only(
    tmp_path: Path, gitlab_venv: Path
) -> None:
    repo = project(tmp_path, ci=example_as_local())
    released_once(repo)
    # The example sets `default: image:`; run it on the shell executor as a shell runner would.
    output = run_pipeline(repo, gitlab_venv, "--force-shell-executor")
    assert "PASS  relorch-deploy-staging" in output
    assert "relorch-deploy-production" not in re.findall(r"PASS\s+(\S+)", output)
    ledger = git(repo.origin, "show", "refs/relorch/ledger:records/000000.jsonl")
    assert {json.loads(line)["env"] for line in ledger.splitlines()} == {"staging"}
