"""The plan of `relorch flags publish`: the committed flags rendered for one environment, the
environment's `flags` step, and the lock it takes (the same as a deploy's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from relorch.ci import RunContext
from relorch.config import Config
from relorch.deploy.plan import run_context, substitute
from relorch.errors import ConfigError, ConflictError
from relorch.flags.load import committed_ref, read_at
from relorch.flags.render import RenderedFlags, render_flags
from relorch.git.gateway import Git
from relorch.ledger.records import Record, new_record
from relorch.ledger.state import LedgerState
from relorch.ledger.store import Ledger
from relorch.model.repository import sync_tags

PLACEHOLDERS = ("api", "env", "sha", "digest", "workdir", "rendered")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class PublishPlan:
    """Everything a publish will do, decided before anything is written."""

    api: str
    env: str
    commit: str
    rendered: RenderedFlags
    command: tuple[str, ...]
    timeout_seconds: float
    lock_timeout_seconds: float
    announce_channels: tuple[str, ...]
    announce_failure: str
    run: RunContext
    break_lock: bool = False

    @property
    def label(self) -> str:
        """How the publish shows in the ledger's tag column and in lock messages."""
        return "flags@" + self.rendered.digest[:19]

    def values(self, workdir: str, rendered: str) -> dict[str, str]:
        """Placeholder values (also exported as RELORCH_* variables)."""
        return {
            "api": self.api,
            "env": self.env,
            "sha": self.commit,
            "digest": self.rendered.digest,
            "workdir": workdir,
            "rendered": rendered,
        }

    def argv(self, workdir: str, rendered: str) -> tuple[str, ...]:
        """The flags step with every placeholder substituted, one argument each."""
        values = self.values(workdir, rendered)
        return tuple(substitute(arg, values) for arg in self.command)

    def to_json(self) -> dict[str, Any]:
        """The plan for --dry-run --json."""
        return {
            "api": self.api,
            "env": self.env,
            "sha": self.commit,
            "digest": self.rendered.digest,
            "flags": self.rendered.count,
            "off": [{"flag": k, "reason": r} for k, r in self.rendered.off],
            "command": list(self.argv("<worktree>", "<rendered>")),
            "announce": list(self.announce_channels),
            "actor": self.run.actor,
        }


def plan_publish(
    git: Git, config: Config, *, env: str, api_name: str | None, break_lock: bool, now: datetime
) -> PublishPlan:
    """Render the committed flags of one API for `env` and plan their publication."""
    environment = config.environment(env)
    if environment.flags is None:
        raise ConfigError(
            f"environments.{env}.flags is not set: nothing publishes flag files there",
            hint='e.g. flags = ["aws", "s3", "cp", "{rendered}/flags.json", '
            '"s3://my-bucket/flags/{env}.json"]',
        )
    for arg in environment.flags:
        for name in _PLACEHOLDER.findall(arg):
            if name not in PLACEHOLDERS:
                raise ConfigError(
                    f"environments.{env}.flags: unknown placeholder {{{name}}} in {arg!r}",
                    hint="placeholders: " + " ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                )
    if environment.announce:
        from relorch.channels.announcer import validate_channels

        validate_channels(config, environment.announce)
    api = config.api(api_name)
    sync_tags(git, config)
    ref = committed_ref(git, config)
    source = read_at(git, config, api, ref)
    if source is None or source.commit is None:
        raise ConfigError(
            f"{api.name} has no flag file on the main branch ({ref})",
            hint="commit and push flags/" + api.name + ".yaml first",
        )
    ledger = Ledger(git, config)
    state = ledger.read_state()
    current = {key: live.revision for key, live in state.live.items()}
    plan = PublishPlan(
        api=api.name,
        env=env,
        commit=source.commit,
        rendered=render_flags(source, env, current),
        command=environment.flags,
        timeout_seconds=float(environment.timeout.total_seconds),
        lock_timeout_seconds=float(environment.lock_timeout.total_seconds),
        announce_channels=environment.announce,
        announce_failure=environment.announce_failure,
        run=run_context(git),
        break_lock=break_lock,
    )
    lock_guard(plan, state, now)
    return plan


def lock_guard(plan: PublishPlan, state: LedgerState, now: datetime) -> list[Record]:
    """The records that take the lock (breaking a stale one with --break-lock), or a conflict."""
    records = []
    lock = state.lock(plan.api, plan.env)
    if lock is not None:
        stale = lock.age_seconds(now) > plan.lock_timeout_seconds
        holder = f"{lock.actor}'s {lock.action} of {lock.tag} since {lock.time}"
        if not (stale and plan.break_lock):
            raise ConflictError(
                f"{plan.api} in {plan.env} is locked by {holder}",
                hint="wait for it to finish"
                + ("; the lock is stale: --break-lock breaks it (recorded)" if stale else ""),
            )
        records.append(
            new_record(
                api=plan.api,
                env=plan.env,
                action=lock.action,
                status="abandoned",
                now=now,
                actor=plan.run.actor,
                tag=lock.tag,
                lock=lock.id,
                reason=f"lock of {lock.actor} since {lock.time} broken with --break-lock",
            )
        )
    records.append(publish_record(plan, "started", now))
    return records


def publish_record(
    plan: PublishPlan,
    status: str,
    now: datetime,
    *,
    reason: str | None = None,
    lock: str | None = None,
) -> Record:
    return new_record(
        api=plan.api,
        env=plan.env,
        action="flags",
        status=status,
        now=now,
        actor=plan.run.actor,
        run_url=plan.run.run_url,
        tag=plan.label,
        sha=plan.commit,
        reason=reason,
        lock=lock,
        extra={"digest": plan.rendered.digest, "flags": str(plan.rendered.count)},
    )
