"""Applying a release plan: gates, annotated tag, atomic push, retry when another job won."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from relorch.config import ApiConfig, Config
from relorch.errors import ConflictError, GitError, PreconditionError
from relorch.git.gateway import Git
from relorch.output import Reporter
from relorch.release.plan import ReleasePlan, plan_release
from relorch.release.situation import inspect

MAX_ATTEMPTS = 8
# Lock contention on the remote is transient: git says "cannot lock ref" / "failed to lock".
# "stale info": the release marker moved (another job released this API) since planning.
_TRANSIENT = (
    "cannot lock ref",
    "failed to lock",
    "unable to lock",
    "incorrect old value",
    "stale info",
)


@dataclass(frozen=True)
class ReleaseResult:
    """What happened: the tag HEAD now carries and whether this run created it."""

    api: str
    kind: str
    tag: str
    major: int
    revision: int
    sha: str
    released: bool
    previous_tag: str | None
    new_branch: str | None
    notes: str

    def as_dict(self) -> dict[str, object]:
        """JSON shape (also the CI outputs)."""
        return {
            "api": self.api,
            "kind": self.kind,
            "tag": self.tag,
            "major": self.major,
            "revision": self.revision,
            "sha": self.sha,
            "released": self.released,
            "previous_tag": self.previous_tag,
            "branch_created": self.new_branch,
            "notes": self.notes,
        }


def result_of(plan: ReleasePlan, *, released: bool | None = None) -> ReleaseResult:
    """The result a plan leads to (for --dry-run and for success)."""
    return ReleaseResult(
        api=plan.api,
        kind=plan.kind,
        tag=plan.tag,
        major=plan.major,
        revision=plan.revision,
        sha=plan.sha,
        released=plan.released if released is None else released,
        previous_tag=plan.previous_tag,
        new_branch=plan.new_branch if plan.released else None,
        notes=plan.notes,
    )


def run_checks(git: Git, plan: ReleasePlan, reporter: Reporter) -> None:
    """The configured gates (argv lists, run at the repository root); a failure writes nothing."""
    for argv in plan.checks:
        reporter.step("check: " + " ".join(argv))
        try:
            proc = subprocess.run(
                list(argv), cwd=git.root, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            raise PreconditionError(
                f"check {argv[0]!r} could not start: {exc.strerror}",
                hint="fix `checks` in the config (argv lists, the program first)",
            ) from None
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            if tail:
                reporter.line(tail)
            raise PreconditionError(
                f"check failed (exit {proc.returncode}): {' '.join(argv)}",
                hint="fix what the check reports; nothing was tagged or pushed",
            )


def publish(
    git: Git,
    config: Config,
    api: ApiConfig,
    plan: ReleasePlan,
    reporter: Reporter,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> ReleaseResult:
    """Tag and push atomically; on a lost race re-read the remote, re-plan and try again."""
    if plan.released:
        run_checks(git, plan, reporter)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if not plan.released:
            return result_of(plan)
        git.create_tag(plan.tag, plan.sha, plan.notes)
        if plan.remote is None:
            return result_of(plan)
        try:
            # HEAD is the remote branch's tip unless the branch goes out with the tag.
            known = () if plan.push_branch else (plan.sha,)
            outcome = git.push(plan.remote, plan.refspecs, leases=plan.leases, known=known)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM from a cancelled CI job) or git failed: like a
            # rejected push, no local tag is left that the remote may lack. If the push landed
            # anyway, the next run fetches the remote's tag (reconcile_tags).
            git.delete_tag(plan.tag)
            raise
        if outcome.ok:
            # An identical tag object (same commit, tagger, second and notes) made by a parallel
            # job is "up to date" on the remote: that job released it, not this one.
            return result_of(plan, released=f"refs/tags/{plan.tag}" not in outcome.unchanged)
        git.delete_tag(plan.tag)
        previous = plan
        situation = inspect(git, config, plan.branch)
        plan = plan_release(git, config, api, plan.kind, situation)
        if not plan.released and previous.kind == "major" and plan.major != previous.major:
            raise ConflictError(
                f"another job released this commit as {plan.tag} while this one was starting "
                f"major {previous.major}: one commit carries one tag",
                hint="a new major needs a commit of its own after the breaking change; "
                "check `relorch status`",
            )
        if not plan.released:
            reporter.line(f"another job released this commit as {plan.tag}")
            return result_of(plan)
        raced = plan.tag != previous.tag or plan.major != previous.major
        if plan.kind == "major" and plan.major != previous.major:
            raise ConflictError(
                f"another job started major {plan.major - 1} while this one was releasing",
                hint="check `relorch status`; run again if a new major is still wanted",
            )
        if not raced and not any(word in outcome.message for word in _TRANSIENT):
            raise GitError(
                f"push of {previous.tag} was rejected by {previous.remote}: "
                + _last_line(outcome.message),
                hint="the remote refused it (permissions, protected tags, a hook); "
                "nothing was left behind locally",
            )
        reporter.line(f"lost a race for {previous.tag}; retrying as {plan.tag} (attempt {attempt})")
        import random  # only after a lost race

        sleep_for = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
        sleep(sleep_for)
    raise ConflictError(
        f"gave up after {MAX_ATTEMPTS} attempts: other jobs kept releasing {api.name}",
        hint="serialise release jobs (concurrency / resource_group), then run again",
    )


def _last_line(text: str) -> str:
    """The remote's own words (hook output) first, else git's rejection line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    remote = [line[7:].strip() for line in lines if line.startswith("remote:")][-3:]
    if remote:
        return " / ".join(remote)
    rejected = [line for line in lines if "rejected" in line or line.startswith("!")]
    return (rejected or lines or ["no reason given"])[-1]
