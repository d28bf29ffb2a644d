"""CLI: `relorch render arm|cloudformation|httproute|manifest|headers|TEMPLATE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, JsonOpt, OptionalEnvOpt


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
    from relorch.cli import reading

    return reading.render(
        what,
        env=env,
        output=output,
        service=service,
        now=now,
        no_fetch=no_fetch,
        dry_run=dry_run,
        json_out=json_out,
        chdir=chdir,
        config=config,
    )
