"""What a release sees before it plans: the branch, HEAD, the remote's refs (narrowed to the
majors that matter) and the history its tags tell."""

from __future__ import annotations

from dataclasses import dataclass, field

from relorch.config import ApiConfig, Config
from relorch.errors import PreconditionError
from relorch.git.gateway import Git, RemoteRefs
from relorch.model.history import ApiHistory, build_history
from relorch.model.repository import main_branch, reconcile_tags, remote_of


@dataclass(frozen=True)
class Situation:
    """The repository as the release rules see it: branch, HEAD, the remote's refs."""

    branch: str
    head: str
    main: str
    remote: str | None
    refs: RemoteRefs | None
    push_branch: bool
    # API -> major N whose tags (and N+1's) were all that was listed; absent: every tag listed.
    narrowed: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # local tags made to agree with the remote's


def inspect(
    git: Git, config: Config, branch: str | None = None, *, reconcile: bool = True
) -> Situation:
    """The working-copy rules (branch, clean tree, in sync with the remote); raise if broken.

    `reconcile`: local revision tags the remote lacks or holds elsewhere (an interrupted or
    killed release, a tag re-pointed on the remote) are replaced first, with a note.
    """
    head, checked_out, dirty = git.worktree_state()
    current = branch or checked_out
    if current is None:
        raise PreconditionError(
            "HEAD is detached: relorch releases from a release line",
            hint="switch to the main branch or a release/vN branch (git switch main)",
        )
    if dirty:
        shown = ", ".join(dirty[:3]) + (" …" if len(dirty) > 3 else "")
        raise PreconditionError(
            f"the working tree has uncommitted changes to tracked files: {shown}",
            hint="commit or stash them (git stash), then run again",
        )
    if head is None:
        head = git.head()  # raises the "no commits yet" precondition
    main = main_branch(git, config)
    if current != main and not any(a.scheme.parse_branch(current) for a in config.apis.values()):
        apis_on_branch(config, current, main, None)  # "not a release line" before "push it"
    remote = remote_of(git, config)
    if not remote.present:
        return Situation(current, head, main, None, None, False)
    narrowed, globs = remote_tag_globs(git, config, current, main)
    markers = [release_marker(name) for name in config.apis]
    refs = git.ls_remote(remote.name, [current], globs, markers)
    notes = reconcile_tags(git, config, remote.name, refs, globs) if reconcile else []
    ahead = sync_state(git, refs, current, head, remote.name)
    return Situation(current, head, main, remote.name, refs, ahead, narrowed, tuple(notes))


def remote_tag_globs(
    git: Git, config: Config, branch: str, main: str
) -> tuple[dict[str, int], list[str]]:
    """The majors guessed per API (see _narrowing) and the remote tag globs to list for them."""
    narrowed = _narrowing(git, config, branch, main)
    globs = sorted(
        {
            glob
            for api in config.apis.values()
            for glob in (
                api.scheme.globs(narrowed[api.name]) + api.scheme.globs(narrowed[api.name] + 1)
                if api.name in narrowed
                else api.scheme.globs()
            )
        }
    )
    return narrowed, globs


def release_marker(api: str) -> str:
    """The remote ref every release of `api` moves, compare-and-swap, with its tag.

    Two jobs releasing one commit under different tag names (`release --major` and
    `release --revision` on the same HEAD) would otherwise both succeed: their tags do not
    collide. Moving this one ref from the value each planned with lets only one of them land;
    the other re-plans and finds the commit released. Only releases on the main branch move
    it (a new major starts only there), so maintenance lines never wait for each other.
    """
    return f"refs/relorch/releases/{api}"


def _narrowing(git: Git, config: Config, branch: str, main: str) -> dict[str, int]:
    """Which major's tags to ask the remote for, per API, instead of all of them.

    Repositories carry tens of thousands of revision tags; a release needs one major's. On
    release/vN that is N; on main it is the newest major, guessed from the local tags and
    checked against the remote's answer (the guess is confirmed when N has tags and N+1 has
    none, since majors only ever grow by one: `history_at` lists everything otherwise).
    """
    narrowed = {}
    for api in config.apis.values():
        scheme = api.scheme
        major = scheme.parse_branch(branch) if branch != main else None
        if branch == main and scheme.legacy:
            major = None  # the newest major may have only legacy tags: list them all
        elif branch == main:
            newest = git.last_local_tag(scheme.tag_glob())
            parsed = scheme.parse_tag(newest) if newest else None
            major = parsed[0] if parsed else None
        if major is not None:
            narrowed[api.name] = major
    return narrowed


def sync_state(git: Git, refs: RemoteRefs, branch: str, head: str, remote: str) -> bool:
    """True when the local branch is ahead of the remote; raise when behind or diverged."""
    remote_sha = refs.heads.get(branch)
    if remote_sha is None:
        raise PreconditionError(
            f"branch {branch} does not exist on {remote}",
            hint=f"publish it first: git push -u {remote} {branch}",
        )
    if remote_sha == head:
        return False
    known = git.has_commit(remote_sha)
    if known and git.is_ancestor(remote_sha, head):
        return True
    if not known or git.is_ancestor(head, remote_sha):
        raise PreconditionError(
            f"{branch} is behind {remote}/{branch}",
            hint=f"update it first: git pull --ff-only {remote} {branch}",
        )
    raise PreconditionError(
        f"{branch} has diverged from {remote}/{branch}",
        hint=f"rebase or merge {remote}/{branch} (git pull --rebase), then run again",
    )


def apis_on_branch(config: Config, branch: str, main: str, api: str | None) -> list[ApiConfig]:
    """The APIs the branch carries: all of them on main, the one whose line it is otherwise."""
    if api is not None:
        return [config.api(api)]
    if branch == main:
        return list(config.apis.values())
    found = [a for a in config.apis.values() if a.scheme.parse_branch(branch) is not None]
    if not found:
        raise PreconditionError(
            f"{branch} is not a release line",
            hint=f"release from {main} (the newest major) or a maintenance branch such as "
            + next(iter(config.apis.values())).scheme.branch(1),
        )
    return found


def history_at(git: Git, config: Config, api: ApiConfig, situation: Situation) -> ApiHistory:
    """The API's history from the remote's tags (local tags only without a remote)."""
    if situation.refs is None:
        return build_history(api, git.local_tags(api.scheme.globs()), situation.main)
    history = build_history(api, situation.refs.tags.values(), situation.main)
    guess = situation.narrowed.get(api.name)
    if guess is None or situation.branch != situation.main:
        return history  # on release/vN, majors N and N+1 are all the rules look at
    if history.major(guess) is not None and history.major(guess + 1) is None:
        return history  # the local guess of the newest major is what the remote says
    assert situation.remote is not None
    everything = git.ls_remote(situation.remote, [], api.scheme.globs())
    return build_history(api, everything.tags.values(), situation.main)
