"""Refs as compare-and-swap values (the ledger's): read and swap local refs, read and fetch the
remote's, push only over the value the caller built on."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from relorch.errors import GitError
from relorch.git.gateway import Git
from relorch.git.process import alive

if TYPE_CHECKING:
    from relorch.git.narrowpush import Loose

ZERO_SHA = "0" * 40
# Where a fetch that must not move the local ref lands for the moment it takes to read it.
_FETCHING = "refs/relorch/fetching"
# What a remote listing said of a ref, and what the local copy was then, kept for the one read
# of it that follows at once: `sync_tags` lists the ledger ref with the tags, so a read command
# makes one round trip, not two. Taken once (a retry asks again), only while the local copy is
# unchanged (the ledger reads its copy before the remote's), and only within half a second: a
# read after a wait (a deploy's notice window, at least a second) always asks the remote.
_LISTED: dict[tuple[str, str, str], tuple[float, str | None, str | None]] = {}
_LISTED_FOR = 0.5
_LOCK_WORDS = ("cannot lock ref", "unable to create", ".lock", "unable to update local ref")


def read_ref(git: Git, ref: str) -> str | None:
    """The commit a local ref points at, None when it does not exist."""
    return git.resolve(ref)


def swap_local_ref(git: Git, ref: str, new: str, old: str | None) -> bool:
    """Compare-and-swap a local ref (`git update-ref REF NEW OLD`); False when OLD is gone."""
    try:
        git.run("update-ref", "-m", "relorch ledger", ref, new, old or ZERO_SHA)
    except GitError:
        return False
    return True


def note_listed(git: Git, remote: str, ref: str, sha: str | None, local: str | None) -> None:
    """Keep what a listing of the remote just said of `ref` (and the local `ref` then)."""
    _LISTED[(str(git.root), remote, ref)] = (time.monotonic(), sha, local)


def remote_ref(git: Git, remote: str, ref: str, *, local: str | None = ZERO_SHA) -> str | None:
    """The sha the remote's `ref` points at, None when it has no such ref: one round trip,
    or none right after a listing that included it, if the local copy is still `local`."""
    return remote_refs(git, remote, (ref,), local=local)[ref]


def remote_refs(
    git: Git, remote: str, refs: tuple[str, ...], *, local: str | None = ZERO_SHA
) -> dict[str, str | None]:
    """What the remote's `refs` point at (None: no such ref), from one listing: the one just
    made with them (see note_listed) when it holds them all, else one round trip."""
    now = time.monotonic()
    listed = [_LISTED.pop((str(git.root), remote, ref), None) for ref in refs]
    if all(x is not None and now - x[0] < _LISTED_FOR and x[2] == local for x in listed):
        return {ref: x[1] for ref, x in zip(refs, listed, strict=True) if x is not None}
    out = git.run("ls-remote", remote, *refs, network=True)
    found: dict[str, str | None] = dict.fromkeys(refs)
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name in found:
            found[name] = sha
    return found


def fetch_ref(
    git: Git, remote: str, ref: str, *, shallow: bool, attempts: int = 6, update: bool = True
) -> str:
    """Mirror the remote's `ref` into the same local ref (retrying local ref-lock contention)
    and return the sha that arrived; `update` False fetches its objects only, leaving the
    local ref to the caller.

    The sha returned is what the fetch brought, which may be newer than an `ls-remote` read
    a moment before (another writer pushed in between); with `shallow` only that commit is
    here, so the caller must build on it, not on the older value. Without `update` the fetch
    lands on a ref private to this process, read and deleted at once (a killed process
    leaves one that `clean_fetch_refs` removes).

    `shallow` fetches only the tip commit: every reader needs only the newest tree, and a
    fresh CI clone should not download the whole append history.
    """
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
    if shallow:
        args.append("--depth=1")
    target = ref if update else f"{_FETCHING}/{os.getpid()}-{os.urandom(4).hex()}"
    for attempt in range(attempts):
        try:
            git.run(*args, remote, f"+{ref}:{target}", network=True)
            break
        except GitError as exc:
            # Two relorch processes in one clone race for the local ref or .git/shallow lock.
            if attempt + 1 == attempts or not any(w in str(exc).lower() for w in _LOCK_WORDS):
                raise
            import random  # only on a retry: its import is not free

            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    sha = read_ref(git, target)
    if sha is None:
        raise GitError(f"fetching {ref} from {remote} brought nothing")
    if not update:
        git.run("update-ref", "--no-deref", "-d", target, check=False)
    return sha


def clean_fetch_refs(git: Git) -> None:
    """Delete the private refs of fetches whose process is gone (killed mid-fetch)."""
    out = git.run("for-each-ref", "--format=%(refname)", _FETCHING, check=False)
    for name in out.split():
        pid = name.rsplit("/", 1)[-1].partition("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            git.run("update-ref", "--no-deref", "-d", name, check=False)


class PushOutcome(NamedTuple):
    """A ref push: landed, or rejected by the remote (stale base, lost race, hook), or failed."""

    ok: bool
    rejected: bool
    message: str


def push_ref(
    git: Git,
    remote: str,
    new: str,
    ref: str,
    *,
    expected: str | None,
    beside: tuple[str, str] | None = None,
    carried: Mapping[str, Loose] | None = None,
) -> PushOutcome:
    """Set the remote's `ref` to `new` only if it still holds `expected` (None: only if it does
    not exist), a compare-and-swap: a lease on `expected`, checked against what the remote
    advertises and again by the remote as it updates the ref. The caller built `new` on
    `expected`, so the update is a fast-forward; git's own fast-forward check is not asked
    for (it walks the history of `expected`, which a push from `carried` objects alone
    cannot read).

    `beside` (sha, ref) is forced to the remote in the same push, not atomically: the outcome
    is `ref`'s alone (a derived ref that did not land is only a missed shortcut for readers).
    `carried`: the objects written for this push and those read to write them (see
    `Git.push`).
    """
    # No `+`: a forced refspec would override the lease. With a lease that holds, git forces
    # the update itself, without walking history for a fast-forward check.
    refspecs = [f"{new}:{ref}"]
    if beside is not None:
        refspecs.append(f"+{beside[0]}:{beside[1]}")
    leases = {ref: expected}
    result = git.push(remote, refspecs, atomic=False, leases=leases, carried=carried)
    if result.ok:
        return PushOutcome(True, False, result.message)
    # --porcelain: "<flag>\t<src>:<dst>\t<summary>"; "!" rejected, " " "+" "*" landed.
    flags = {
        parts[1].rsplit(":", 1)[-1]: parts[0]
        for parts in (line.split("\t") for line in result.message.splitlines())
        if len(parts) >= 3 and len(parts[0]) == 1
    }
    if beside is not None and flags.get(ref) in (" ", "+", "*"):
        return PushOutcome(True, False, result.message)
    return PushOutcome(False, flags.get(ref) == "!", result.message)
