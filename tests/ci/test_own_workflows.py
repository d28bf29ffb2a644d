"""relorch's own workflows (.github/workflows/): schema, actionlint, and what they promise —
CI runs the README's test command; a release publishes through trusted publishing only."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import yaml

from tests.ci.ci_harness import ROOT, check_jsonschema, require_venv_tool

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_workflows_validate_against_the_github_workflows_schema() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    proc = check_jsonschema("vendor.github-workflows", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_pass_actionlint_with_shellcheck() -> None:
    actionlint = require_venv_tool("actionlint")
    shellcheck = shutil.which("shellcheck") or ""
    proc = subprocess.run(
        [actionlint, f"-shellcheck={shellcheck}", "-pyflakes=", "-no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_the_readme_test_command_on_pushes_and_pull_requests() -> None:
    ci = workflow("ci.yml")
    assert set(ci[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as true
    assert ci["permissions"] == {"contents": "read"}
    [job] = ci["jobs"].values()
    assert [s.get("run") for s in steps(job)][-1] == "./scripts/test"
    assert "./scripts/test" in (ROOT / "README.md").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec ./scripts/test")


def test_release_publishes_on_version_tags_through_trusted_publishing_only() -> None:
    release = workflow("release.yml")
    assert release[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    assert release["permissions"] == {"contents": "read"}
    jobs = release["jobs"]
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"test", "build"}
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    [uploader] = [s for s in steps(publish) if "pypa/gh-action-pypi-publish" in s.get("uses", "")]
    assert "with" not in uploader  # no password/token input: OIDC only
    text = (WORKFLOWS / "release.yml").read_text()
    assert "secrets." not in text and "PYPI_TOKEN" not in text and "password" not in text
    # no other job may mint OIDC tokens
    assert all("permissions" not in job for name, job in jobs.items() if name != "publish")


def test_release_checks_the_tag_and_builds_once_what_it_publishes() -> None:
    jobs = workflow("release.yml")["jobs"]
    runs = {name: "\n".join(s.get("run", "") for s in steps(job)) for name, job in jobs.items()}
    assert 'scripts/check-release "$GITHUB_REF_NAME"' in runs["test"]
    assert 'scripts/check-release "$GITHUB_REF_NAME"' in runs["build"]
    assert "./scripts/test" in runs["test"]
    assert "python -m build" in runs["build"] and "twine check --strict" in runs["build"]
    uses = [s.get("uses", "") for s in steps(jobs["publish"])]
    assert uses[0].startswith("actions/download-artifact@")  # the build job's dist/, unchanged
    assert not any("checkout" in u for u in uses)  # publish builds nothing itself
