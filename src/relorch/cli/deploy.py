"""CLI commands of the deploy group: deploy and rollback (the ledger's own commands,
history, hold and unhold, are in cli/ledger.py)."""

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
    RefArg,
    WorktreeConfigOpt,
)
from relorch.cli.project import Project, load_governed

if TYPE_CHECKING:
    from relorch.channels.events import Announcement
    from relorch.deploy.executor import Announcer
    from relorch.deploy.plan import DeployPlan
    from relorch.output import Reporter

BreakLockOpt = Annotated[
    bool,
    typer.Option(
        "--break-lock", help="Break a lock older than the environment's lock_timeout (recorded)."
    ),
]
NoWaitOpt = Annotated[
    bool, typer.Option("--no-wait", help="Skip the notice window (needs --force; recorded).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Allow --no-wait on a notice window.")]
PreviewOpt = Annotated[
    bool,
    typer.Option(
        "--preview",
        help="Put the revision beside the current one, reachable only as ;rev=N "
        "(the current revision does not change).",
    ),
]
AllowRolledBackOpt = Annotated[
    bool,
    typer.Option(
        "--allow-rolled-back", help="Deploy a revision that was rolled back in this environment."
    ),
]


def deploy(
    *,
    ref: RefArg,
    env: EnvOpt,
    api: ApiOpt = None,
    break_lock: BreakLockOpt = False,
    allow_rolled_back: AllowRolledBackOpt = False,
    no_wait: NoWaitOpt = False,
    force: ForceOpt = False,
    config_from_worktree: WorktreeConfigOpt = False,
    preview: PreviewOpt = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Deploy a revision tag to an environment: announce, wait, lock, run the step, record.

    With --preview the revision goes beside the current one instead; a later plain deploy of
    it makes it current.
    """
    from relorch.deploy.plan import plan_deploy

    project = load_governed(chdir, config, from_worktree=config_from_worktree)
    plan = plan_deploy(
        project.git,
        project.config,
        ref_text=ref,
        env=env,
        api_name=api,
        break_lock=break_lock,
        allow_rolled_back=allow_rolled_back,
        no_wait=no_wait,
        force=force,
        preview=preview,
    )
    return _apply(project, plan, dry_run=dry_run, json_out=json_out)


def rollback(
    *,
    env: EnvOpt,
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="REF", help="The major to roll back (v2); with --preview, v2 or v2@rev5."
        ),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="The revision to go back to.")] = None,
    preview: Annotated[
        bool,
        typer.Option("--preview", help="Withdraw a preview instead (the current revision stays)."),
    ] = False,
    api: ApiOpt = None,
    break_lock: BreakLockOpt = False,
    allow_rolled_back: AllowRolledBackOpt = False,
    config_from_worktree: WorktreeConfigOpt = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Put the previous good revision of a major (or --to REF) back live, through deploy's path.

    With --preview, withdraw the major's preview (the highest, or the one REF names).
    """
    from relorch.deploy.rollback import plan_rollback, plan_withdraw
    from relorch.errors import UsageError

    project = load_governed(chdir, config, from_worktree=config_from_worktree)
    if preview:
        if to is not None or allow_rolled_back:
            raise UsageError(
                "--preview withdraws a preview: --to and --allow-rolled-back do not apply",
                hint=f"relorch rollback --env {env} v2@rev5 --preview",
            )
        plan = plan_withdraw(
            project.git, project.config, env=env, ref_text=ref, api_name=api, break_lock=break_lock
        )
        return _apply(project, plan, dry_run=dry_run, json_out=json_out)
    plan = plan_rollback(
        project.git,
        project.config,
        env=env,
        ref_text=ref,
        to_text=to,
        api_name=api,
        break_lock=break_lock,
        allow_rolled_back=allow_rolled_back,
    )
    return _apply(project, plan, dry_run=dry_run, json_out=json_out)


def _apply(project: Project, plan: DeployPlan, *, dry_run: bool, json_out: bool) -> int:
    from relorch.ci import write_outputs
    from relorch.deploy.executor import Executor
    from relorch.output import Reporter, emit_json

    reporter = Reporter()
    _print_plan(reporter, plan, dry_run=dry_run)
    if dry_run:
        if json_out:
            emit_json("deploy-plan", {**plan.to_json(), "dry_run": True})
        return 0
    if plan.announce_channels:
        # Channels (and their secrets) are checked before anything is written; the plan alone
        # needs none, so a dry run works without the webhook variables.
        from relorch.channels.announcer import validate_channels

        validate_channels(project.config, plan.announce_channels)
    result = Executor(
        project.git,
        project.config,
        plan,
        reporter=reporter,
        announcer=_announcer(project, reporter),
    ).run()
    t = plan.target
    if plan.action == "preview" and plan.preview_url:
        reporter.line(f"try it at {plan.preview_url} (the current revision is unchanged)")
    write_outputs(
        {
            "tag": t.tag,
            "major": t.major,
            "revision": t.revision,
            "sha": t.sha,
            "deployed": True,
            "env": plan.env,
            "action": plan.action,
        },
        summary=_summary(plan),
    )
    if json_out:
        emit_json("deploy", {**result.to_json(), "dry_run": False})
    return 0


def _summary(plan: DeployPlan) -> str:
    """The CI step summary (Markdown) of a deploy or rollback that succeeded."""
    t = plan.target
    verb = "rolled back to" if plan.action == "rollback" else "deployed"
    before = f"`{plan.live.tag}`" if plan.live else "nothing"
    return f"- {t.api}: {verb} `{t.tag}` (`{t.sha[:12]}`) in **{plan.env}**; live before: {before}"


def _announcer(project: Project, reporter: Reporter) -> Announcer:
    """The announce step's hook: deliver through relorch.channels."""
    from relorch.channels.announcer import announce

    def send(names: tuple[str, ...], event: Announcement) -> None:
        announce(project.config, names, event, reporter)

    return send


def _print_plan(reporter: Reporter, plan: DeployPlan, *, dry_run: bool) -> None:
    import shlex

    t = plan.target
    verb = ("would " if dry_run else "") + VERBS[plan.action]
    reporter.step(f"{verb} {t.api} {t.tag} ({t.sha[:12]}) {PLACES[plan.action]} {plan.env}")
    reporter.line(f"  live now:  {plan.live.tag if plan.live else 'nothing'}")
    if plan.previewed_since:
        reporter.line(f"  preview:   previewed since {plan.previewed_since}; it becomes current")
    if plan.preview_url:
        reporter.line(f"  reach it:  {plan.preview_url}")
    if plan.command is None:
        reporter.line("  command:   none (record-only)")
    else:
        argv = plan.argv("<worktree>", "<rendered>")
        reporter.line("  command:   " + " ".join(shlex.quote(a) for a in argv))
    if plan.announce_channels:
        reporter.line(f"  announce:  {', '.join(plan.announce_channels)}")
    if plan.notice_skipped:
        reporter.line(f"  notice:    skipped, {plan.notice_skipped}")
    reporter.line("  steps:     " + " -> ".join(plan.steps))


VERBS = {
    "deploy": "deploy",
    "rollback": "roll back to",
    "preview": "preview",
    "withdraw": "withdraw",
}
PLACES = {"deploy": "to", "rollback": "in", "preview": "in", "withdraw": "from"}


def register(app: typer.Typer) -> None:
    """Add this group's commands to `app`."""
    for command in (deploy, rollback):
        app.command(name=command.__name__)(command)
