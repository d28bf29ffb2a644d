"""Planning a release: read the remote, check the release rules, compute the next tag."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from relorch.config import ApiConfig, Config
from relorch.errors import NothingToRelease, PreconditionError, RelorchError
from relorch.git.gateway import Git
from relorch.model.history import ApiHistory, MajorInfo, RevisionInfo
from relorch.release.notes import release_notes
from relorch.release.situation import Situation, history_at, release_marker
from relorch.versions import MAX_NUMBER


@dataclass(frozen=True)
class ReleasePlan:
    """What one release will do; `released` is False when HEAD already carries the tag."""

    kind: str  # "revision" | "major"
    api: str
    major: int
    revision: int
    tag: str
    sha: str
    branch: str
    previous_tag: str | None
    notes: str
    released: bool = True
    new_branch: str | None = None  # release --major: the maintenance branch it cuts
    new_branch_sha: str | None = None
    push_branch: bool = False  # local branch ahead of the remote: publish it with the tag
    remote: str | None = None
    checks: tuple[tuple[str, ...], ...] = ()
    compatibility: tuple[str, ...] = field(default=())  # findings of the breaking-change gate
    marker: str | None = None  # releases on the main branch move release_marker(api)
    marker_was: str | None = None  # ... from the value the remote had when planned

    @property
    def leases(self) -> dict[str, str | None]:
        """Refs the push may move only from the value seen when planning (see release_marker)."""
        return {self.marker: self.marker_was} if self.marker else {}

    @property
    def refspecs(self) -> list[str]:
        """Explicit refspecs of the atomic push."""
        specs = [f"refs/tags/{self.tag}:refs/tags/{self.tag}"]
        if self.marker:
            # The tag object, not the commit: two jobs tagging one commit must not both find
            # the marker "already up to date" (a no-op update is never compared).
            specs.append(f"refs/tags/{self.tag}:{self.marker}")
        if self.new_branch and self.new_branch_sha:
            specs.append(f"{self.new_branch_sha}:refs/heads/{self.new_branch}")
        if self.push_branch:
            specs.append(f"{self.sha}:refs/heads/{self.branch}")
        return specs


def plan_release(git: Git, config: Config, api: ApiConfig, kind: str, s: Situation) -> ReleasePlan:
    """Plan the next revision (or major) of `api` at HEAD; raise when a rule forbids it."""
    plan = _plan(git, config, api, kind, s)
    if plan.released and max(plan.major, plan.revision) > MAX_NUMBER:
        raise PreconditionError(
            f"{plan.tag} is past the largest number relorch reads back ({MAX_NUMBER}): "
            f"the tags of {api.name} major {plan.major} have used every revision number",
            hint="start a new major (relorch release --major), or delete the out-of-range tag "
            "on the remote if it was a mistake",
        )
    if s.refs is None or s.branch != s.main:
        return plan
    marker = release_marker(api.name)
    return replace(plan, marker=marker, marker_was=s.refs.others.get(marker))


def _plan(git: Git, config: Config, api: ApiConfig, kind: str, s: Situation) -> ReleasePlan:
    history = history_at(git, config, api, s)
    if kind == "major":
        return _plan_major(git, api, history, s)
    if s.branch == s.main:
        newest = history.newest
        if newest is None:
            raise PreconditionError(
                f"{api.name} has no revision yet",
                hint="start major 1 with `relorch release --major` (creates "
                + api.scheme.tag(1, 1)
                + ")",
            )
        major = newest
    else:
        number = api.scheme.parse_branch(s.branch)
        found = history.major(number) if number is not None else None
        if found is None or number is None:
            raise PreconditionError(
                f"{s.branch} carries major {number}, which has no revision tag",
                hint="maintenance branches are cut by `relorch release --major` on " + s.main,
            )
        if found is history.newest:
            raise PreconditionError(
                f"major {number} is the newest: it is released from {s.main}, not {s.branch}",
                hint=f"git switch {s.main}",
            )
        major = found
    for rev in major.revisions:
        if rev.sha == s.head:
            return _existing(kind, api, rev, s)
    last = major.latest
    commits = _commits_since(git, s, last.tag, last.sha, api)
    if not commits:
        raise NothingToRelease(
            f"nothing to release: no commit since {last.tag} touches {api.name} "
            f"({', '.join(api.paths)})",
            hint="exit code 4 is success for CI: there is simply nothing new",
        )
    gate_notes, verdict = _breaking_gate(
        git, config, api, last_tag=last.tag, base=last.sha, head=s.head
    )
    tag = next_tag(api, major, last.revision + 1)
    _undeclared_versions(git, api, s, tag)
    return ReleasePlan(
        kind="revision",
        api=api.name,
        major=major.major,
        revision=last.revision + 1,
        tag=tag,
        sha=s.head,
        branch=s.branch,
        previous_tag=last.tag,
        notes=release_notes(tag, last.tag, commits) + gate_notes,
        push_branch=s.push_branch,
        remote=s.remote,
        checks=api.checks,
        compatibility=verdict,
    )


def next_tag(api: ApiConfig, major: MajorInfo, revision: int) -> str:
    """The tag of the next revision, past every existing name and legacy version."""
    tag = api.scheme.next_tag(major.major, revision, (r.tag for r in major.revisions))
    if tag is None:
        raise PreconditionError(
            f"apis.{api.name}.tag_format cannot name a revision of v{major.major} above its "
            f"legacy tag {major.latest.tag}",
            hint="put {revision} where it orders after the legacy tags (e.g. the default "
            '"v{major}-rev{revision}" or "semver")',
        )
    return tag


_SEMVER_NAME = re.compile(r"(?P<prefix>.*?)(?P<major>[1-9][0-9]*)\.(?P<rest>[0-9]+\.[0-9]+)")


def _undeclared_versions(git: Git, api: ApiConfig, s: Situation, tag: str) -> None:
    """A semver-named tag must not land at or below a version tag relorch was not told about
    (`v1.2.3` without `legacy_tags`), nor on a commit that carries one: refuse, naming it."""
    match = _SEMVER_NAME.fullmatch(tag)
    if api.scheme.legacy or match is None:
        return
    glob = f"{match['prefix']}{match['major']}.*"
    if s.remote is not None:
        found = list(git.ls_remote(s.remote, [], [glob]).tags.values())
    else:
        found = git.local_tags([glob])
    mine = tuple(int(n) for n in match["rest"].split("."))
    for other in found:
        theirs = _SEMVER_NAME.fullmatch(other.name)
        if (
            theirs is None
            or theirs["prefix"] != match["prefix"]
            or theirs["major"] != match["major"]
        ):
            continue
        version = tuple(int(n) for n in theirs["rest"].split("."))
        if version >= mine or other.sha == s.head:
            raise PreconditionError(
                f"{other.name} exists and relorch does not count it: releasing {tag} would "
                + (
                    "tag a commit that already carries a version"
                    if other.sha == s.head
                    else "create a version not above it"
                ),
                hint=f'declare the old tags in [apis.{api.name}]: legacy_tags = "semver" '
                "(`relorch init --dry-run` shows the setting; docs/migrating.md)",
            )


def _plan_major(git: Git, api: ApiConfig, history: ApiHistory, s: Situation) -> ReleasePlan:
    if s.branch != s.main:
        raise PreconditionError(
            f"a new major starts on {s.main}, not on {s.branch}", hint=f"git switch {s.main}"
        )
    newest = history.newest
    if newest is None:
        tag = api.scheme.tag(1, 1)
        return ReleasePlan(
            kind="major",
            api=api.name,
            major=1,
            revision=1,
            tag=tag,
            sha=s.head,
            branch=s.branch,
            previous_tag=None,
            notes=release_notes(tag, None, git.log(None, s.head, api.paths)[-50:]),
            push_branch=s.push_branch,
            remote=s.remote,
            checks=api.checks,
        )
    for rev in newest.revisions:
        if rev.sha == s.head:
            return _existing("major", api, rev, s)
    last = newest.latest
    commits = _commits_since(git, s, last.tag, last.sha, api)
    if not commits:
        raise NothingToRelease(
            f"nothing to release: no commit since {last.tag} touches {api.name}",
            hint="a new major needs the breaking change committed first",
        )
    branch = api.scheme.branch(newest.major)
    tag = api.scheme.tag(newest.major + 1, 1)
    return ReleasePlan(
        kind="major",
        api=api.name,
        major=newest.major + 1,
        revision=1,
        tag=tag,
        sha=s.head,
        branch=s.branch,
        previous_tag=last.tag,
        notes=release_notes(tag, last.tag, commits),
        new_branch=branch,
        new_branch_sha=last.sha,
        push_branch=s.push_branch,
        remote=s.remote,
        checks=api.checks,
        compatibility=_FIRST_REVISION if api.spec else (),
    )


# The gate compares a revision with the previous revision of its major; a major's first
# revision has none, and breaking the previous major is what a new major is for.
_FIRST_REVISION = (
    "breaking-change gate: the first revision of a major, no earlier revision to compare with",
)


def _breaking_gate(
    git: Git, config: Config, api: ApiConfig, *, last_tag: str, base: str, head: str
) -> tuple[str, tuple[str, ...]]:
    """A revision must not break the API's OpenAPI document; that needs a new major.

    Returns what the release notes must add (the reviewed exceptions the gate relied on)
    and the gate's verdict in one line for the output."""
    if api.spec is None:
        return "", ()
    from relorch.gate.check import diff_refs
    from relorch.gate.errors import GateFailed
    from relorch.gate.rules import LEVELS

    report = diff_refs(git, api, base, head, config.gate)
    if report.ok:
        lines = [
            f"- {c.rule} at {c.location}: {e.reason}"
            + (f" (until {e.expires})" if e.expires else "")
            for c, e in report.excused
        ]
        counts = ", ".join(f"{len(report.at(level))} {level}" for level in LEVELS)
        summary = f"breaking-change gate passed ({counts}; fail_on = {report.fail_on})"
        if lines:
            summary += f"; {len(lines)} reviewed exception(s) used"
            return "\nBreaking-change gate exceptions used\n" + "\n".join(lines) + "\n", (summary,)
        return "", (summary,)
    shown = "; ".join(f"{c.location}: {c.message}" for c in report.failing[:3])
    more = f" (+{len(report.failing) - 3} more)" if len(report.failing) > 3 else ""
    raise GateFailed(
        f"{report.fail_on} change since {last_tag} in {api.spec}: {shown}{more}",
        hint="a breaking change needs a new major: `relorch release --major` on the main branch "
        f"(see `relorch diff {last_tag} HEAD`)",
    )


def _existing(kind: str, api: ApiConfig, rev: RevisionInfo, s: Situation) -> ReleasePlan:
    """HEAD already carries `rev`: a re-run reports it and releases nothing."""
    return ReleasePlan(
        kind=kind,
        api=api.name,
        major=rev.major,
        revision=rev.revision,
        tag=rev.tag,
        sha=s.head,
        branch=s.branch,
        previous_tag=None,
        notes="",
        released=False,
        remote=s.remote,
    )


def _commits_since(
    git: Git, s: Situation, tag: str, sha: str, api: ApiConfig
) -> list[tuple[str, str]]:
    """The commits since `tag` that touch the API; the tag is fetched when its commit is not
    local yet (a tag made elsewhere on a commit this clone has not seen)."""
    try:
        return git.log(sha, s.head, api.paths)
    except RelorchError:
        if git.has_commit(sha) or s.remote is None:
            raise
    try:
        git.fetch(s.remote, [f"refs/tags/{tag}:refs/tags/{tag}"])
    except RelorchError:
        raise PreconditionError(
            f"cannot fetch {tag} from {s.remote}", hint="git fetch --tags"
        ) from None
    return git.log(sha, s.head, api.paths)
