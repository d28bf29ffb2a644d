"""Resolving a REF to a deployable revision tag, checked against the remote's tags and lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from relorch.config import ApiConfig, Config
from relorch.errors import PreconditionError, UsageError
from relorch.git.gateway import Git
from relorch.ledger.state import LedgerState
from relorch.model.history import ApiHistory, MajorInfo, RevisionInfo, build_history
from relorch.model.repository import line_ref, main_branch, remote_of, sync_tags, synced_tags
from relorch.policy.support import ensure_deployable, release_moments
from relorch.versions import Ref, parse_ref


@dataclass(frozen=True)
class Target:
    """One revision tag of one API, known to exist where it must."""

    api: str
    major: int
    revision: int
    tag: str
    sha: str
    line: str


def parse_for(config: Config, text: str, api_name: str | None) -> tuple[Ref, ApiConfig]:
    """Parse a REF and decide its API (from the REF, --api, or the only API)."""
    ref = parse_ref(text, {name: api.scheme for name, api in config.apis.items()})
    if ref.api and api_name and ref.api != api_name:
        raise UsageError(f"REF {text!r} names API {ref.api!r} but --api says {api_name!r}")
    return ref, config.api(ref.api or api_name)


def remote_history(git: Git, config: Config, api: ApiConfig) -> ApiHistory:
    """The API's revisions as the remote has them (fetched first); local tags without a remote.

    The tags are read locally after the fetch, for their dates (the support policy retires
    majors by date), and kept only where the remote has them (a local-only tag never deploys).
    """
    sync_tags(git, config)
    tags = git.local_tags(api.scheme.globs())
    if remote_of(git, config).present:
        listed = synced_tags(git, config)
        if listed is not None:  # the sync made the local revision tags the remote's
            tags = [t for t in tags if f"refs/tags/{t.name}" in listed]
        else:
            remote = git.ls_remote(config.remote, [], api.scheme.globs()).tags
            tags = [t for t in tags if t.name in remote and remote[t.name].sha == t.sha]
    return build_history(api, tags, main_branch(git, config))


def resolve(
    git: Git,
    config: Config,
    ref: Ref,
    api: ApiConfig,
    *,
    env: str | None,
    state: LedgerState,
    history: ApiHistory | None = None,
    verify: bool = True,
) -> Target:
    """The revision `ref` names; PreconditionError when no such tag is released (or, with
    `verify`, when it is not annotated or not on its release line)."""
    history = history or remote_history(git, config, api)
    major = history.major(ref.major)
    if major is None:
        known = ", ".join(f"v{m.major}" for m in history.majors) or "none yet"
        raise PreconditionError(
            f"{api.name} has no released revision of v{ref.major} on the remote",
            hint=f"released majors: {known}; tag a revision with `relorch release` first",
        )
    if verify:
        released = release_moments(config, history, state)
        ensure_deployable(history, ref.major, config.support, datetime.now(UTC), released)
    revision = _pick(ref, major, api, env, state)
    info = major.get(revision)
    if info is None:
        raise PreconditionError(
            f"tag {ref.tag or api.scheme.tag(ref.major, revision)} does not exist on the remote",
            hint=f"the latest revision of v{ref.major} is {major.latest.tag}",
        )
    if verify:
        check_deployable(git, config, info, major)
    return Target(api.name, info.major, info.revision, info.tag, info.sha, major.line)


def _pick(ref: Ref, major: MajorInfo, api: ApiConfig, env: str | None, state: LedgerState) -> int:
    if ref.which in (None, "latest"):
        return major.latest.revision
    if ref.which == "rev" and ref.revision is not None:
        return ref.revision
    if ref.which == "tag":  # a legacy tag's number is its rank: look it up by name
        found = next((r for r in major.revisions if r.tag == ref.tag), None)
        return found.revision if found else 0
    if env is None:
        raise UsageError(f"{ref} needs --env: it means what is live in one environment")
    live = state.current(api.name, env, ref.major)
    if live is None:
        raise PreconditionError(
            f"nothing of {api.name} v{ref.major} has been deployed to {env}",
            hint=f"deploy a revision first: relorch deploy v{ref.major} --env {env}",
        )
    if ref.which == "current":
        return live.revision
    previous = state.previous_good(api.name, env, ref.major)
    if previous is None:
        raise PreconditionError(
            f"no revision of v{ref.major} below rev{live.revision} succeeded in {env}",
            hint="name the revision to deploy, e.g. v2@rev3",
        )
    return previous


def check_deployable(git: Git, config: Config, info: RevisionInfo, major: MajorInfo) -> None:
    """The tag is annotated and reachable from the release line of its major."""
    if not info.annotated and not info.legacy:  # semantic-release tags are lightweight
        raise PreconditionError(
            f"tag {info.tag} is a lightweight tag, not an annotated release tag",
            hint=f"re-create it annotated (git tag -a {info.tag} {info.sha[:12]}) or release with "
            "`relorch release`",
        )
    line = line_ref(git, config, major.line)
    if git.resolve(line) is None:
        raise PreconditionError(
            f"the release line {major.line} of v{info.major} does not exist"
            + (" on the remote" if remote_of(git, config).present else ""),
            hint=f"push the branch {major.line}, or check branch_format in the config",
        )
    if not git.has_commit(info.sha) or not git.is_ancestor(info.sha, line):
        if git.history_cut(line):
            raise PreconditionError(
                f"cannot tell whether {info.tag} is on the release line {major.line}: this "
                "clone is shallow and the history between them is missing",
                hint="fetch the full history (git fetch --unshallow; in GitHub Actions "
                "actions/checkout with fetch-depth: 0, in GitLab GIT_DEPTH: 0)",
            )
        raise PreconditionError(
            f"tag {info.tag} is not on the release line {major.line} of v{info.major}",
            hint="only revisions tagged on their release line deploy; release from that branch",
        )
