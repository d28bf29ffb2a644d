"""CLI: `relorch report -o DIR`: the static status site of this repository or of a fleet."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, JsonOpt
from relorch.cli.project import load_project, parse_now, relative_to

if TYPE_CHECKING:
    from relorch.output import Reporter
    from relorch.report.model import RepoReport


def register(app: typer.Typer) -> None:
    """Add report."""
    app.command("report")(report)


def report(
    *,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="DIR",
            help="Folder to write index.html, status.json, calendar.ics and summary.md into.",
        ),
    ],
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="TIME",
            help="Build the site as of this ISO 8601 time (same inputs, same bytes).",
        ),
    ] = None,
    repo: Annotated[
        list[str] | None,
        typer.Option(
            "--repo",
            metavar="URL",
            help="A repository of the fleet (repeatable); read through git, no clone.",
        ),
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option("--fleet", metavar="FILE", help="A file listing repository URLs, one a line."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            metavar="DIR",
            help="Where fleet repositories are cached (default: ~/.cache/relorch/fleet).",
        ),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option("--days", min=1, max=366, help="How far ahead 'coming up' looks."),
    ] = 30,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="This repository: use local refs; do not fetch.")
    ] = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Write a static status site: what is live where, lifecycles, sunsets, what comes next."""
    from relorch.output import Reporter
    from relorch.report.site import make_site, render_files, write_site

    reporter = Reporter()
    moment = _parse_now(now)
    urls = list(repo or [])
    if fleet is not None:
        from relorch.report.fleet import read_fleet_file

        urls += read_fleet_file(relative_to(fleet, chdir))
    if urls:
        from relorch.report.fleet import report_fleet

        repos = report_fleet(urls, _cache_dir(cache, chdir), moment, horizon)
    else:
        repos = [_this_repository(chdir, config, reporter, moment, horizon, fetch=not no_fetch)]
    site = make_site(repos, moment, horizon)
    files = render_files(site)
    out = relative_to(output, chdir)
    write_site(files, out)
    for item in repos:
        if not item.reachable:
            reporter.warn(f"{item.name} is unreachable: {item.error}")
    if json_out:
        from relorch.output import emit_json
        from relorch.report.jsonout import status_data

        emit_json("report", status_data(site))
    size = len(files["index.html"]) / 1024
    reporter.ok(f"wrote {out}/index.html ({size:.0f} KB), status.json, calendar.ics, summary.md")
    if repos and not any(item.reachable for item in repos):
        from relorch.errors import OperationalError

        raise OperationalError(
            "no repository of the fleet could be read (the site shows each as unreachable)",
            hint="check the URLs and that this machine can reach them with git ls-remote",
        )
    return 0


def _this_repository(
    chdir: Path | None,
    config: Path | None,
    reporter: Reporter,
    moment: datetime,
    horizon: int,
    *,
    fetch: bool,
) -> RepoReport:
    from relorch.errors import RelorchError
    from relorch.ledger.store import Ledger
    from relorch.model.repository import sync_tags
    from relorch.report.build import build_repo
    from relorch.report.sources import read_local

    project = load_project(chdir, config)
    if fetch:
        try:
            sync_tags(project.git, project.config)
            Ledger(project.git, project.config).sync()
        except RelorchError as exc:
            reporter.warn(f"showing local refs only: {exc.message}")
    return build_repo(read_local(project.git, project.config), moment, horizon)


def _cache_dir(cache: Path | None, chdir: Path | None) -> Path:
    if cache is not None:
        return relative_to(cache, chdir)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "relorch" / "fleet"


def _parse_now(text: str | None) -> datetime:
    """--now in UTC; the clock to the second (the site shows when it was made)."""
    when = parse_now(text).astimezone(UTC)
    return when.replace(microsecond=0) if text is None else when
