"""What the ledger's records add up to: live revisions, previews, good and rolled-back ones,
locks, holds, and when each major first went live in each environment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from relorch.ledger.records import Record

# 2: previews, previewed and first_live were added; an older snapshot is rebuilt from records.
STATE_FORMAT = 2
Key = tuple[str, str, int]  # (api, env, major)
# Actions that take the environment's lock and end in succeeded / failed / abandoned.
LOCKING_ACTIONS = ("deploy", "rollback", "preview", "withdraw")


@dataclass(frozen=True)
class Live:
    """The revision live in one environment for one major, and the record that made it so."""

    revision: int
    tag: str
    sha: str
    time: str
    id: str
    action: str = "deploy"


@dataclass(frozen=True)
class Preview:
    """A revision deployed beside the current one, reachable only by its revision (;rev=N)."""

    revision: int
    tag: str
    sha: str
    since: str  # the time of the record that put it in preview
    id: str


@dataclass(frozen=True)
class Lock:
    """An open `started` deploy or rollback: the lock of its API and environment."""

    id: str
    api: str
    env: str
    action: str
    actor: str
    time: str
    tag: str
    run_url: str | None = None

    def age_seconds(self, now: datetime) -> float:
        """How long the lock has been held at `now`."""
        return (now - parse_time(self.time)).total_seconds()


@dataclass(frozen=True)
class Hold:
    """An objection to deploying one tag to one environment."""

    id: str
    api: str
    env: str
    tag: str
    actor: str
    time: str
    reason: str


@dataclass(frozen=True)
class Announced:
    """A deploy, preview or rollback waiting out its notice window: anyone may object to it
    (`relorch hold`) until `until`; it takes no lock and changes nothing live."""

    id: str
    api: str
    env: str
    action: str
    tag: str
    actor: str
    time: str
    until: str

    def waiting(self, now: datetime) -> bool:
        """Whether the window is still open at `now` (after it, the deploy took the lock, was
        refused by a hold or never went on: a later record, or nothing, says which)."""
        return bool(self.until) and parse_time(self.until) > now


@dataclass(frozen=True)
class LedgerState:
    """The state derived from every record so far; `apply` gives the state after more records."""

    count: int = 0
    live: Mapping[Key, Live] = field(default_factory=dict)
    succeeded: Mapping[Key, frozenset[int]] = field(default_factory=dict)
    rolled_back: Mapping[Key, frozenset[int]] = field(default_factory=dict)
    locks: Mapping[tuple[str, str], Lock] = field(default_factory=dict)
    holds: Mapping[tuple[str, str, str], Hold] = field(default_factory=dict)
    notices: frozenset[str] = frozenset()
    previews: Mapping[Key, tuple[Preview, ...]] = field(default_factory=dict)
    # Revisions that succeeded as a preview there (what `promote_from = "preview"` asks for).
    previewed: Mapping[Key, frozenset[int]] = field(default_factory=dict)
    # When a revision of the major first became current there (the support policy's clock).
    first_live: Mapping[Key, str] = field(default_factory=dict)
    # The latest notice window begun per (api, env), until a locking record there follows it.
    announced: Mapping[tuple[str, str], Announced] = field(default_factory=dict)

    # -- queries ----------------------------------------------------------------------------

    def current(self, api: str, env: str, major: int) -> Live | None:
        """The revision live now, None when nothing of that major was deployed there."""
        return self.live.get((api, env, major))

    def previous_good(self, api: str, env: str, major: int) -> int | None:
        """The highest revision below the live one that succeeded there and was not rolled back."""
        live = self.current(api, env, major)
        if live is None:
            return None
        bad = self.rolled_back.get((api, env, major), frozenset())
        good = [r for r in self.succeeded.get((api, env, major), ()) if r < live.revision]
        return max((r for r in good if r not in bad), default=None)

    def succeeded_in(self, api: str, env: str, major: int, revision: int) -> bool:
        """Whether the revision once succeeded in `env` and was not rolled back there since."""
        key = (api, env, major)
        return revision in self.succeeded.get(key, ()) and not self.is_rolled_back(*key, revision)

    def is_rolled_back(self, api: str, env: str, major: int, revision: int) -> bool:
        """Whether a rollback took this revision out of `env` (and nobody deployed it again)."""
        return revision in self.rolled_back.get((api, env, major), ())

    def previews_of(self, api: str, env: str, major: int) -> tuple[Preview, ...]:
        """The revisions in preview beside the current one, lowest first."""
        return tuple(self.previews.get((api, env, major), ()))

    def preview(self, api: str, env: str, major: int, revision: int) -> Preview | None:
        """The preview of that revision in `env`, None when it is not in preview there."""
        return next((p for p in self.previews_of(api, env, major) if p.revision == revision), None)

    def previewed_in(self, api: str, env: str, major: int, revision: int) -> bool:
        """Whether the revision succeeded as a preview in `env` (and was not withdrawn since)."""
        return revision in self.previewed.get((api, env, major), ())

    def first_live_at(self, api: str, env: str, major: int) -> datetime | None:
        """When a revision of the major first succeeded (became current) in `env`."""
        text = self.first_live.get((api, env, major))
        return parse_time(text) if text is not None else None

    def live_majors(self, api: str, env: str) -> list[int]:
        """The majors of `api` with a live revision in `env`."""
        return sorted(m for (a, e, m) in self.live if a == api and e == env)

    def lock(self, api: str, env: str) -> Lock | None:
        """The open deploy or rollback of `api` in `env`."""
        return self.locks.get((api, env))

    def hold(self, api: str, env: str, tag: str) -> Hold | None:
        """The open hold on deploying `tag` to `env`."""
        return self.holds.get((api, env, tag))

    def waiting(self, now: datetime) -> list[Announced]:
        """The notice windows open at `now`, by API and environment."""
        return [a for _, a in sorted(self.announced.items()) if a.waiting(now)]

    # -- evolution --------------------------------------------------------------------------

    def apply(self, records: Iterable[Record]) -> LedgerState:
        """The state after `records`, in order."""
        state = self
        for record in records:
            state = _apply_one(state, record)
        return state

    # -- snapshot ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The snapshot kept as state.json in every ledger commit (sorted, deterministic)."""

        def sets(data: Mapping[Key, frozenset[int]]) -> list[dict[str, Any]]:
            return [
                {"api": k[0], "env": k[1], "major": k[2], "revisions": sorted(v)}
                for k, v in sorted(data.items())
                if v
            ]

        return {
            "format": STATE_FORMAT,
            "count": self.count,
            "live": [
                {"api": k[0], "env": k[1], "major": k[2], **v.__dict__}
                for k, v in sorted(self.live.items())
            ],
            "succeeded": sets(self.succeeded),
            "rolled_back": sets(self.rolled_back),
            "locks": [v.__dict__ for _, v in sorted(self.locks.items())],
            "holds": [v.__dict__ for _, v in sorted(self.holds.items())],
            "notices": sorted(self.notices),
            "previews": [
                {"api": k[0], "env": k[1], "major": k[2], **p.__dict__}
                for k, v in sorted(self.previews.items())
                for p in v
            ],
            "previewed": sets(self.previewed),
            "first_live": [
                {"api": k[0], "env": k[1], "major": k[2], "time": v}
                for k, v in sorted(self.first_live.items())
            ],
            "announced": [v.__dict__ for _, v in sorted(self.announced.items())],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerState:
        """Read a snapshot written by to_json."""

        def key(item: Mapping[str, Any]) -> Key:
            return (str(item["api"]), str(item["env"]), int(item["major"]))

        def sets(items: Iterable[Mapping[str, Any]]) -> dict[Key, frozenset[int]]:
            return {key(i): frozenset(int(r) for r in i["revisions"]) for i in items}

        live = {
            key(i): Live(**{k: v for k, v in i.items() if k not in {"api", "env", "major"}})
            for i in data.get("live", [])
        }
        locks = {(i["api"], i["env"]): Lock(**i) for i in data.get("locks", [])}
        holds = {(i["api"], i["env"], i["tag"]): Hold(**i) for i in data.get("holds", [])}
        # Absent from snapshots written before relorch kept it: no window open then.
        announced = {(i["api"], i["env"]): Announced(**i) for i in data.get("announced", [])}
        previews: dict[Key, tuple[Preview, ...]] = {}
        for i in data.get("previews", []):
            fields_ = {k: v for k, v in i.items() if k not in {"api", "env", "major"}}
            previews[key(i)] = (*previews.get(key(i), ()), Preview(**fields_))
        return cls(
            count=int(data.get("count", 0)),
            live=live,
            succeeded=sets(data.get("succeeded", [])),
            rolled_back=sets(data.get("rolled_back", [])),
            locks=locks,
            holds=holds,
            notices=frozenset(data.get("notices", [])),
            previews=previews,
            previewed=sets(data.get("previewed", [])),
            first_live={key(i): str(i["time"]) for i in data.get("first_live", [])},
            announced=announced,
        )


def _with(
    data: Mapping[Any, Any], key: Any, value: Any = None, *, drop: bool = False
) -> dict[Any, Any]:
    out = dict(data)
    if drop:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def _locked_or_released(state: LedgerState, r: Record) -> LedgerState:
    """A `started` record takes its API and environment's lock; the record that ends it (or,
    naming no lock, any other) releases the lock held there."""
    env_key = (r.api, r.env)
    if r.status == "started":
        lock = Lock(r.id, r.api, r.env, r.action, r.actor, r.time, r.tag or "", r.run_url)
        return replace(state, locks=_with(state.locks, env_key, lock))
    held = state.locks.get(env_key)
    if held is not None and (r.lock is None or r.lock == held.id):
        state = replace(state, locks=_with(state.locks, env_key, drop=True))
    return state


def _apply_one(state: LedgerState, r: Record) -> LedgerState:
    state = replace(state, count=state.count + 1)
    env_key = (r.api, r.env)
    if r.status == "announced":
        # A notice window begun: no lock, nothing live. Naming no lock, it would otherwise
        # release the lock another deploy holds in that environment.
        until = r.extra.get("notice_until", "")
        waits = Announced(r.id, r.api, r.env, r.action, r.tag or "", r.actor, r.time, until)
        return replace(state, announced=_with(state.announced, env_key, waits))
    if env_key in state.announced and (r.action in LOCKING_ACTIONS or r.action == "flags"):
        # The lock taken (or anything else that takes it there): the window is over.
        state = replace(state, announced=_with(state.announced, env_key, drop=True))
    if r.action in LOCKING_ACTIONS and r.major is not None and r.revision is not None:
        state = _locked_or_released(state, r)
        if r.status != "succeeded":
            return state
        if r.action in {"preview", "withdraw"}:
            return _previewed(state, r)
        return _made_current(state, r)
    if r.action == "flags":
        # A flags publish takes the same lock as a deploy: one change at a time per API and env.
        return _locked_or_released(state, r)
    if r.action == "hold" and r.tag:
        hold = Hold(r.id, r.api, r.env, r.tag, r.actor, r.time, r.reason or "")
        return replace(state, holds=_with(state.holds, (r.api, r.env, r.tag), hold))
    if r.action == "unhold" and r.tag:
        return replace(state, holds=_with(state.holds, (r.api, r.env, r.tag), drop=True))
    if r.action == "notice" and r.extra.get("key"):
        return replace(state, notices=state.notices | {r.extra["key"]})
    return state


def _made_current(state: LedgerState, r: Record) -> LedgerState:
    """A succeeded deploy or rollback: the revision is current; previews at or below it end."""
    assert r.major is not None and r.revision is not None
    key = (r.api, r.env, r.major)
    before = state.live.get(key)
    bad = set(state.rolled_back.get(key, frozenset()))
    if r.action == "rollback" and before is not None and before.revision != r.revision:
        bad.add(before.revision)
    bad.discard(r.revision)
    live = Live(r.revision, r.tag or "", r.sha or "", r.time, r.id, r.action)
    good = state.succeeded.get(key, frozenset()) | {r.revision}
    above = tuple(p for p in state.previews.get(key, ()) if p.revision > r.revision)
    return replace(
        state,
        live=_with(state.live, key, live),
        succeeded=_with(state.succeeded, key, good),
        rolled_back=_with(state.rolled_back, key, frozenset(bad), drop=not bad),
        previews=_with(state.previews, key, above, drop=not above),
        first_live=state.first_live
        if key in state.first_live
        else _with(state.first_live, key, r.time),
    )


def _previewed(state: LedgerState, r: Record) -> LedgerState:
    """A succeeded preview joins the environment's previews; a succeeded withdrawal leaves."""
    assert r.major is not None and r.revision is not None
    key = (r.api, r.env, r.major)
    others = [p for p in state.previews.get(key, ()) if p.revision != r.revision]
    tried = set(state.previewed.get(key, frozenset()))
    if r.action == "preview":
        others.append(Preview(r.revision, r.tag or "", r.sha or "", r.time, r.id))
        tried.add(r.revision)
    else:
        tried.discard(r.revision)
    kept = tuple(sorted(others, key=lambda p: p.revision))
    return replace(
        state,
        previews=_with(state.previews, key, kept, drop=not kept),
        previewed=_with(state.previewed, key, frozenset(tried), drop=not tried),
    )


def replay(records: Iterable[Record]) -> LedgerState:
    """The state of a ledger rebuilt from its records alone (the snapshot must equal this)."""
    return LedgerState().apply(records)


def parse_time(text: str) -> datetime:
    """A record's time (ISO 8601, UTC)."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
