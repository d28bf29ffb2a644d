"""The guard of a deploy: the ledger's rules a plan must meet (holds, previews, promotion,
rolled-back revisions, the lock), checked when it is made and again under the lock, and the
records that take the lock."""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Protocol

from relorch.ci import RunContext
from relorch.deploy.promotion import Move, check_preview, check_promotion
from relorch.errors import ConflictError, HeldError, PreconditionError
from relorch.flags.switch import DeployFlags
from relorch.ledger.records import Record, format_time, new_record
from relorch.ledger.state import LedgerState, Live


class Guarded(Move, Protocol):
    """What the guard needs of a plan (a DeployPlan is one; no import of it, no circle)."""

    @property
    def ref(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def live(self) -> Live | None: ...
    @property
    def run(self) -> RunContext: ...
    @property
    def lock_timeout_seconds(self) -> float: ...
    @property
    def break_lock(self) -> bool: ...
    @property
    def allow_rolled_back(self) -> bool: ...
    @property
    def notice_skipped(self) -> str | None: ...
    @property
    def previewed_since(self) -> str | None: ...
    @property
    def flags(self) -> DeployFlags | None: ...


def check_rules(plan: Guarded, state: LedgerState, now: datetime) -> None:
    """The ledger's rules for this plan: holds, previews, promotion, rolled-back revisions, the
    lock."""
    t, env = plan.target, plan.env
    check_preview(plan, state)
    hold = state.hold(t.api, env, t.tag)
    if hold is not None and plan.action != "withdraw":
        raise HeldError(
            f"{t.tag} is held in {env} by {hold.actor} since {hold.time}: {hold.reason}",
            hint=f"once the objection is resolved: relorch unhold {shlex.quote(t.tag)} --env {env}",
        )
    check_promotion(plan, state)
    rolled_back = state.is_rolled_back(t.api, env, t.major, t.revision)
    if rolled_back and not plan.allow_rolled_back and plan.action != "withdraw":
        raise PreconditionError(
            f"{t.tag} was rolled back in {env}; it will not be put back silently",
            hint="release a newer revision, or pass --allow-rolled-back to deploy it on purpose",
        )
    lock = state.lock(t.api, env)
    if lock is None:
        return
    age = lock.age_seconds(now)
    stale = age > plan.lock_timeout_seconds
    holder = f"{lock.actor}'s {lock.action} of {lock.tag} since {lock.time}" + (
        f" ({lock.run_url})" if lock.run_url else ""
    )
    if stale and plan.break_lock:
        return
    if stale:
        raise ConflictError(
            f"{t.api} in {env} is locked by {holder}; the lock is stale (older than "
            f"{_span(plan.lock_timeout_seconds)})",
            hint="if that run is dead, run again with --break-lock (it is recorded)",
        )
    raise ConflictError(
        f"{t.api} in {env} is locked by {holder}",
        hint="wait for it to finish; --break-lock works only once the lock is older than "
        f"{_span(plan.lock_timeout_seconds)}",
    )


def check_live_unchanged(plan: Guarded, state: LedgerState) -> None:
    """What is live must still be what the plan was made against: a deploy or rollback that
    waited (announcement, notice window) while another one changed the environment would
    otherwise undo that one's deliberate choice (a rollback moving production forward)."""
    t = plan.target
    now_live = state.current(t.api, plan.env, t.major)
    if (now_live and now_live.id) == (plan.live and plan.live.id):
        return
    was = plan.live.tag if plan.live else "nothing"
    is_ = f"{now_live.tag} ({now_live.action})" if now_live else "nothing"
    raise ConflictError(
        f"{plan.env} changed while this {plan.action} of {t.tag} waited: {t.api} major "
        f"{t.major} is now at {is_}, not {was} as planned; nothing was deployed",
        hint=f"check `relorch status --env {plan.env}`, then run the command again to plan "
        "against what is live now",
    )


def lock_records(plan: Guarded, state: LedgerState, now: datetime) -> list[Record]:
    """The guard of the lock append: re-check the rules against the freshest state, then
    (break a stale lock and) record `started`."""
    check_rules(plan, state, now)
    t = plan.target
    check_live_unchanged(plan, state)
    records = []
    lock = state.lock(t.api, plan.env)
    if lock is not None:  # check_rules allowed it: stale and --break-lock
        records.append(
            new_record(
                api=t.api,
                env=plan.env,
                action=lock.action,
                status="abandoned",
                now=now,
                actor=plan.run.actor,
                run_url=plan.run.run_url,
                tag=lock.tag,
                lock=lock.id,
                reason=f"lock of {lock.actor} since {lock.time} broken with --break-lock",
            )
        )
    records.append(_plan_record(plan, "started", now, _extra(plan)))
    return records


def announced_record(plan: Guarded, now: datetime, until: datetime) -> Record:
    """The record of a notice window begun: the deploy's own fields and when the window ends.
    It takes no lock and changes nothing live; status and the status site show the wait."""
    extra = {**_extra(plan), "notice_until": format_time(until)}
    return _plan_record(plan, "announced", now, extra)


def _extra(plan: Guarded) -> dict[str, str]:
    extra = {"ref": plan.ref, "mode": plan.mode}
    if plan.notice_skipped:
        extra["notice_skipped"] = plan.notice_skipped
    if plan.previewed_since:
        extra["previewed_since"] = plan.previewed_since
    if plan.live is not None:
        extra["from"] = plan.live.tag
    if plan.flags is not None:
        extra["flags"] = plan.flags.rendered.digest
    return extra


def _plan_record(plan: Guarded, status: str, now: datetime, extra: dict[str, str]) -> Record:
    t = plan.target
    return new_record(
        api=t.api,
        env=plan.env,
        action=plan.action,
        status=status,
        now=now,
        actor=plan.run.actor,
        run_url=plan.run.run_url,
        major=t.major,
        revision=t.revision,
        tag=t.tag,
        sha=t.sha,
        extra=extra,
    )


def _span(seconds: float) -> str:
    from relorch.durations import format_seconds

    return format_seconds(seconds)
