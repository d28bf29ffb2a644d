"""The bodies of `relorch status` and `relorch render`, without typer: `cli.status` and
`cli.render` declare their options for typer, `cli.quick` calls these directly for the plain
invocations (the read commands a pipeline or a dashboard job runs on every change)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from relorch.cli.project import Project, load_project, parse_now, relative_to

if TYPE_CHECKING:
    from relorch.ledger.state import LedgerState
    from relorch.output import Reporter


def status(
    *,
    env: str | None,
    semver: bool,
    no_fetch: bool,
    json_out: bool,
    chdir: Path | None,
    config: Path | None,
) -> int:
    """Per API and major: release line, latest revision, support state, what is live."""
    from relorch.model.repository import histories
    from relorch.output import Reporter, emit_json
    from relorch.report.status import major_rows

    project = load_project(chdir, config)
    reporter = Reporter()
    envs = [project.config.environment(env).name] if env else sorted(project.config.environments)
    if not no_fetch:
        _sync(project, reporter, "showing local refs only")
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


def _sync(project: Project, reporter: Reporter, fallback: str) -> None:
    """Bring the remote's tags (notes on what was made to agree); a remote that cannot be
    reached is a warning that the output comes from `fallback` ("showing local refs only")."""
    from relorch.errors import RelorchError
    from relorch.model.repository import sync_tags

    try:
        for note in sync_tags(project.git, project.config):
            reporter.line("note: " + note)
    except RelorchError as exc:
        reporter.warn(f"{fallback}: {exc.message}")


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


def render(
    what: str,
    *,
    env: str | None,
    output: Path | None,
    service: str | None,
    now: str | None,
    no_fetch: bool,
    dry_run: bool,
    json_out: bool,
    chdir: Path | None,
    config: Path | None,
) -> int:
    """Versioning config for a gateway, from the tags, the ledger and the support policy."""
    from relorch.errors import UsageError
    from relorch.ledger.store import read_state
    from relorch.model.repository import histories
    from relorch.output import Reporter, emit_json
    from relorch.render import KINDS
    from relorch.render import render as render_document
    from relorch.render.context import build_model
    from relorch.render.files import write_output

    if service is not None and what != "arm":
        raise UsageError("--service only applies to `render arm`")
    moment = parse_now(now)
    project = load_project(chdir, config)
    reporter = Reporter()
    if env is not None:
        project.config.environment(env)
    if not no_fetch:
        _sync(project, reporter, "rendering from local tags only")
    state = read_state(project.git, project.config)
    current = {key: live.revision for key, live in state.live.items()}
    model = build_model(
        project.config, histories(project.git, project.config), current, moment, state=state
    )
    template = None if what in KINDS else relative_to(Path(what), chdir)
    rendered = render_document(
        what,
        model,
        env=env,
        spec_source=project.git.show_file,
        service=service,
        template=template,
    )
    for note in rendered.notes:
        reporter.warn(note)
    if output is None:
        sys.stdout.write(rendered.text)  # not click.echo: it strips escape codes off pipes
        sys.stdout.flush()
        return 0
    target = relative_to(output, chdir)
    if dry_run:
        reporter.line(f"would write {rendered.kind} ({len(rendered.text)} bytes) to {target}")
        return 0
    write_output(target, rendered.text)
    if json_out:
        emit_json(
            "render", {"kind": rendered.kind, "output": str(target), "notes": list(rendered.notes)}
        )
    reporter.ok(f"wrote {rendered.kind} to {target}")
    return 0
