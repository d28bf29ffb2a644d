"""CLI: `relorch status`, `relorch init`, `relorch demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from relorch.cli.common import (
    ChdirOpt,
    ConfigOpt,
    DryRunOpt,
    JsonOpt,
    OptionalEnvOpt,
    Project,
    load_project,
)


def register(app: typer.Typer) -> None:
    """Add status, init and demo."""
    app.command("status")(status)
    app.command("init")(init)
    app.command("demo")(demo)


def status(
    env: OptionalEnvOpt = None,
    semver: Annotated[bool, typer.Option("--semver", help="Show revisions as MAJOR.REVISION.0.")] = False,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Use local refs; do not fetch.")] = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Per API and major: release line, latest revision, support state, what is live."""
    from relorch.errors import RelorchError
    from relorch.output import Reporter, emit_json
    from relorch.repository import histories, sync_tags
    from relorch.status import major_rows

    project = load_project(chdir, config)
    reporter = Reporter()
    envs = [project.config.environment(env).name] if env else sorted(project.config.environments)
    if not no_fetch:
        try:
            sync_tags(project.git, project.config)
        except RelorchError as exc:
            reporter.warn(f"showing local refs only: {exc.message}")
    current = _current(project, envs, no_fetch)
    rows = major_rows(project.config, histories(project.git, project.config), current=current,
                      envs=envs)
    if json_out:
        emit_json({"majors": [row.as_dict() for row in rows]})
    if not rows:
        reporter.line("no revision released yet; start with `relorch release --major`")
        return 0
    headers = ["api", "major", "line", "latest", "released", "support", "sunset", *envs]
    table = []
    for row in rows:
        latest = row.semver if semver else row.latest_tag
        live = [_live(row.major, row.live.get(e), semver) for e in envs]
        table.append([row.api, f"v{row.major}", row.line, latest,
                      row.released_at.date().isoformat() if row.released_at else "",
                      row.support, row.sunset_at.date().isoformat() if row.sunset_at else "-",
                      *live])
    reporter.table(headers, table)
    return 0


def _live(major: int, revision: int | None, semver: bool) -> str:
    if revision is None:
        return "-"
    return f"{major}.{revision}.0" if semver else f"rev{revision}"


def _current(project: Project, envs: list[str], no_fetch: bool) -> dict[tuple[str, str, int], int]:
    try:
        from relorch.ledger_state import current_revisions
    except ImportError:
        return {}
    return current_revisions(project.git, project.config)


def init(
    api: Annotated[str | None, typer.Option("--api", help="Name of the API (default: guessed).")] = None,
    pyproject: Annotated[bool, typer.Option("--pyproject", help="Write [tool.relorch] into pyproject.toml.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
    dry_run: DryRunOpt = False,
    chdir: ChdirOpt = None,
) -> int:
    """Write a commented relorch.toml (or [tool.relorch]) from what the repository shows."""
    from pathlib import Path

    from relorch.gitio import Git
    from relorch.initcmd import write_starter
    from relorch.output import Reporter

    git = Git.discover((chdir or Path.cwd()).resolve())
    path, text = write_starter(git, api=api, pyproject=pyproject, force=force, dry_run=dry_run)
    reporter = Reporter()
    if dry_run:
        reporter.line(f"would write {path}:")
        print(text, end="")
    else:
        reporter.ok(f"wrote {path}; check it, commit it, then run `relorch status`")
    return 0


def demo(
    keep: Annotated[bool, typer.Option("--keep", help="Keep the throw-away repositories.")] = False,
) -> int:
    """The whole lifecycle on a throw-away origin and clone, printing each step."""
    from relorch.demo import run_demo

    return run_demo(keep=keep)
