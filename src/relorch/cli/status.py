"""CLI: `relorch status`, `relorch init`, `relorch demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from relorch.cli.common import ChdirOpt, ConfigOpt, DryRunOpt, JsonOpt, OptionalEnvOpt


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
    from relorch.cli import reading

    return reading.status(
        env=env, semver=semver, no_fetch=no_fetch, json_out=json_out, chdir=chdir, config=config
    )


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
