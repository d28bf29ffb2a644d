"""CLI: `relorch flags publish --env E`."""

from __future__ import annotations

from typing import Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, DryRunOpt, EnvOpt, JsonOpt
from relorch.cli.project import load_project


def publish(
    *,
    env: EnvOpt,
    api: ApiOpt = None,
    break_lock: Annotated[
        bool,
        typer.Option("--break-lock", help="Break a lock older than lock_timeout (recorded)."),
    ] = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Publish the environment's flag file through its `flags` step, without a redeploy."""
    import shlex
    from datetime import UTC, datetime

    from relorch.cli.deploy import _announcer
    from relorch.deploy.flagplan import plan_publish
    from relorch.deploy.flagpublish import Publisher
    from relorch.output import Reporter, emit_json

    project = load_project(chdir, config)
    plan = plan_publish(
        project.git,
        project.config,
        env=env,
        api_name=api,
        break_lock=break_lock,
        now=datetime.now(UTC),
    )
    reporter = Reporter()
    verb = "would publish" if dry_run else "publish"
    reporter.step(
        f"{verb} {plan.rendered.count} flags of {plan.api} to {env} "
        f"({plan.rendered.digest[:19]}, commit {plan.commit[:12]})"
    )
    argv = plan.argv("<worktree>", "<rendered>")
    reporter.line("  command:   " + " ".join(shlex.quote(a) for a in argv))
    if plan.announce_channels:
        reporter.line(f"  announce:  {', '.join(plan.announce_channels)}")
    for key, reason in plan.rendered.off:
        reporter.warn(f"{key} is off in {env}: {reason}")
    if dry_run:
        if json_out:
            emit_json("flags-publish", {**plan.to_json(), "dry_run": True})
        return 0
    record = Publisher(
        project.git,
        project.config,
        plan,
        reporter=reporter,
        announcer=_announcer(project, reporter),
    ).run()
    if json_out:
        emit_json(
            "flags-publish",
            {**plan.to_json(), "dry_run": False, "status": record.status, "record": record.id},
        )
    return 0
