"""Helpers for the deploy, rollback, hold and ledger tests: environments, a deploy step, records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.gitrepo import RELORCH, Clone, git, tag_revisions

# The deploy step every test environment runs: it logs what it got, then does what STEP_MODE says.
STEP = r"""
import json, os, pathlib, sys, time
log = pathlib.Path(os.environ["STEP_LOG"])
with log.open("a") as out:
    out.write(json.dumps({
        "argv": sys.argv[1:], "cwd": os.getcwd(), "pid": os.getpid(),
        "env": {k: v for k, v in os.environ.items() if k.startswith("RELORCH_")},
    }) + "\n")
mode = os.environ.get("STEP_MODE", "ok")
print("step output for", os.environ.get("RELORCH_TAG"), os.environ.get("STEP_ECHO", ""))
sys.stdout.flush()
if mode == "fail":
    sys.exit(3)
if mode == "wait":  # wait until the test releases it (or kills it)
    release = pathlib.Path(os.environ["STEP_RELEASE"])
    while not release.exists():
        time.sleep(0.02)
"""

PYTHON = json.dumps(sys.executable)


def env_block(name: str, *, deploy: bool = True, extra: str = "") -> str:
    """An [environments.NAME] table running the test step (or record-only)."""
    lines = [f"[environments.{name}]"]
    if deploy:
        lines.append(f'deploy = [{PYTHON}, "step.py", "{{tag}}", "{{env}}"]')
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def setup_project(repo: Clone, environments: str, *, revisions: int = 2) -> Clone:
    """Commit a config with `environments` and the step, then tag v1-rev1..revN on main."""
    # Tags carry the hermetic clock's date (2026-01-15) while deploys judge support by the
    # wall clock: a long deprecation period keeps older majors supported whenever tests run.
    config = '[apis.products]\n[support]\ndeprecation_period = "100 years"\n' + environments
    repo.commit("chore: deploy config", {"relorch.toml": config, "step.py": STEP})
    repo.push("HEAD:main")
    return tag_revisions(repo, revisions)


def step_env(tmp_path: Path, mode: str = "ok", **extra: str) -> dict[str, str]:
    """Variables that steer the test step (inherited through relorch)."""
    return {
        "STEP_LOG": str(tmp_path / "step.log"),
        "STEP_MODE": mode,
        "STEP_RELEASE": str(tmp_path / "release"),
        **extra,
    }


def step_calls(tmp_path: Path) -> list[dict[str, Any]]:
    """Every run of the test step, in order."""
    log = tmp_path / "step.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line]


def origin_records(origin: Path, ref: str = "refs/relorch/ledger") -> list[dict[str, Any]]:
    """Every record in the origin's ledger, oldest first, read with plain git."""
    if not git(origin, "for-each-ref", ref):
        return []
    names = git(origin, "ls-tree", "--name-only", f"{ref}:records").split()
    records: list[dict[str, Any]] = []
    for name in sorted(names):
        text = git(origin, "cat-file", "blob", f"{ref}:records/{name}")
        records.extend(json.loads(line) for line in text.splitlines() if line)
    return records


def origin_state(origin: Path, ref: str = "refs/relorch/ledger") -> dict[str, Any]:
    """The origin ledger's state.json."""
    result: dict[str, Any] = json.loads(git(origin, "cat-file", "blob", f"{ref}:state.json"))
    return result


def as_from_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a test runner started in the background (or an xdist
    worker) passes SIGINT on as ignored, and Python then installs no KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(clone: Clone, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The installed relorch in the background."""
    return subprocess.Popen(
        [RELORCH, *args],
        cwd=clone.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=as_from_a_terminal,  # noqa: PLW1509 (resets one signal; no locks taken)
    )


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll until `predicate()` is true (the event is a file another process writes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def worktrees(clone: Clone) -> list[str]:
    """Paths of the clone's worktrees (the main one included)."""
    out = clone.git("worktree", "list", "--porcelain")
    return [line[9:] for line in out.splitlines() if line.startswith("worktree ")]
