"""Holds: objections to deploying a tag to an environment, placed and lifted in the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from relorch.ci import RunContext
from relorch.config import Config
from relorch.deploy.plan import run_context
from relorch.deploy.targets import Target, parse_for, resolve
from relorch.errors import UsageError
from relorch.git.gateway import Git
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import Hold, LedgerState
from relorch.ledger.store import Ledger


@dataclass(frozen=True)
class HoldPlan:
    """Placing ("hold") or lifting ("unhold") the objection to one tag in one environment."""

    action: str
    env: str
    target: Target
    reason: str | None
    run: RunContext

    def to_json(self) -> dict[str, Any]:
        """The plan for --dry-run --json."""
        t = self.target
        return {
            "action": self.action,
            "env": self.env,
            "api": t.api,
            "tag": t.tag,
            "major": t.major,
            "revision": t.revision,
            "reason": self.reason,
            "actor": self.run.actor,
        }


@dataclass(frozen=True)
class HoldOutcome:
    """What happened: the record written (None when nothing changed) and the hold now open."""

    plan: HoldPlan
    record: Record | None
    hold: Hold | None

    def to_json(self) -> dict[str, Any]:
        """The outcome for --json."""
        return {
            **self.plan.to_json(),
            "recorded": self.record is not None,
            "held": self.hold is not None,
            "held_by": self.hold.actor if self.hold else None,
            "hold_reason": self.hold.reason if self.hold else None,
        }


def plan_hold(
    git: Git,
    config: Config,
    *,
    action: str,
    ref_text: str,
    env: str,
    api_name: str | None = None,
    reason: str | None = None,
) -> HoldPlan:
    """Resolve REF (against the remote's tags) for a hold or unhold in `env`."""
    config.environment(env)
    if action == "hold" and not (reason or "").strip():
        raise UsageError("a hold needs a reason", hint='--reason "what must happen first"')
    ref, api = parse_for(config, ref_text, api_name)
    state = Ledger(git, config).read_state()
    target = resolve(git, config, ref, api, env=env, state=state, verify=False)
    return HoldPlan(action, env, target, reason.strip() if reason else None, run_context(git))


def apply_hold(git: Git, config: Config, plan: HoldPlan) -> HoldOutcome:
    """Record the hold or unhold; placing an existing hold or lifting none writes nothing."""
    t = plan.target

    def guard(state: LedgerState) -> list[Record]:
        existing = state.hold(t.api, plan.env, t.tag)
        if (existing is not None) == (plan.action == "hold"):
            return []
        return [
            new_record(
                api=t.api,
                env=plan.env,
                action=plan.action,
                status="held" if plan.action == "hold" else "lifted",
                now=datetime.now(UTC),
                actor=plan.run.actor,
                run_url=plan.run.run_url,
                major=t.major,
                revision=t.revision,
                tag=t.tag,
                sha=t.sha,
                reason=plan.reason,
                lock=existing.id if existing is not None else None,
            )
        ]

    appended = Ledger(git, config).append(guard, subject=f"{plan.action} {t.tag} in {plan.env}")
    record = appended.records[0] if appended.records else None
    return HoldOutcome(plan, record, appended.state.hold(t.api, plan.env, t.tag))
