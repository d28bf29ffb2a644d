"""CLI: `relorch status`, `relorch init`, `relorch demo`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, DryRunOpt, JsonOpt, OptionalEnvOpt
from relorch.cli.project import Project, load_project

if TYPE_CHECKING:
    from relorch.ledger.state import LedgerState
    from relorch.output import Reporter


def register(app: typer.Typer) -> None:
    """Add status, init and demo."""
    app.command("status")(status)
    app.command("init")(init)
    app.command("demo")(demo)


def status(
    *,
    env: OptionalEnvOpt = None,
    semver: Annotated[
        bool, typer.Option("--semver", help="Show revisions as MAJOR.REVISION.0.")
    ] = False,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Use local refs; do not fetch.")
    ] = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Per API and major: release line, latest revision, support state, what is live."""
    from datetime import UTC, datetime

    from relorch.errors import RelorchError
    from relorch.model.repository import histories, sync_tags
    from relorch.output import Reporter, emit_json
    from relorch.report.status import major_rows

    project = load_project(chdir, config)
    reporter = Reporter()
    envs = [project.config.environment(env).name] if env else sorted(project.config.environments)
    if not no_fetch:
        try:
            for note in sync_tags(project.git, project.config):
                reporter.line("note: " + note)
        except RelorchError as exc:
            reporter.warn(f"showing local refs only: {exc.message}")
    state = _ledger(project, reporter, fetch=not no_fetch)
    current = {} if state is None else {k: v.revision for k, v in state.live.items()}
    rows = major_rows(
        project.config,
        histories(project.git, project.config),
        current=current,
        envs=envs,
        state=state,
    )
    locks = [] if state is None else [v for v in state.locks.values() if not env or v.env == env]
    holds = [] if state is None else [v for v in state.holds.values() if not env or v.env == env]
    now = datetime.now(UTC)
    waiting = [] if state is None else [a for a in state.waiting(now) if not env or a.env == env]
    if json_out:
        emit_json(
            "status",
            {
                "majors": [row.as_dict() for row in rows],
                "locks": [lock.__dict__ for lock in locks],
                "holds": [hold.__dict__ for hold in holds],
                "announced": [notice.__dict__ for notice in waiting],
            },
        )
    if not rows:
        reporter.line("no revision released yet; start with `relorch release --major`")
        return 0
    headers = ["api", "major", "line", "latest", "released", "support", "sunset", *envs, "preview"]
    table = []
    for row in rows:
        latest = row.semver if semver else row.latest_tag
        live = [_live(row.major, row.live.get(e), semver) for e in envs]
        previews = [
            _live(row.major, rev, semver) + ("" if env else f"@{e}")
            for e in envs
            for rev in row.previews.get(e, [])
        ]
        table.append(
            [
                row.api,
                f"v{row.major}",
                row.line,
                latest,
                row.released_at.date().isoformat() if row.released_at else "",
                row.support,
                row.sunset_at.date().isoformat() if row.sunset_at else "-",
                *live,
                " ".join(previews) or "-",
            ]
        )
    reporter.table(headers, table)
    for lock in locks:
        reporter.warn(
            f"{lock.api} in {lock.env} is locked by {lock.actor}'s {lock.action} of "
            f"{lock.tag} since {lock.time}"
        )
    for hold in holds:
        reporter.warn(f"{hold.tag} is held in {hold.env} by {hold.actor}: {hold.reason}")
    for notice in waiting:
        reporter.line(
            f"note: {notice.action} of {notice.api} {notice.tag} to {notice.env} announced by "
            f"{notice.actor}: notice window until {notice.until} (to object: relorch hold "
            f"{notice.tag} --env {notice.env} --reason TEXT)"
        )
    return 0


def _live(major: int, revision: int | None, semver: bool) -> str:
    if revision is None:
        return "-"
    return f"{major}.{revision}.0" if semver else f"rev{revision}"


def _ledger(project: Project, reporter: Reporter, *, fetch: bool) -> LedgerState | None:
    """The ledger's state; a remote that cannot be reached falls back to the local mirror."""
    from relorch.errors import RelorchError
    from relorch.ledger.store import read_state

    try:
        return read_state(project.git, project.config, fetch=fetch)
    except RelorchError as exc:
        if not fetch:
            raise
        reporter.warn(f"ledger from the local mirror only: {exc.message}")
        return read_state(project.git, project.config, fetch=False)


def init(
    *,
    api: Annotated[
        str | None, typer.Option("--api", help="Name of the API (default: guessed).")
    ] = None,
    pyproject: Annotated[
        bool, typer.Option("--pyproject", help="Write [tool.relorch] into pyproject.toml.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
) -> int:
    """Write a commented relorch.toml (or [tool.relorch]) from what the repository shows."""
    from pathlib import Path

    from relorch.config.init import write_starter
    from relorch.git.gateway import Git
    from relorch.output import Reporter, emit_json

    git = Git.discover((chdir or Path.cwd()).resolve())
    path, text, legacy = write_starter(
        git, api=api, pyproject=pyproject, force=force, dry_run=dry_run
    )
    reporter = Reporter()
    if json_out:
        emit_json(
            "init",
            {
                "path": str(path),
                "written": not dry_run,
                "config": text,
                "legacy_tags": list(legacy.templates) if legacy else [],
                "next_tag": legacy.next_tag if legacy else None,
            },
        )
    elif dry_run:
        print(text, end="")
    for line in legacy.explain() if legacy else []:
        reporter.line(line)
    if dry_run:
        reporter.line(f"would write {path}")
    else:
        reporter.ok(f"wrote {path}; check it, commit it, then run `relorch status`")
    return 0


def demo(
    keep: Annotated[bool, typer.Option("--keep", help="Keep the throw-away repositories.")] = False,
) -> int:
    """The whole lifecycle on a throw-away origin and clone, printing each step."""
    from relorch.cli import main
    from relorch.demo import run_demo

    return run_demo(main, keep=keep)
