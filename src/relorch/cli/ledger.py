"""CLI commands of the deploy ledger: history, hold, unhold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import (
    ApiOpt,
    ChdirOpt,
    ConfigOpt,
    DryRunOpt,
    EnvOpt,
    JsonOpt,
    OptionalEnvOpt,
    RefArg,
    WorktreeConfigOpt,
)
from relorch.cli.project import load_governed, load_project

if TYPE_CHECKING:
    from relorch.ledger.records import Record


def history(
    *,
    env: OptionalEnvOpt = None,
    api: ApiOpt = None,
    limit: Annotated[
        int, typer.Option("-n", "--limit", min=0, help="Show at most N records (0: all).")
    ] = 50,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """The deploy ledger, newest first."""
    from relorch.ledger.store import history as read_history
    from relorch.output import Reporter, emit_json

    project = load_project(chdir, config)
    if env is not None:
        project.config.environment(env)
    records = read_history(project.git, project.config, env=env, api=api, limit=limit)
    if json_out:
        emit_json("history", {"records": [r.to_json() for r in records]})
        return 0
    reporter = Reporter()
    if not records:
        reporter.line("the ledger has no records" + (f" for {env}" if env else ""))
        return 0
    reporter.table(
        ["time", "env", "api", "tag", "action", "status", "actor", "reason"],
        # action shows previews ("preview") and their withdrawals ("withdraw") as they are.
        [
            [
                r.time,
                r.env,
                r.api,
                r.tag or "",
                r.action,
                r.status,
                r.actor,
                (r.reason or _until(r)).replace("\n", " ")[:60],
            ]
            for r in records
        ],
    )
    return 0


def _until(r: Record) -> str:
    """What an `announced` record says beside its status: when its notice window ends."""
    until = r.extra.get("notice_until") if r.status == "announced" else None
    return f"notice window until {until}" if until else ""


def hold(
    *,
    ref: RefArg,
    env: EnvOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the deploy must wait.")],
    api: ApiOpt = None,
    config_from_worktree: WorktreeConfigOpt = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Object to deploying REF to an environment (deploy then stops with exit 6)."""
    return _hold(
        "hold",
        ref=ref,
        env=env,
        reason=reason,
        api=api,
        config_from_worktree=config_from_worktree,
        dry_run=dry_run,
        json_out=json_out,
        chdir=chdir,
        config=config,
    )


def unhold(
    *,
    ref: RefArg,
    env: EnvOpt,
    api: ApiOpt = None,
    config_from_worktree: WorktreeConfigOpt = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Lift the hold on REF in an environment."""
    return _hold(
        "unhold",
        ref=ref,
        env=env,
        reason=None,
        api=api,
        config_from_worktree=config_from_worktree,
        dry_run=dry_run,
        json_out=json_out,
        chdir=chdir,
        config=config,
    )


def _hold(
    action: str,
    *,
    ref: str,
    env: str,
    reason: str | None,
    api: str | None,
    config_from_worktree: bool,
    dry_run: bool,
    json_out: bool,
    chdir: ChdirOpt,
    config: ConfigOpt,
) -> int:
    from relorch.deploy.holds import apply_hold, plan_hold
    from relorch.output import Reporter, emit_json

    project = load_governed(chdir, config, from_worktree=config_from_worktree)
    plan = plan_hold(
        project.git,
        project.config,
        action=action,
        ref_text=ref,
        env=env,
        api_name=api,
        reason=reason,
    )
    reporter = Reporter()
    tag = plan.target.tag
    if dry_run:
        reporter.line(f"would {action} {tag} in {env}" + (f": {reason}" if reason else ""))
        if json_out:
            emit_json("hold", {**plan.to_json(), "dry_run": True})
        return 0
    outcome = apply_hold(project.git, project.config, plan)
    if outcome.record is None and outcome.hold is not None:
        reporter.line(
            f"{tag} is already held in {env} by {outcome.hold.actor}: {outcome.hold.reason}"
        )
    elif outcome.record is None:
        reporter.line(f"{tag} is not held in {env}: nothing to lift")
    elif action == "hold":
        reporter.ok(f"held {tag} in {env}: deploys of it stop with exit 6 until unhold")
    else:
        reporter.ok(f"lifted the hold on {tag} in {env}")
    if json_out:
        emit_json("hold", {**outcome.to_json(), "dry_run": False})
    return 0


def register(app: typer.Typer) -> None:
    """Add this group's commands to `app`."""
    for command in (history, hold, unhold):
        app.command(name=command.__name__)(command)
