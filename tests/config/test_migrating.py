"""docs/migrating.md's walk, run as written: from semver tags to relorch, through the executable."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.deploykit import origin_records
from tests.gitrepo import Clone, git, make_origin

DOC = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"


def walk_blocks() -> list[str]:
    """The ```sh blocks of the "Step by step" section, in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Step by step", 1)[1].split("\n## ", 1)[0]
    return [
        "\n".join(line.strip() for line in block.splitlines())
        for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    ]


def semver_history(tmp_path: Path) -> Clone:
    """main with v1.0.0, v1.1.0 (annotated), v1.2.3 and v2.0.0 (lightweight), as semver
    tooling leaves them; dated now, so the support policy keeps v1 deployable."""
    repo = make_origin(tmp_path, "")
    repo.git("rm", "-q", "relorch.toml")
    repo.git("commit", "-q", "-m", "chore: no config yet")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    dated = {"GIT_AUTHOR_DATE": now, "GIT_COMMITTER_DATE": now}
    for tag, annotated in (
        ("v1.0.0", True),
        ("v1.1.0", True),
        ("v1.2.3", False),
        ("v2.0.0", False),
    ):
        (repo.path / "CHANGES.md").write_text(f"- towards {tag}\n")
        repo.git("add", "CHANGES.md")
        repo.git("commit", "-q", "-m", f"feat: towards {tag}", env=dated)
        repo.git(*(["tag", "-a", "-m", tag, tag] if annotated else ["tag", tag]), env=dated)
    repo.git("push", "-q", "origin", "HEAD:main", "--tags")
    return repo


def test_the_migration_walk_in_the_docs_runs_as_written(tmp_path: Path) -> None:
    repo = semver_history(tmp_path)
    env = {
        k: v for k, v in os.environ.items() if k not in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    blocks = walk_blocks()
    assert len(blocks) == 6, "the walk's steps changed: update this test with the doc"
    outputs = []
    for block in blocks:
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=repo.path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, f"{block}\n{proc.stderr}"
        outputs.append(proc.stderr)
    # Step 1: init says what it found and what comes next, as the doc claims.
    assert "found 4 version tag(s) from before relorch: v1 (3), v2 (1); newest v2.0.0" in outputs[0]
    assert "will tag v2.2.0" in outputs[0]
    # Step 5: the release continued after the legacy tags, annotated, on the remote.
    tags = git(repo.origin, "for-each-ref", "--format=%(refname:short) %(objecttype)", "refs/tags")
    assert "v2.2.0 tag" in tags.splitlines()
    assert git(repo.origin, "rev-parse", "release/v1") == git(
        repo.origin, "rev-parse", "v1.2.3^{commit}"
    )
    deployed = [
        (r["action"], r["tag"], r["revision"])
        for r in origin_records(repo.origin)
        if r["status"] == "succeeded"
    ]
    assert deployed == [
        ("deploy", "v1.2.3", 3),
        ("deploy", "v2.0.0", 1),
        ("deploy", "v2.2.0", 2),
        ("rollback", "v2.0.0", 1),
    ]
    history = subprocess.run(
        ["relorch", "history", "--json"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    on_main = set(git(repo.origin, "rev-list", "main").split())
    assert all(r["config_commit"] in on_main for r in json.loads(history.stdout)["records"])
