"""CLI: `relorch release` and `relorch plan`."""

from __future__ import annotations

from typing import Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, DryRunOpt, JsonOpt


def register(app: typer.Typer) -> None:
    """Add release, plan, status, init and demo."""
    app.command("release")(release)
    app.command("plan")(plan)
    from relorch.cli import status

    status.register(app)


def release(
    *,
    revision: Annotated[
        bool, typer.Option("--revision", help="Tag the next revision of this line.")
    ] = False,
    major: Annotated[
        bool, typer.Option("--major", help="Start a new major on the main branch.")
    ] = False,
    api: ApiOpt = None,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Tag the next revision (or start a new major) and push it atomically."""
    from relorch.cli import releasing

    return releasing.release(
        revision=revision,
        major=major,
        api=api,
        dry_run=dry_run,
        json_out=json_out,
        chdir=chdir,
        config=config,
    )


def plan(
    *,
    api: ApiOpt = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Plan for this line (PR builds).")
    ] = None,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """What `release --revision` would do next; needs no push rights (works on PR builds)."""
    from relorch.cli import releasing

    return releasing.plan(api=api, branch=branch, json_out=json_out, chdir=chdir, config=config)
