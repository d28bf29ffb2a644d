"""The ledger's storage in git: chunked JSONL records plus a state snapshot, appended by CAS.

Every ledger commit's tree is

    state.json             the LedgerState after all records (one blob to read for status)
    records/000000.jsonl   records 0..999, one JSON object a line, oldest first
    records/000001.jsonl   records 1000..1999, ...

An append rewrites one bounded chunk and the snapshot, so its cost does not grow with the
ledger. Beside the ledger ref, each append forces the state ref (ledger/stateref.py).

With a remote the append pushes a commit whose parent is the remote's current tip, with a
lease on that tip (a compare-and-swap); a lost race re-fetches, re-checks and retries.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from relorch.config import Config
from relorch.errors import ConfigError, ConflictError, GitError, LedgerCorrupt, LedgerLost
from relorch.git.gateway import Git
from relorch.git.narrowpush import Loose
from relorch.git.objects import (
    BLOB_MODE,
    TREE_MODE,
    ObjectStore,
    TreeEntry,
    fetch_ref,
    push_ref,
    read_ref,
    remote_refs,
    swap_local_ref,
)
from relorch.ledger.records import Record
from relorch.ledger.state import STATE_FORMAT, LedgerState, replay
from relorch.ledger.stateref import STATE_FILE, read_state_commit, write_state_commit
from relorch.model.repository import remote_of

CHUNK = 1000
# Where `--init-ledger` sets aside this clone's copy of a ledger the remote lost.
SET_ASIDE = "refs/relorch/set-aside/"
# `--init-ledger` given: a ledger the remote lost is started anew (this invocation only).
START_NEW_LEDGER: ContextVar[bool] = ContextVar("relorch_start_new_ledger", default=False)
RECORDS_DIR = "records"
ATTEMPTS = 25

Guard = Callable[[LedgerState], Sequence[Record]]


@dataclass(frozen=True)
class Snapshot:
    """One ledger commit as read: its id, the state it holds and its chunk files."""

    tip: str | None
    state: LedgerState
    chunks: dict[str, TreeEntry]


@dataclass(frozen=True)
class Appended:
    """What an append wrote (nothing when the guard asked for nothing) and the state after it."""

    records: tuple[Record, ...]
    state: LedgerState
    tip: str | None
    attempts: int


def chunk_name(index: int) -> str:
    """The file of the index-th chunk."""
    return f"{index:06d}.jsonl"


class Ledger:
    """The deploy ledger of one repository, shared through its remote (or local-only)."""

    def __init__(
        self,
        git: Git,
        config: Config,
        *,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
    ) -> None:
        if config.ledger_ref.startswith(("refs/heads/", "refs/tags/", "refs/remotes/")):
            raise ConfigError(
                f"ledger_ref {config.ledger_ref!r} would look like a branch or tag to CI and git",
                hint='use a ref outside refs/heads and refs/tags, e.g. "refs/relorch/ledger"',
            )
        self.git = git
        self.config_commit = config.commit
        self.from_worktree = config.from_worktree
        self.ref = config.ledger_ref
        self.state_ref = config.ledger_state_ref
        self.remote = config.remote if remote_of(git, config).present else None
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sleep = sleep
        self.attempts = attempts

    # -- reading ----------------------------------------------------------------------------

    def sync(self) -> str | None:
        """Bring the local ledger ref up to the remote's; the tip to build on (None: empty).

        The local ref is this clone's copy of the remote's ledger, and the evidence when the
        remote loses it: a ref that vanished, or one holding fewer records than the copy, is
        an error (LedgerLost), never a silent new, shorter ledger.
        """
        if self.remote is None:
            return read_ref(self.git, self.ref)
        local_tip, listed = self._listed()
        return self._sync(local_tip, listed[self.ref])

    def _listed(self) -> tuple[str | None, dict[str, str | None]]:
        """This clone's copy of the ledger, then what the remote holds of it and of the state
        ref (one round trip, or none right after sync_tags listed them)."""
        assert self.remote is not None
        # The copy first: it only ever moves to a value the remote had, and the remote only
        # grows, so a remote read after it holds at least as many records unless it lost some
        # (read the other way round, another process of this clone could make it look so).
        local_tip = read_ref(self.git, self.ref)
        refs = (self.ref, self.state_ref)
        return local_tip, remote_refs(self.git, self.remote, refs, local=local_tip)

    def _sync(self, local_tip: str | None, remote_tip: str | None) -> str | None:
        assert self.remote is not None
        if remote_tip is None:
            if local_tip is not None:
                if not START_NEW_LEDGER.get():
                    raise self._lost(
                        f"{self.remote} no longer has the ledger {self.ref}", local_tip
                    )
                self._set_aside(local_tip)
            return None
        if local_tip != remote_tip:
            # Another writer may push between the two reads: build on what the fetch brought
            # (a shallow fetch brings only that commit, not the older tip ls-remote saw).
            remote_tip = fetch_ref(
                self.git, self.remote, self.ref, shallow=local_tip is None, update=False
            )
            if local_tip is not None and self._shrunk(local_tip, remote_tip):
                self._set_aside(local_tip)  # --init-ledger: go on with the remote's
                local_tip = None
            # Compare-and-swap: another relorch process in this clone may have moved it first.
            swap_local_ref(self.git, self.ref, remote_tip, local_tip)
        return remote_tip

    def _shrunk(self, local_tip: str, remote_tip: str) -> bool:
        """True when the remote holds fewer records than this clone's copy and --init-ledger
        says to go on with the remote's; LedgerLost when it holds fewer without it."""
        with ObjectStore(self.git) as store:
            mine = self.snapshot(local_tip, store).state.count
            theirs = self.snapshot(remote_tip, store).state.count
        if theirs >= mine:
            return False
        if START_NEW_LEDGER.get():
            return True
        raise self._lost(
            f"{self.remote}'s ledger {self.ref} holds {theirs} records, this clone's copy "
            f"{mine}: the remote lost records",
            local_tip,
        )

    def _lost(self, what: str, local_tip: str) -> LedgerLost:
        return LedgerLost(
            f"{what}; nothing was written",
            hint="restore it from this clone's copy (the local ref of the same name): "
            f"git push --force {self.remote} {self.ref}:{self.ref} - or, to go on without "
            "the lost records on purpose, run the command again with --init-ledger (this "
            f"clone's copy is kept under {SET_ASIDE})",
        )

    def _set_aside(self, local_tip: str) -> None:
        """Keep this clone's copy of a vanished ledger under SET_ASIDE, then drop the copy
        (compare-and-swap: a copy another process moved meanwhile is left alone)."""
        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        name = self.ref.rsplit("/", 1)[-1]
        set_aside = f"{SET_ASIDE}{name}-{stamp}-{local_tip[:12]}"
        self.git.run("update-ref", "-m", "relorch --init-ledger", set_aside, local_tip)
        try:
            self.git.run("update-ref", "-m", "relorch --init-ledger", "-d", self.ref, local_tip)
        except GitError:
            raise ConflictError(
                f"this clone's copy of {self.ref} moved while it was being set aside",
                hint="run the command again",
            ) from None

    def snapshot(self, tip: str | None, store: ObjectStore) -> Snapshot:
        """The state and chunk list of ledger commit `tip`."""
        if tip is None:
            return Snapshot(None, LedgerState(), {})
        root = store.read_tree(store.read_commit(tip).tree)
        state_entry, records_entry = root.get(STATE_FILE), root.get(RECORDS_DIR)
        if state_entry is None or records_entry is None:
            raise LedgerCorrupt(
                f"{self.ref} at {tip[:12]} is not a relorch ledger "
                f"(no {STATE_FILE} or {RECORDS_DIR}/)",
                hint="point ledger_ref at a ref only relorch writes",
            )
        try:
            data = json.loads(store.read_blob(state_entry.sha, carry=True))
            chunks = store.read_tree(records_entry.sha)
            if int(data.get("format", 1)) < STATE_FORMAT:
                # Written by an older relorch: it did not keep everything the state holds now
                # (previews, first-live moments), so the records say it again. The next append
                # stores the new format.
                return Snapshot(tip, replay(self._chunk_records(store, chunks)), chunks)
            return Snapshot(tip, LedgerState.from_json(data), chunks)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._corrupt(tip, STATE_FILE, exc) from None

    @staticmethod
    def _chunk_records(store: ObjectStore, chunks: dict[str, TreeEntry]) -> Iterator[Record]:
        for name in sorted(chunks):
            for line in store.read_blob(chunks[name].sha).decode().split("\n"):
                if line.strip():
                    yield Record.from_line(line)

    def _corrupt(self, tip: str, what: str, exc: BaseException) -> LedgerCorrupt:
        return LedgerCorrupt(
            f"{self.ref} at {tip[:12]}: {what} is not what relorch writes "
            f"({type(exc).__name__}: {str(exc)[:80]})",
            hint=f"inspect it with `git show {tip[:12]}:{what}`; if another tool wrote to "
            f"{self.ref}, point ledger_ref elsewhere or restore the ref from a good commit",
        )

    def read_state(self, *, fetch: bool = True) -> LedgerState:
        """The state of the ledger as the remote holds it now (`fetch` False: the local copy).

        A clone with no copy of the ledger (a fresh CI clone) reads the state ref instead of
        fetching every record, when that ref's parent is the ledger tip the remote listed.
        """
        if not fetch or self.remote is None:
            tip = self.sync() if fetch else read_ref(self.git, self.ref)
        else:
            local_tip, listed = self._listed()
            remote_tip, state_tip = listed[self.ref], listed[self.state_ref]
            if local_tip is None and remote_tip is not None and state_tip is not None:
                state = read_state_commit(self.git, self.remote, self.state_ref, remote_tip)
                if state is not None:
                    return state
            tip = self._sync(local_tip, remote_tip)
        with ObjectStore(self.git) as store:
            return self.snapshot(tip, store).state

    def records(self, *, sync: bool = True) -> Iterator[Record]:
        """Every record, newest first, reading chunks only as far as the caller iterates."""
        tip = self.sync() if sync else read_ref(self.git, self.ref)
        with ObjectStore(self.git) as store:
            snap = self.snapshot(tip, store)
            for name in sorted(snap.chunks, reverse=True):
                try:
                    lines = store.read_blob(snap.chunks[name].sha).decode().split("\n")
                    parsed = [Record.from_line(line) for line in lines if line.strip()]
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise self._corrupt(snap.tip or "", f"{RECORDS_DIR}/{name}", exc) from None
                yield from reversed(parsed)

    # -- appending --------------------------------------------------------------------------

    def append(self, guard: Guard, *, subject: str) -> Appended:
        """Append the records `guard` returns for the freshest state, as one compare-and-swap.

        The guard runs again on every attempt, against the state that attempt builds on, so a
        rule it enforces (one lock per environment, no duplicate hold) holds under races.
        Raises ConflictError when every attempt lost the race.
        """
        with ObjectStore(self.git) as store:
            for attempt in range(1, self.attempts + 1):
                tip = self.sync()
                snap = self.snapshot(tip, store)
                records = tuple(self._stamp(r) for r in guard(snap.state))
                if not records:
                    return Appended((), snap.state, tip, attempt)
                state = snap.state.apply(records)
                commit, state_commit = self._write(store, snap, records, state, subject)
                if self._swap(tip, commit, state_commit, store.carried):
                    return Appended(records, state, commit, attempt)
                self.sleep(min(2.0, 0.05 * 1.6**attempt) * random.uniform(0.5, 1.5))
        raise ConflictError(
            f"could not update the ledger {self.ref}: {self.attempts} attempts lost the race "
            "to other writers",
            hint="run the command again; if this persists, check that the remote accepts pushes "
            f"to {self.ref}",
        )

    def _stamp(self, record: Record) -> Record:
        """Every record names the config commit that governed it (and says when the working
        tree's file was used instead of the committed one)."""
        if record.config_commit is not None or self.config_commit is None:
            return record
        extra = {**record.extra, "config": "worktree"} if self.from_worktree else record.extra
        return replace(record, config_commit=self.config_commit, extra=extra)

    def _write(
        self,
        store: ObjectStore,
        snap: Snapshot,
        records: Sequence[Record],
        state: LedgerState,
        subject: str,
    ) -> tuple[str, str]:
        """The new ledger commit, and the state commit beside it (see the module's doc)."""
        chunks = dict(snap.chunks)
        index = snap.state.count // CHUNK
        name = chunk_name(index)
        try:
            lines = store.read_blob(chunks[name].sha, carry=True).decode() if name in chunks else ""
        except UnicodeDecodeError as exc:
            raise self._corrupt(snap.tip or "", f"{RECORDS_DIR}/{name}", exc) from None
        count = snap.state.count
        for record in records:
            if count // CHUNK != index:
                chunks[name] = TreeEntry(BLOB_MODE, store.write_blob(lines.encode()))
                index, lines = count // CHUNK, ""
                name = chunk_name(index)
            lines += record.to_line() + "\n"
            count += 1
        chunks[name] = TreeEntry(BLOB_MODE, store.write_blob(lines.encode()))
        state_blob = json.dumps(state.to_json(), indent=1, sort_keys=True) + "\n"
        state_entry = TreeEntry(BLOB_MODE, store.write_blob(state_blob.encode()))
        root = store.write_tree(
            {
                STATE_FILE: state_entry,
                RECORDS_DIR: TreeEntry(TREE_MODE, store.write_tree(chunks)),
            }
        )
        parents = (snap.tip,) if snap.tip else ()
        body = "\n".join(r.to_line() for r in records)
        now = self.clock()
        commit = store.write_commit(root, parents, f"{subject}\n\n{body}", now)
        return commit, write_state_commit(store, state_entry.sha, commit, now)

    def _swap(
        self, tip: str | None, commit: str, state_commit: str, carried: Mapping[str, Loose]
    ) -> bool:
        if self.remote is None:
            return swap_local_ref(self.git, self.ref, commit, tip)
        beside = (state_commit, self.state_ref)
        outcome = push_ref(
            self.git, self.remote, commit, self.ref, expected=tip, beside=beside, carried=carried
        )
        if outcome.ok:
            # The local ref only mirrors the remote; another local process may have moved it.
            swap_local_ref(self.git, self.ref, commit, tip)
            return True
        if not outcome.rejected:
            raise GitError(
                f"could not push the ledger to {self.remote}: "
                + (outcome.message.strip().splitlines() or ["no output"])[-1],
            )
        return False


def history(
    git: Git,
    config: Config,
    *,
    env: str | None = None,
    api: str | None = None,
    limit: int = 0,
) -> list[Record]:
    """Records newest first, filtered by environment and API; `limit` 0 = all."""
    out: list[Record] = []
    for record in Ledger(git, config).records():
        if (env is None or record.env == env) and (api is None or record.api == api):
            out.append(record)
            if limit and len(out) >= limit:
                break
    return out


def read_state(git: Git, config: Config, *, fetch: bool = True) -> LedgerState:
    """The ledger's state as the remote holds it now, for status and render.

    `fetch` False reads the local copy (as of the last relorch run) without the network.
    """
    return Ledger(git, config).read_state(fetch=fetch)


def current_revisions(
    git: Git, config: Config, *, fetch: bool = True
) -> dict[tuple[str, str, int], int]:
    """(api, env, major) -> the revision live there, from the ledger."""
    state = read_state(git, config, fetch=fetch)
    return {key: live.revision for key, live in state.live.items()}
