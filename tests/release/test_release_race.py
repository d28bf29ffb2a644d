"""Races: several CI jobs releasing at once against one origin (real parallel processes)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.gitrepo import RELORCH, Clone, clone_of, git


def run_all(clones: list[Clone], *args: str) -> list[subprocess.CompletedProcess[str]]:
    """Start every process before waiting for any, so they really overlap."""
    procs = [
        subprocess.Popen(
            [RELORCH, *args], cwd=c.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in clones
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def tags_on_origin(origin: Path) -> list[str]:
    return git(origin, "tag", "--list").split()


def test_six_jobs_releasing_same_commit_create_exactly_one_tag(repo: Clone, tmp_path: Path) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: shared change")
    repo.push()
    clones = [clone_of(repo, tmp_path, f"job{i}") for i in range(6)]
    results = run_all(clones, "release", "--revision", "--json")
    for result in results:
        assert result.returncode == 0, result.stderr
    reported = {json.loads(r.stdout)["tag"] for r in results}
    assert reported == {"v1-rev2"}
    assert sum(json.loads(r.stdout)["released"] for r in results) == 1
    assert tags_on_origin(repo.origin) == ["v1-rev1", "v1-rev2"]
    for clone in clones:  # losers left no stray tag of their own
        assert set(clone.local_tags()) <= {"v1-rev1", "v1-rev2"}


def test_six_jobs_on_six_release_lines_each_get_their_next_number(
    repo: Clone, tmp_path: Path
) -> None:
    for major in range(1, 7):
        repo.commit(f"feat!: major {major}")
        repo.git("tag", "-a", f"v{major}-rev1", "-m", f"v{major}-rev1")
        if major < 6:
            repo.git("branch", f"release/v{major}")
    repo.git("push", "-q", "origin", "main", "--tags", *[f"release/v{m}" for m in range(1, 6)])
    clones = []
    for major in range(1, 7):
        clone = clone_of(repo, tmp_path, f"line{major}")
        if major < 6:
            clone.git("switch", "-q", f"release/v{major}")
        clone.commit(f"fix: on line {major}")
        clone.push()
        clones.append(clone)
    results = run_all(clones, "release", "--revision", "--json")
    for result in results:
        assert result.returncode == 0, result.stderr
    assert [json.loads(r.stdout)["tag"] for r in results] == [f"v{m}-rev2" for m in range(1, 7)]
    assert sorted(tags_on_origin(repo.origin)) == sorted(
        [f"v{m}-rev1" for m in range(1, 7)] + [f"v{m}-rev2" for m in range(1, 7)]
    )
