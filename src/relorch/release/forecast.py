"""`relorch plan`: what the next release would be, read-only, tolerant of PR-build checkouts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from relorch.config import Config
from relorch.errors import NothingToRelease, PreconditionError
from relorch.gate.errors import GateFailed, SpecError
from relorch.git.gateway import Git
from relorch.model.repository import main_branch, remote_of
from relorch.release.plan import ReleasePlan, plan_release
from relorch.release.situation import Situation, apis_on_branch, remote_tag_globs, sync_state

# The branch a PR/MR build targets, then the branch a push build runs on.
_CI_BRANCH_VARIABLES = (
    "GITHUB_BASE_REF",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "GITHUB_REF_NAME",
    "CI_COMMIT_BRANCH",
)


@dataclass(frozen=True)
class PlannedApi:
    """The next release of one API, or why there is none."""

    api: str
    summary: str
    plan: ReleasePlan | None = None
    nothing: bool = False


@dataclass(frozen=True)
class PlanReport:
    """Everything `relorch plan` found."""

    branch: str
    head: str
    apis: list[PlannedApi] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    refused: bool = False  # the breaking-change gate would refuse a release (or cannot run)

    def as_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {
            "branch": self.branch,
            "head": self.head,
            "blockers": self.blockers,
            "gate_refused": self.refused,
            "apis": [
                {
                    "api": a.api,
                    "summary": a.summary,
                    "nothing_to_release": a.nothing,
                    "next": None
                    if a.plan is None
                    else {
                        "tag": a.plan.tag,
                        "major": a.plan.major,
                        "revision": a.plan.revision,
                        "previous_tag": a.plan.previous_tag,
                        "notes": a.plan.notes,
                        "already_released": not a.plan.released,
                    },
                }
                for a in self.apis
            ],
        }


def _ci_branch() -> str | None:
    return next((os.environ[v] for v in _CI_BRANCH_VARIABLES if os.environ.get(v)), None)


def next_releases(git: Git, config: Config, *, api: str | None, branch: str | None) -> PlanReport:
    """Plan every API the line carries; rule violations become blockers, not errors."""
    head, checked_out, dirty = git.worktree_state()
    line = branch or checked_out or _ci_branch()
    main = main_branch(git, config)
    if line is None:
        raise PreconditionError(
            "HEAD is detached and no CI variable names the target branch",
            hint="pass --branch main (or the release/vN line this build targets)",
        )
    if head is None:
        head = git.head()  # raises the "no commits yet" precondition
    blockers = []
    if checked_out != line:
        blockers.append(f"HEAD is not on {line} (a PR build): release runs on the branch itself")
    if dirty:
        blockers.append("the working tree has uncommitted changes to tracked files")
    remote = remote_of(git, config)
    refs = None
    narrowed: dict[str, int] = {}
    if remote.present:
        narrowed, globs = remote_tag_globs(git, config, line, main)
        refs = git.ls_remote(remote.name, [line], globs)
        try:
            sync_state(git, refs, line, head, remote.name)
        except PreconditionError as exc:
            blockers.append(exc.message)
    situation = Situation(
        line, head, main, remote.name if remote.present else None, refs, False, narrowed
    )
    report = PlanReport(branch=line, head=head, blockers=blockers)
    for api_config in apis_on_branch(config, line, main, api):
        try:
            plan = plan_release(git, config, api_config, "revision", situation)
        except NothingToRelease as exc:
            report.apis.append(PlannedApi(api_config.name, exc.message, nothing=True))
            continue
        except (GateFailed, SpecError) as exc:
            # The gate's verdict is a blocker like any other, and it decides the exit code.
            what = "breaking-change gate" if isinstance(exc, GateFailed) else "gate cannot run"
            report.blockers.append(f"{api_config.name}: {what}: {exc.message}")
            report.apis.append(PlannedApi(api_config.name, f"{api_config.name}: {exc.message}"))
            report = replace(report, refused=True)
            continue
        except PreconditionError as exc:
            report.apis.append(PlannedApi(api_config.name, f"{api_config.name}: {exc.message}"))
            continue
        if not plan.released:
            summary = f"{plan.tag} already tags HEAD: release would report it and do nothing"
        else:
            count = plan.notes.splitlines()[0].split(": ", 1)[-1]
            summary = f"next release of {plan.api}: {plan.tag} ({count})"
        report.apis.append(PlannedApi(api_config.name, summary, plan))
    return report
