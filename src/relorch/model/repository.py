"""Repository facts every command shares: the main branch, syncing with the remote, histories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from relorch import invocation
from relorch.config import Config
from relorch.git.gateway import Git, RemoteRefs
from relorch.git.refs import note_listed
from relorch.model.history import ApiHistory, build_history, tag_globs

# Past this many changed refs, one fetch of everything beats naming each on the command line.
_BY_NAME = 500


class Remote(NamedTuple):
    """The configured remote, or None-equivalent when the repository has none (local mode)."""

    name: str
    present: bool


def remote_of(git: Git, config: Config) -> Remote:
    """The configured remote and whether it exists (no remote = local-only mode)."""
    return Remote(config.remote, git.has_remote(config.remote))


def main_branch(git: Git, config: Config) -> str:
    """config main_branch, else the remote's HEAD branch, else "main" (README: Configuration)."""
    if config.main_branch:
        return config.main_branch
    return git.remote_head_branch(config.remote) or "main"


def reconcile_tags(
    git: Git, config: Config, remote: str, refs: RemoteRefs, globs: Sequence[str]
) -> list[str]:
    """Make the local revision tags matching `globs` agree with the remote's (`refs`, listed
    for the same globs).

    The remote is the truth: a local revision tag it lacks (left by an interrupted or killed
    release) is removed, one it holds on another object (re-pointed there, or made by another
    job with the same number) is removed so the fetch brings the remote's. Never blocking:
    each change is returned as a note. Tags that are not revision tags are left alone.
    """
    schemes = [api.scheme for api in config.apis.values()]
    notes = []
    for name, obj in git.tag_objects(globs).items():
        if not any(scheme.parse_tag(name) for scheme in schemes):
            continue
        theirs = refs.tag_objects.get(name)
        if theirs == obj:
            continue
        git.delete_tag(name)
        if theirs is None:
            notes.append(f"removed local tag {name}: {remote} does not have it")
        else:
            notes.append(f"replaced local tag {name} by {remote}'s ({obj[:12]} -> {theirs[:12]})")
    return notes


def sync_tags(git: Git, config: Config) -> list[str]:
    """Bring the remote's branches and revision tags here, fetching only what changed.

    One `ls-remote` says what the remote has; when the remote-tracking branches and the tags
    already match, nothing is fetched (the common case for status, render and report). A
    changed ref is fetched by name, with only the remote-tracking branches for git to compare
    (`Git.fetch_listed`); a local tag is never clobbered (git refuses, exit 1); branches gone
    from the remote are pruned. No-op without a remote.

    Local revision tags are first made to agree with the remote's (see reconcile_tags):
    one the remote lacks is removed, one it holds on another object is replaced. The notes
    say what changed.

    Once per CLI command: a command that needs the remote's view twice (deploy: for the
    governing config, then for its target) lists the remote once (see synced_tags).
    """
    if not remote_of(git, config).present:
        return []
    remote = config.remote
    scope = invocation.memo()
    key = _listed_key(git, remote)
    if scope is not None and key in scope:
        return []  # synced earlier in this command; its notes were returned then
    listed: set[str] = set()
    notes, here = _sync(git, config, remote, listed)
    if scope is not None:  # only once the sync is done: a failed one is tried again
        scope[key] = frozenset(listed)
        if here is not None:
            scope[_here_key(git, config)] = here
    return notes


def synced_tags(git: Git, config: Config) -> frozenset[str] | None:
    """The tag refs the remote listed when this command synced (every local revision tag
    then agreed with it), None when it has not (outside the CLI: always)."""
    scope = invocation.memo()
    listed = None if scope is None else scope.get(_listed_key(git, config.remote))
    return listed if isinstance(listed, frozenset) else None


def _listed_key(git: Git, remote: str) -> tuple[str, str, str]:
    return ("listed", str(git.root), remote)


def _here_key(git: Git, config: Config) -> tuple[str, str, tuple[str, ...]]:
    return ("tags here", str(git.root), tuple(tag_globs(config)))


def _sync(
    git: Git, config: Config, remote: str, listed: set[str]
) -> tuple[list[str], dict[str, str] | None]:
    """sync_tags' work; `listed` gets the tag refs the remote listed. Returns the notes and,
    when no local tag changed, the local tag refs and their object ids as listed here."""
    tracking = f"refs/remotes/{remote}/"
    tag_patterns = [f"refs/tags/{g}" for g in tag_globs(config)]
    # The ledger ref rides along: the ledger read that follows needs no round trip of its own.
    # Local refs first (the ledger reads its copy before the remote's: never out of order).
    ledger, state = config.ledger_ref, config.ledger_state_ref
    ours = git.ref_ids([tracking, *tag_patterns, ledger])
    theirs = git.remote_ref_ids(remote, ["refs/heads/*", *tag_patterns, ledger, state])
    local_ledger = ours.pop(ledger, None)
    note_listed(git, remote, ledger, theirs.pop(ledger, None), local_ledger)
    note_listed(git, remote, state, theirs.pop(state, None), local_ledger)
    notes = _drop_stale_tags(git, config, remote, theirs, ours)
    listed.update(ref for ref in theirs if ref.startswith("refs/tags/"))
    refspecs: list[str] = []
    for ref, oid in theirs.items():
        if ref.startswith("refs/heads/"):
            local = tracking + ref[11:]
            if ours.get(local) != oid:
                refspecs.append(f"+{ref}:{local}")
        elif ref.startswith("refs/tags/") and ours.get(ref) != oid:
            refspecs.append(f"{ref}:{ref}")
    if len(refspecs) > _BY_NAME:
        git.run(
            "fetch",
            "--quiet",
            "--tags",
            "--prune",
            remote,
            f"+refs/heads/*:{tracking}*",
            network=True,
        )
        return notes, None
    bases = {ref: oid for ref, oid in ours.items() if ref.startswith(tracking)}
    gone = [
        local
        for local in bases
        if local != tracking + "HEAD" and "refs/heads/" + local[len(tracking) :] not in theirs
    ]
    git.fetch_listed(remote, refspecs, theirs, bases, gone)
    if notes or any(spec.startswith("refs/tags/") for spec in refspecs):
        return notes, None
    return notes, {ref: oid for ref, oid in ours.items() if ref.startswith("refs/tags/")}


def _drop_stale_tags(
    git: Git, config: Config, remote: str, theirs: dict[str, str], ours: dict[str, str]
) -> list[str]:
    """Delete the local revision tags the remote lacks or holds on another object (they are
    taken out of `ours`, so the remote's is fetched); a note for each."""
    schemes = [api.scheme for api in config.apis.values()]
    stale = [
        ref
        for ref, oid in ours.items()
        if ref.startswith("refs/tags/")
        and theirs.get(ref) != oid
        and any(scheme.parse_tag(ref[10:]) for scheme in schemes)
    ]
    notes = []
    for ref in stale:
        git.delete_tag(ref[10:])
        del ours[ref]
        if ref in theirs:
            notes.append(f"replaced local tag {ref[10:]} by {remote}'s")
        else:
            notes.append(f"removed local tag {ref[10:]}: {remote} does not have it")
    return notes


def histories(git: Git, config: Config) -> dict[str, ApiHistory]:
    """Every API's history from the local tags (call sync_tags first for the remote's view).

    Right after a sync that changed no local tag in this command, the tags it listed are not
    listed again (a for-each-ref of every tag: about 20 ms at 20,000)."""
    scope = invocation.memo()
    here = None if scope is None else scope.get(_here_key(git, config))
    listing = here if isinstance(here, dict) else None
    tags = git.local_tags(tag_globs(config), listing=listing)
    branch = main_branch(git, config)
    return {name: build_history(api, tags, branch) for name, api in config.apis.items()}


def line_ref(git: Git, config: Config, line: str) -> str:
    """The ref to trust for a release line: the remote-tracking branch when there is a remote."""
    if remote_of(git, config).present:
        return f"refs/remotes/{config.remote}/{line}"
    return f"refs/heads/{line}"
