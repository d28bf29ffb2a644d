"""CLI: `relorch notify`."""

from __future__ import annotations

from typing import Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, DryRunOpt, JsonOpt, WorktreeConfigOpt
from relorch.cli.project import load_governed, parse_now


def register(app: typer.Typer) -> None:
    """Add notify."""
    app.command("notify")(notify)


def notify(
    *,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            "-c",
            help="Channel (repeatable; default: every channel an "
            "environment announces on, else console).",
        ),
    ] = None,
    now: Annotated[str | None, typer.Option("--now", help="Judge dates at this ISO time.")] = None,
    config_from_worktree: WorktreeConfigOpt = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Send the due lifecycle notices (deprecation, reminder before sunset), once each."""

    from relorch.channels.announcer import announce, validate_channels
    from relorch.deploy.plan import run_context
    from relorch.ledger.store import Ledger
    from relorch.model.repository import histories, sync_tags
    from relorch.output import Reporter, emit_json
    from relorch.policy.notify import due_notices, send_notices

    project = load_governed(chdir, config, from_worktree=config_from_worktree)
    reporter = Reporter()
    moment = parse_now(now)
    names = (
        channel
        or sorted({c for env in project.config.environments.values() for c in env.announce})
        or ["console"]
    )
    validate_channels(project.config, names)
    sync_tags(project.git, project.config)
    ledger = Ledger(project.git, project.config)
    due = due_notices(
        project.config, histories(project.git, project.config), ledger.read_state(), moment
    )
    if dry_run:
        for notice in due:
            reporter.line(f"would send {notice.key} to {', '.join(names)}: {notice.message}")
        sent = due
    else:
        run = run_context(project.git)
        sent = send_notices(
            ledger,
            due,
            lambda event: announce(project.config, names, event, reporter),
            actor=run.actor,
            run_url=run.run_url,
            now=moment,
        )
    if not due:
        reporter.line("no lifecycle notice is due")
    if json_out:
        emit_json(
            "notify", {"dry_run": dry_run, "channels": names, "sent": [n.as_dict() for n in sent]}
        )
    return 0
