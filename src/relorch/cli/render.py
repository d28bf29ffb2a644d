"""CLI: `relorch render arm|cloudformation|httproute|manifest|headers|TEMPLATE`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, JsonOpt, OptionalEnvOpt
from relorch.cli.project import load_project


def register(app: typer.Typer) -> None:
    """Add render."""
    app.command("render")(render)


def render(
    what: Annotated[
        str,
        typer.Argument(
            metavar="KIND|TEMPLATE",
            help="arm, cloudformation, httproute, manifest, headers, or a Jinja template path "
            "(./arm for a file named arm).",
        ),
    ],
    *,
    env: OptionalEnvOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write to FILE (atomically) instead of stdout.",
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            metavar="NAME",
            help="API Management service of every API (render arm).",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="TIME",
            help="Judge sunsets at this ISO 8601 time instead of the clock.",
        ),
    ] = None,
    no_fetch: Annotated[
        bool,
        typer.Option(
            "--no-fetch",
            help="Use the local tags; do not fetch.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With -o: render and check, but write no file.")
    ] = False,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Versioning config for a gateway, from the tags, the ledger and the support policy.

    \b
    Kinds, one example each:
      arm             relorch render arm --env production -o arm.json
                      (Azure API Management: ARM template)
      cloudformation  relorch render cloudformation --env production -o apigw.json
                      (AWS API Gateway: CloudFormation template)
      httproute       relorch render httproute --env production -o routes.yaml
                      (Kubernetes Gateway API: HTTPRoutes)
      manifest        relorch render manifest --env production
                      (JSON: APIs, majors, revisions, current, URLs)
      headers         relorch render headers
                      (Deprecation/Sunset/Link per major)
      TEMPLATE        relorch render gateways/nginx.conf.j2 --env production
                      (your Jinja template, given the manifest)
    """
    from relorch.errors import RelorchError, UsageError
    from relorch.ledger.store import read_state
    from relorch.model.repository import histories, sync_tags
    from relorch.output import Reporter, emit_json
    from relorch.render import KINDS
    from relorch.render import render as render_document
    from relorch.render.context import build_model
    from relorch.render.files import write_output

    if service is not None and what != "arm":
        raise UsageError("--service only applies to `render arm`")
    moment = _parse_now(now)
    project = load_project(chdir, config)
    reporter = Reporter()
    if env is not None:
        project.config.environment(env)
    if not no_fetch:
        try:
            for note in sync_tags(project.git, project.config):
                reporter.line("note: " + note)
        except RelorchError as exc:
            reporter.warn(f"rendering from local tags only: {exc.message}")
    state = read_state(project.git, project.config)
    current = {key: live.revision for key, live in state.live.items()}
    model = build_model(
        project.config, histories(project.git, project.config), current, moment, state=state
    )
    template = None if what in KINDS else _relative(Path(what), chdir)
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
    target = _relative(output, chdir)
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


def _parse_now(text: str | None) -> datetime:
    from relorch.errors import UsageError

    if text is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO 8601 time",
            hint="e.g. --now 2026-09-01 or --now 2026-09-01T12:00:00Z",
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _relative(path: Path, chdir: Path | None) -> Path:
    """Relative paths are relative to -C PATH when given (as if relorch was started there)."""
    return path if path.is_absolute() or chdir is None else chdir / path
