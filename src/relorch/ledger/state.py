"""What the ledger's records add up to: live revisions, good and rolled-back ones, locks, holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from relorch.ledger.records import Record

if TYPE_CHECKING:
    pass

STATE_FORMAT = 1
Key = tuple[str, str, int]  # (api, env, major)


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
class LedgerState:
    """The state derived from every record so far; `apply` gives the state after more records."""

    count: int = 0
    live: Mapping[Key, Live] = field(default_factory=dict)
    succeeded: Mapping[Key, frozenset[int]] = field(default_factory=dict)
    rolled_back: Mapping[Key, frozenset[int]] = field(default_factory=dict)
    locks: Mapping[tuple[str, str], Lock] = field(default_factory=dict)
    holds: Mapping[tuple[str, str, str], Hold] = field(default_factory=dict)
    notices: frozenset[str] = frozenset()

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

    def live_majors(self, api: str, env: str) -> list[int]:
        """The majors of `api` with a live revision in `env`."""
        return sorted(m for (a, e, m) in self.live if a == api and e == env)

    def lock(self, api: str, env: str) -> Lock | None:
        """The open deploy or rollback of `api` in `env`."""
        return self.locks.get((api, env))

    def hold(self, api: str, env: str, tag: str) -> Hold | None:
        """The open hold on deploying `tag` to `env`."""
        return self.holds.get((api, env, tag))

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
        return cls(
            count=int(data.get("count", 0)),
            live=live,
            succeeded=sets(data.get("succeeded", [])),
            rolled_back=sets(data.get("rolled_back", [])),
            locks=locks,
            holds=holds,
            notices=frozenset(data.get("notices", [])),
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


def _apply_one(state: LedgerState, r: Record) -> LedgerState:
    state = replace(state, count=state.count + 1)
    if r.action in {"deploy", "rollback"} and r.major is not None and r.revision is not None:
        env_key = (r.api, r.env)
        key = (r.api, r.env, r.major)
        if r.status == "started":
            lock = Lock(r.id, r.api, r.env, r.action, r.actor, r.time, r.tag or "", r.run_url)
            return replace(state, locks=_with(state.locks, env_key, lock))
        held = state.locks.get(env_key)
        if held is not None and (r.lock is None or r.lock == held.id):
            state = replace(state, locks=_with(state.locks, env_key, drop=True))
        if r.status == "succeeded":
            before = state.live.get(key)
            bad = set(state.rolled_back.get(key, frozenset()))
            if r.action == "rollback" and before is not None and before.revision != r.revision:
                bad.add(before.revision)
            bad.discard(r.revision)
            live = Live(r.revision, r.tag or "", r.sha or "", r.time, r.id, r.action)
            good = state.succeeded.get(key, frozenset()) | {r.revision}
            state = replace(
                state,
                live=_with(state.live, key, live),
                succeeded=_with(state.succeeded, key, good),
                rolled_back=_with(state.rolled_back, key, frozenset(bad), drop=not bad),
            )
        return state
    if r.action == "hold" and r.tag:
        hold = Hold(r.id, r.api, r.env, r.tag, r.actor, r.time, r.reason or "")
        return replace(state, holds=_with(state.holds, (r.api, r.env, r.tag), hold))
    if r.action == "unhold" and r.tag:
        return replace(state, holds=_with(state.holds, (r.api, r.env, r.tag), drop=True))
    if r.action == "notice" and r.extra.get("key"):
        return replace(state, notices=state.notices | {r.extra["key"]})
    return state


def replay(records: Iterable[Record]) -> LedgerState:
    """The state of a ledger rebuilt from its records alone (the snapshot must equal this)."""
    return LedgerState().apply(records)


def parse_time(text: str) -> datetime:
    """A record's time (ISO 8601, UTC)."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
