"""The ledger section of the benchmarks: ledgers of N records built through relorch's own API."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from measure import Samples, clock, repeated, since, timed
from synth import WORK, Origin, clone_of, git, hermetic_env, working_copy

if TYPE_CHECKING:
    from relorch.ledger.records import Record
    from relorch.ledger.state import LedgerState

# Bump when the generated records change: cached ledgers are keyed by it.
LEDGER_GENERATOR = 1
COMMITS_PER_LEDGER = 1000  # appends used to build any ledger: its history has this many commits
ACTOR = "ci-bot"
Log = Callable[[str], None]


@dataclass(frozen=True)
class Built:
    """A cached bare repository whose refs/relorch/ledger holds `records` records."""

    records: int
    path: Path
    build_seconds: float


def ledger_api_missing() -> str | None:
    """Why the ledger section cannot run (None when relorch's ledger API is importable)."""
    try:
        from relorch.deploy.holds import apply_hold, plan_hold  # noqa: F401
        from relorch.ledger.records import new_record  # noqa: F401
        from relorch.ledger.state import replay  # noqa: F401
        from relorch.ledger.store import Ledger  # noqa: F401
    except ImportError as exc:
        return f"relorch's ledger API is not importable yet ({exc})"
    return None


def _revision_tags(origin: Path) -> dict[int, list[tuple[int, str, str]]]:
    """major -> [(revision, tag, commit sha)] of the origin's revision tags, by revision."""
    out = git(
        "for-each-ref",
        "--format=%(refname:lstrip=2) %(*objectname)",
        "refs/tags/v*-rev*",
        cwd=origin,
    )
    tags: dict[int, list[tuple[int, str, str]]] = {}
    for line in out.splitlines():
        name, sha = line.split()
        major, revision = name[1:].split("-rev")
        tags.setdefault(int(major), []).append((int(revision), name, sha))
    for revisions in tags.values():
        revisions.sort()
    return tags


def _units(tags: dict[int, list[tuple[int, str, str]]]) -> Iterator[list[Record]]:
    """Deterministic, plausible ledger traffic, in units that leave no lock or hold open.

    A unit deploys one revision to staging and then production (started + succeeded or
    failed); every 10th production deploy is first held and unheld; every 15th unit rolls
    an older major back in production. v5's newest revision succeeds in staging first, so
    `deploy v5@latest --env production` (promote_from = staging) is allowed at every size.
    """
    from relorch.ledger.records import new_record

    rng = random.Random(20240101)
    clock = itertools.count()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    newest = max(tags)
    nxt = {major: 0 for major in tags}
    prod: dict[int, list[int]] = {major: [] for major in tags}  # successful revisions, in order

    def rec(
        env: str,
        action: str,
        status: str,
        major: int,
        revision: int,
        tag: str,
        sha: str,
        *,
        reason: str | None = None,
        lock: str | None = None,
    ) -> Record:
        return new_record(
            api="products",
            env=env,
            action=action,
            status=status,
            now=start + timedelta(minutes=5 * next(clock)),
            actor=ACTOR,
            major=major,
            revision=revision,
            tag=tag,
            sha=sha,
            run_url=f"https://ci.example.invalid/runs/{rng.randrange(10**9)}",
            reason=reason,
            lock=lock,
        )

    def deploy(
        env: str, action: str, major: int, entry: tuple[int, str, str], ok: bool = True
    ) -> list[Record]:
        started = rec(env, action, "started", major, *entry)
        done = rec(env, action, "succeeded" if ok else "failed", major, *entry, lock=started.id)
        return [started, done]

    yield deploy("staging", "deploy", newest, tags[newest][-1])
    for unit in itertools.count(1):
        major = newest if rng.random() < 0.6 else rng.randrange(1, newest)
        entry = tags[major][nxt[major] % len(tags[major])]
        nxt[major] += 1
        out = deploy("staging", "deploy", major, entry)
        if unit % 10 == 0:
            held = rec("production", "hold", "held", major, *entry, reason="waiting for sign-off")
            out += [held, rec("production", "unhold", "lifted", major, *entry, lock=held.id)]
        ok = rng.random() > 0.05
        out += deploy("production", "deploy", major, entry, ok)
        if ok:
            prod[major].append(entry[0])
        old = rng.randrange(1, newest)
        if unit % 15 == 0 and len(prod[old]) >= 2:
            back = prod[old][-2]
            out += deploy("production", "rollback", old, tags[old][back - 1])
            prod[old].append(back)
        yield out


def records_for(count: int, origin: Path) -> list[Record]:
    """Exactly `count` records: whole units, topped up with notice records."""
    from relorch.ledger.records import new_record

    out: list[Record] = []
    for unit in _units(_revision_tags(origin)):
        if len(out) + len(unit) > count:
            break
        out.extend(unit)
    when = datetime(2030, 1, 1, tzinfo=UTC)
    while len(out) < count:
        key = f"bench-fill-{len(out)}"
        out.append(
            new_record(
                api="products",
                env="production",
                action="notice",
                status="sent",
                now=when,
                actor=ACTOR,
                extra={"key": key},
            )
        )
    return out


def build_ledger(origin: Origin, count: int, *, log: Log) -> Built:
    """A cached bare repo with a ledger of `count` records, appended by relorch.ledger.store.Ledger.

    The ledger is written in COMMITS_PER_LEDGER appends (count/1000 records each) by the
    same code `relorch hold`/`deploy` use, in local mode (no remote), then verified by
    replaying every record and comparing with the stored state snapshot.
    """
    from relorch.config import parse_config
    from relorch.git.gateway import Git
    from relorch.ledger.state import replay
    from relorch.ledger.store import Ledger

    path = WORK / f"ledger-{origin.size.key}-n{count}-l{LEDGER_GENERATOR}.git"
    if (path / "relorch-bench-complete").exists():
        return Built(count, path, 0.0)
    if path.exists():
        shutil.rmtree(path)
    started = time.perf_counter()
    tmp = WORK / f"{path.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    git("init", "--quiet", "--bare", "-b", "main", str(tmp))
    records = records_for(count, origin.path)
    config = parse_config({"apis": {"products": {}}}, root=tmp)
    ledger = Ledger(Git(tmp, bare=True), config, clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    assert ledger.remote is None
    batch = max(1, -(-count // COMMITS_PER_LEDGER))
    for first in range(0, count, batch):
        part = records[first : first + batch]

        def guard(_state: LedgerState, part: list[Record] = part) -> list[Record]:
            return part

        ledger.append(guard, subject=f"bench: records {first}+")
    stored = list(ledger.records(sync=False))
    if len(stored) != count:
        raise RuntimeError(f"ledger holds {len(stored)} records, wanted {count}")
    snapshot = ledger.read_state()
    if replay(reversed(stored)).to_json() != snapshot.to_json():
        raise RuntimeError("the ledger's state snapshot differs from a replay of its records")
    git("repack", "-adq", cwd=tmp)
    (tmp / "relorch-bench-complete").write_text(f"{count}\n")
    tmp.rename(path)
    took = time.perf_counter() - started
    log(f"  built ledger of {count:,} records in {took:.1f} s ({path.name})")
    return Built(count, path, took)


@dataclass
class LedgerRun:
    """Figures for one ledger size, the commands that were available, notes on what was not."""

    records: int
    build_seconds: float
    samples: dict[str, Samples] = field(default_factory=dict)
    available: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def command_available(relorch: Path, *words: str) -> bool:
    """Whether the installed relorch has this command (its --help exits 0)."""
    proc = subprocess.run(
        [str(relorch), *words, "--help"], capture_output=True, env=hermetic_env(), check=False
    )
    return proc.returncode == 0


def measure_ledger(
    origin: Origin, built: Built, run_dir: Path, relorch: Path, repeat: int
) -> LedgerRun:
    """status, deploy --dry-run, hold/unhold (CLI and in-process) against a ledger of N."""
    from relorch.config import load_config
    from relorch.deploy.holds import apply_hold, plan_hold
    from relorch.git.gateway import Git
    from relorch.ledger.store import Ledger

    name = f"ledger{built.records}"
    bare, clone = working_copy(origin, run_dir, name)
    git("fetch", "--quiet", str(built.path), "+refs/relorch/ledger:refs/relorch/ledger", cwd=bare)
    run = LedgerRun(built.records, built.build_seconds)
    run.available = {
        c
        for c in ("status", "deploy", "hold", "unhold", "history")
        if command_available(relorch, c)
    }
    if "history" in run.available:
        # The first read fetches the ledger's tip (shallow); check that relorch reads it.
        proc = subprocess.run(
            [str(relorch), "history", "--limit", "0", "--json"],
            cwd=clone,
            capture_output=True,
            env=hermetic_env(),
            check=True,
        )
        count = len(json.loads(proc.stdout)["records"])
        if count != built.records:
            raise RuntimeError(f"relorch history shows {count} records, wanted {built.records}")
    else:
        run.notes.append("`relorch history` not available: ledger verified in-process only")
    status = ["status", "--env", "production"]
    timed(relorch, *status, cwd=clone)
    run.samples["status --env production"] = repeated(repeat, relorch, *status, cwd=clone)

    def fresh_clone_status(label: str) -> None:
        cold = Samples()
        for i in range(repeat):
            fresh = clone_of(bare, run_dir / f"{name}-cold{i}")
            cold.add(timed(relorch, *status, cwd=fresh))
            shutil.rmtree(fresh)
        run.samples[label] = cold

    # The cached ledger was appended in local mode, so the origin has no state ref yet: this
    # is what a ledger last written by a relorch without one costs (the ledger tip is read).
    fresh_clone_status("status, fresh clone, no state ref (fetches the ledger tip)")
    if {"hold", "unhold"} <= run.available:
        # One append by this relorch, as every deploy makes, puts the state ref beside it.
        for action in (["hold", "v5", "--reason", "bench"], ["unhold", "v5"]):
            timed(relorch, *action, "--env", "production", cwd=clone)
        fresh_clone_status("status, fresh clone (fetches the ledger)")
    if "deploy" in run.available:
        dry = ["deploy", "v5@latest", "--env", "production", "--dry-run"]
        timed(relorch, *dry, cwd=clone)
        run.samples["deploy v5@latest --dry-run"] = repeated(repeat, relorch, *dry, cwd=clone)
    else:
        run.notes.append("deploy --dry-run skipped: `relorch deploy` is not available yet")
    if {"hold", "unhold"} <= run.available:
        appends = Samples()
        for _ in range(repeat):
            appends.add(
                timed(relorch, "hold", "v5", "--env", "production", "--reason", "bench", cwd=clone)
            )
            appends.add(timed(relorch, "unhold", "v5", "--env", "production", cwd=clone))
        run.samples["append one record: relorch hold / unhold"] = appends
    else:
        run.notes.append("CLI append skipped: `relorch hold`/`unhold` are not available yet")
    git_ = Git(clone)
    config = load_config(clone)
    in_process, writes, reads = Samples(), Samples(), Samples()
    ledger = Ledger(git_, config)
    for _ in range(repeat):
        for action, reason in (("hold", "bench"), ("unhold", None)):
            start = clock()
            plan = plan_hold(
                git_, config, action=action, ref_text="v5", env="production", reason=reason
            )
            outcome = apply_hold(git_, config, plan)
            in_process.add(since(start))
            if outcome.record is None:
                raise RuntimeError(f"in-process {action} wrote nothing")
        start = clock()
        ledger.append(lambda _state: [_notice()], subject="bench notice")
        writes.add(since(start))
        start = clock()
        ledger.read_state()
        reads.add(since(start))
    run.samples["append one record: plan_hold+apply_hold, in-process"] = in_process
    run.samples["append one record: Ledger.append, in-process"] = writes
    run.samples["Ledger.read_state, in-process"] = reads
    return run


def _notice() -> Record:
    from relorch.ledger.records import new_record

    return new_record(
        api="products",
        env="production",
        action="notice",
        status="sent",
        now=datetime.now(UTC),
        actor=ACTOR,
        extra={"key": "bench-append"},
    )
