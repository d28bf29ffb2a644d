"""CLI: `relorch flags check|render|due|publish`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, EnvOpt, JsonOpt, OptionalEnvOpt
from relorch.cli.project import Project, load_project, parse_now

if TYPE_CHECKING:
    from relorch.flags.model import FlagFile
    from relorch.output import Reporter

RefOpt = Annotated[
    str | None,
    typer.Option("--ref", metavar="REV", help="Read the flag files at this commit, not the tree."),
]
NowOpt = Annotated[
    str | None, typer.Option("--now", metavar="TIME", help="Judge dates at this ISO 8601 time.")
]
NoFetchOpt = Annotated[bool, typer.Option("--no-fetch", help="Use local tags and ledger.")]

flags_app = typer.Typer(
    help="Feature flags with release dates, rendered as OpenFeature flagd files.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the flags group."""
    flags_app.command("check")(check)
    flags_app.command("render")(render)
    flags_app.command("due")(due)
    flags_app.command("schema")(schema)
    from relorch.cli.flagpublish import publish

    flags_app.command("publish")(publish)
    app.add_typer(flags_app, name="flags")


def check(
    *,
    api: ApiOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    ref: RefOpt = None,
    now: NowOpt = None,
    no_fetch: NoFetchOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Validate the flag files: format, environments, owners, expiry, ramps, requires."""
    from relorch.errors import PreconditionError
    from relorch.flags.check import check_file
    from relorch.flags.project import load_all
    from relorch.model.repository import histories
    from relorch.output import Reporter, emit_json

    moment = parse_now(now)
    project = load_project(chdir, config)
    reporter = Reporter()
    files = load_all(project.git, project.config, api, ref)
    _sync(project, reporter, no_fetch)
    known = histories(project.git, project.config)
    findings = [
        finding
        for source in files
        for finding in check_file(source, project.config, known, moment, strict=strict)
    ]
    errors = [f for f in findings if f.level == "error"]
    if json_out:
        emit_json(
            "flags-check",
            {
                "ok": not errors,
                "files": [
                    {"api": f.api, "path": f.path, "flags": len(f.keys), "format": _format(f)}
                    for f in files
                ],
                "findings": [f.to_json() for f in findings],
            },
        )
    for finding in findings:
        text = f"{finding.api}: {finding.flag}: {finding.message}"
        if finding.level == "error":
            reporter.line("error: " + text, "red")
        else:
            reporter.warn(text)
    if not files:
        reporter.line("no flag files (flags/<api>.yaml)")
    for source in files:
        reporter.line(f"{source.path}: {len(source.keys)} flags ({_format(source)})")
    if errors:
        raise PreconditionError(
            f"{len(errors)} flag problem(s) found",
            hint="fix them above" + ("" if strict else "; warnings do not fail without --strict"),
        )
    reporter.ok("flags ok")
    return 0


def render(
    *,
    env: EnvOpt,
    api: ApiOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write to FILE, not stdout."),
    ] = None,
    ref: RefOpt = None,
    no_fetch: NoFetchOpt = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With -o: render and check, write nothing.")
    ] = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """One environment's standard flagd flag file (dates as $flagd.timestamp rules)."""
    from relorch.flags.project import load_one, render_env
    from relorch.ledger.store import current_revisions
    from relorch.output import Reporter, emit_json
    from relorch.render.files import write_atomically

    project = load_project(chdir, config)
    project.config.environment(env)
    reporter = Reporter()
    source = load_one(project.git, project.config, api, ref)
    current = current_revisions(project.git, project.config, fetch=not no_fetch)
    rendered = render_env(source, env, current)
    for key, reason in rendered.off:
        reporter.warn(f"{key} is off in {env}: {reason}")
    if output is None:
        sys.stdout.write(rendered.text)
        sys.stdout.flush()
        return 0
    target = output if output.is_absolute() or chdir is None else chdir / output
    if not dry_run:
        write_atomically(target, rendered.text)
    if json_out:
        emit_json(
            "flags-render",
            {
                "api": rendered.api,
                "env": env,
                "output": str(target),
                "digest": rendered.digest,
                "flags": rendered.count,
                "off": [{"flag": k, "reason": r} for k, r in rendered.off],
                "dry_run": dry_run,
            },
        )
    verb = "would write" if dry_run else "wrote"
    reporter.ok(f"{verb} {rendered.count} flags for {env} to {target} ({rendered.digest[:19]})")
    return 0


def due(
    *,
    within: Annotated[
        str, typer.Option("--within", metavar="DURATION", help="Window ahead (7d, 2 weeks).")
    ] = "7d",
    env: OptionalEnvOpt = None,
    api: ApiOpt = None,
    ref: RefOpt = None,
    now: NowOpt = None,
    no_fetch: NoFetchOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """The flags that switch on soon, across environments (for a scheduled announcement)."""
    from relorch.durations import parse_duration
    from relorch.errors import UsageError
    from relorch.flags.due import due as find_due
    from relorch.flags.project import load_all
    from relorch.ledger.store import current_revisions
    from relorch.output import Reporter, emit_json

    try:
        window = parse_duration(within)
    except ValueError as exc:
        raise UsageError(f"--within must be {exc}") from None
    moment = parse_now(now)
    project = load_project(chdir, config)
    if env is not None:
        project.config.environment(env)
    files = load_all(project.git, project.config, api, ref)
    current = current_revisions(project.git, project.config, fetch=not no_fetch)
    until = window.after(moment)
    entries = find_due(
        files,
        now=moment,
        within=until - moment,
        envs=None if env is None else [env],
        current=current,
    )
    if json_out:
        emit_json(
            "flags-due",
            {
                "now": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "until": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "due": [e.to_json() for e in entries],
            },
        )
        return 0
    reporter = Reporter()
    if not entries:
        reporter.line(f"no flag switches on within {window}")
        return 0
    reporter.table(
        ["at", "env", "api", "flag", "event", "owner", "note"],
        [
            [e.to_json()["at"], e.env, e.api, e.flag, e.event, e.owner, e.blocked or ""]
            for e in entries
        ],
    )
    return 0


def schema() -> int:
    """Print the JSON Schema of the flag source format (for editors and other checkers)."""
    from relorch.flags.source import source_schema

    sys.stdout.write(source_schema())
    return 0


def _sync(project: Project, reporter: Reporter, no_fetch: bool) -> None:
    from relorch.errors import RelorchError
    from relorch.model.repository import sync_tags

    if no_fetch:
        return
    try:
        sync_tags(project.git, project.config)
    except RelorchError as exc:
        reporter.warn(f"checking against local tags only: {exc.message}")


def _format(source: FlagFile) -> str:
    return "flagd" if source.flagd is not None else "relorch"
