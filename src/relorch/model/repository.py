"""Repository facts every command shares: the main branch, syncing with the remote, histories."""

from __future__ import annotations

from dataclasses import dataclass

from relorch.config import Config
from relorch.git.gateway import Git
from relorch.model.history import ApiHistory, build_history, tag_globs

# Past this many changed refs, one fetch of everything beats naming each on the command line.
_BY_NAME = 500


@dataclass(frozen=True)
class Remote:
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


def sync_tags(git: Git, config: Config) -> None:
    """Bring the remote's branches and revision tags here, fetching only what changed.

    One `ls-remote` says what the remote has; when the remote-tracking branches and the tags
    already match, nothing is fetched (the common case for status, render and report). A
    changed ref is fetched by name; a local tag is never clobbered (git refuses, exit 1);
    branches gone from the remote are pruned. No-op without a remote.
    """
    if not remote_of(git, config).present:
        return
    remote = config.remote
    tracking = f"refs/remotes/{remote}/"
    tag_patterns = [f"refs/tags/{g}" for g in tag_globs(config)]
    theirs = git.remote_ref_ids(remote, ["refs/heads/*", *tag_patterns])
    ours = git.ref_ids([tracking, *tag_patterns])
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
        return
    if refspecs:
        git.fetch(remote, refspecs)
    for local in ours:
        if (
            local.startswith(tracking)
            and local != tracking + "HEAD"
            and "refs/heads/" + local[len(tracking) :] not in theirs
        ):
            git.run("update-ref", "-d", local)


def histories(git: Git, config: Config) -> dict[str, ApiHistory]:
    """Every API's history from the local tags (call sync_tags first for the remote's view)."""
    tags = git.local_tags(tag_globs(config))
    branch = main_branch(git, config)
    return {name: build_history(api, tags, branch) for name, api in config.apis.items()}


def line_ref(git: Git, config: Config, line: str) -> str:
    """The ref to trust for a release line: the remote-tracking branch when there is a remote."""
    if remote_of(git, config).present:
        return f"refs/remotes/{config.remote}/{line}"
    return f"refs/heads/{line}"
