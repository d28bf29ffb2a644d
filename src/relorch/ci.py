"""What relorch knows about the CI it runs in: actor, run URL, and the CI's output files."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from relorch.masking import mask


@dataclass(frozen=True)
class RunContext:
    """Who runs relorch and from where; recorded in the ledger and announcements."""

    actor: str
    run_url: str | None
    ci: str | None  # "github" | "gitlab" | None


def detect(environ: Mapping[str, str] | None = None, git_user: str | None = None) -> RunContext:
    """Actor and run URL from GitHub Actions or GitLab CI variables, else from git config/user."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repo, run = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        url = f"{server}/{repo}/actions/runs/{run}" if repo and run else None
        return RunContext(env.get("GITHUB_ACTOR") or "github-actions", url, "github")
    if env.get("GITLAB_CI") == "true":
        actor = env.get("GITLAB_USER_LOGIN") or env.get("GITLAB_USER_NAME") or "gitlab-ci"
        return RunContext(actor, env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"), "gitlab")
    actor = (
        env.get("RELORCH_ACTOR")
        or git_user
        or env.get("GIT_COMMITTER_NAME")
        or env.get("USER")
        or env.get("USERNAME")
        or "unknown"
    )
    return RunContext(actor, env.get("RELORCH_RUN_URL"), None)


def write_outputs(values: Mapping[str, object], summary: str | None = None) -> None:
    """Step outputs for the CI: $GITHUB_OUTPUT (+ step summary) or a GitLab dotenv report.

    Called after the work is done (a tag pushed, a deploy recorded): an unwritable output file
    is a warning, never a failure of the work that already happened.
    """
    try:
        _write_outputs(values, summary)
    except OSError as exc:
        from relorch.output import Reporter

        Reporter().warn(f"could not write the CI outputs: {exc.strerror}: {exc.filename}")


def _write_outputs(values: Mapping[str, object], summary: str | None) -> None:
    flat = {k: _flat(v) for k, v in values.items()}
    github_output = os.environ.get("GITHUB_OUTPUT")
    if github_output:
        with Path(github_output).open("a", encoding="utf-8") as out:
            for key, value in flat.items():
                delimiter = f"relorch_{os.urandom(16).hex()}"
                out.write(f"{key}<<{delimiter}\n{mask(value)}\n{delimiter}\n")
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and summary_file:
            with Path(summary_file).open("a", encoding="utf-8") as out:
                out.write(mask(summary) + "\n")
    dotenv = os.environ.get("RELORCH_DOTENV") or (
        "relorch.env" if os.environ.get("GITLAB_CI") == "true" else None
    )
    if dotenv:
        with Path(dotenv).open("a", encoding="utf-8") as out:
            for key, value in flat.items():
                out.write(f"RELORCH_{key.upper()}={mask(value).replace(chr(10), ' ')}\n")


def annotate_error(message: str, *, json_out: bool = False) -> None:
    """A GitHub `::error::` annotation: on stdout, unless stdout carries a --json document (the
    runner reads workflow commands from stderr too)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from relorch.output import safe_text

        # One line, control characters escaped; then the runner's own data escapes.
        text = safe_text(message, multiline=False).replace("%", "%25")
        print(f"::error title=relorch::{text}", file=sys.stderr if json_out else sys.stdout)
        (sys.stderr if json_out else sys.stdout).flush()


def _flat(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
