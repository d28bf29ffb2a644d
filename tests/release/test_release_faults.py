"""A release killed or cancelled half-way, stale local tags, two kinds of release racing on one
commit, and revision numbers at the end of the range: every case ends in a clean state the next
run can use (real processes, real signals, a real origin with hooks)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.gitrepo import RELORCH, Clone, clone_of, git
from tests.release.test_release_race import tags_on_origin

# A pre-receive hook that announces itself and waits for the test to say how to answer.
HOOK = """#!/bin/sh
[ -f "{dir}/pass" ] && exit 0
touch "{dir}/started"
while [ ! -f "{dir}/answer" ]; do sleep 0.05; done
exit "$(cat "{dir}/answer")"
"""


def gated_origin(repo: Clone, tmp_path: Path) -> Path:
    control = tmp_path / "hook"
    control.mkdir()
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text(HOOK.format(dir=control))
    hook.chmod(0o755)
    return control


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def start_release(repo: Clone, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [RELORCH, "release", "--revision", *args],
        cwd=repo.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigterm_during_push_exits_130_and_leaves_no_tag_anywhere(
    repo: Clone, tmp_path: Path
) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat: second")
    repo.push()
    control = gated_origin(repo, tmp_path)
    proc = start_release(repo)
    wait_for(control / "started")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "error: interrupted by SIGTERM" in err
    assert repo.local_tags() == ["v1-rev1"]
    assert tags_on_origin(repo.origin) == ["v1-rev1"]
    (control / "pass").touch()
    again = repo.relorch("release", "--revision")
    assert again.returncode == 0, again.stderr
    assert tags_on_origin(repo.origin) == ["v1-rev1", "v1-rev2"]


def test_clone_with_tag_left_by_a_killed_release_releases_and_deploys_again(
    repo: Clone, tmp_path: Path
) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat: second")
    repo.push()
    control = gated_origin(repo, tmp_path)
    proc = start_release(repo)
    wait_for(control / "started")
    proc.send_signal(signal.SIGKILL)  # no handler can run: the local tag stays behind
    proc.communicate(timeout=20)
    (control / "answer").write_text("1")  # the orphaned push is refused
    deadline = time.monotonic() + 30
    while git(repo.origin, "for-each-ref", "refs/tags/v1-rev2") or _receiving(repo.origin):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "v1-rev2" in repo.local_tags()
    # Meanwhile another job released v1-rev2 on a commit of its own.
    (control / "pass").touch()
    other = clone_of(repo, tmp_path, "other")
    other.commit("fix: elsewhere")
    other.push()
    assert other.relorch("release", "--revision").returncode == 0
    theirs = git(repo.origin, "rev-parse", "v1-rev2^{commit}")

    status = repo.relorch("status")
    assert status.returncode == 0, status.stderr
    assert "note: replaced local tag v1-rev2" in status.stderr
    assert repo.git("rev-parse", "v1-rev2^{commit}") == theirs
    repo.git("pull", "-q", "--ff-only", "origin", "main")
    repo.commit("feat: third")
    repo.push()
    again = repo.relorch("release", "--revision", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["tag"] == "v1-rev3"


def test_local_tag_the_remote_lacks_is_removed_with_a_note_before_planning(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat: second")
    repo.push()
    repo.git("tag", "-a", "v1-rev2", "-m", "left over", "HEAD")
    result = repo.relorch("release", "--revision", "--json")
    assert result.returncode == 0, result.stderr
    assert "note: removed local tag v1-rev2: origin does not have it" in result.stderr
    assert json.loads(result.stdout)["released"] is True
    assert tags_on_origin(repo.origin) == ["v1-rev1", "v1-rev2"]


def test_revision_tag_repointed_on_the_remote_is_taken_from_the_remote(
    repo: Clone, tmp_path: Path
) -> None:
    first = repo.head()
    repo.tag("v1-rev1")
    second = repo.commit("feat: second")
    repo.push()
    other = clone_of(repo, tmp_path, "other")
    other.git("tag", "-f", "-a", "v1-rev1", "-m", "moved", second)
    other.git("push", "-q", "--force", "origin", "refs/tags/v1-rev1")
    for command in (("status",), ("render", "manifest")):
        result = repo.relorch(*command)
        assert result.returncode == 0, result.stderr
    assert repo.git("rev-parse", "v1-rev1^{commit}") == second != first


def test_major_and_revision_racing_on_one_commit_leave_exactly_one_tag_on_it(
    repo: Clone, tmp_path: Path
) -> None:
    repo.tag("v4-rev1", message="v4-rev1")
    rounds = 2
    for round_ in range(rounds):
        head = repo.commit(f"feat!: round {round_}")
        repo.push()
        clones = [clone_of(repo, tmp_path, f"r{round_}-{i}") for i in range(10)]
        procs = [
            subprocess.Popen(
                [RELORCH, "release", "--major" if i % 2 else "--revision"],
                cwd=c.path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i, c in enumerate(clones)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=180)
            assert proc.returncode in (0, 5), err
            assert "Traceback" not in err
        on_head = git(repo.origin, "tag", "--points-at", head).split()
        assert len(on_head) == 1, on_head
        repo.git("fetch", "-q", "origin", "--tags")
    tags = tags_on_origin(repo.origin)
    assert len(tags) == len(set(tags)) == rounds + 1


def test_revision_number_past_what_relorch_parses_is_refused_not_created(repo: Clone) -> None:
    repo.tag("v1-rev999999999")
    repo.commit("feat: one more")
    repo.push()
    before = repo.remote_refs()
    result = repo.relorch("release", "--revision")
    assert result.returncode == 3, result.stderr
    assert "999999999" in result.stderr and "hint: start a new major" in result.stderr
    assert repo.remote_refs() == before
    assert repo.relorch("release", "--major").returncode == 0


def _receiving(origin: Path) -> bool:
    """Whether a receive-pack for this origin still runs (other tests' pushes do not count)."""
    out = subprocess.run(["ps", "-eo", "args"], check=False, capture_output=True, text=True).stdout
    return any("receive-pack" in line and str(origin) in line for line in out.splitlines())
