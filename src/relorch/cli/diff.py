"""CLI: `relorch diff BASE HEAD`, the OpenAPI breaking-change report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, JsonOpt, load_project

if TYPE_CHECKING:
    from relorch.gate import Report
    from relorch.output import Reporter


def register(app: typer.Typer) -> None:
    """Add diff."""
    app.command("diff")(diff)


def diff(
    base: Annotated[
        str, typer.Argument(metavar="BASE", help="The old revision: a tag, branch or commit.")
    ],
    head: Annotated[str, typer.Argument(metavar="HEAD", help="The new revision.")] = "HEAD",
    *,
    api: ApiOpt = None,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Classify the OpenAPI changes from BASE to HEAD; exit 3 when any change is breaking."""
    from relorch.errors import PreconditionError
    from relorch.gate import diff_refs
    from relorch.output import Reporter, emit_json

    project = load_project(chdir, config)
    report = diff_refs(project.git, project.config.api(api), base, head)
    if json_out:
        emit_json("diff", report.to_dict())
    show(Reporter(), report)
    if report.breaking:
        count = len(report.breaking)
        raise PreconditionError(
            f"{count} breaking change{'s' if count > 1 else ''} in {report.spec} "
            f"from {report.base} to {report.head}",
            hint="release it as a new major with `relorch release --major`, "
            "or make the change backward compatible",
        )
    return 0


def show(reporter: Reporter, report: Report) -> None:
    """The human report on stderr: breaking changes first, then the compatible ones."""
    reporter.step(f"{report.api}: {report.spec} from {report.base} to {report.head}")
    if report.note:
        reporter.line(report.note)
    if not report.compared:
        return
    if report.breaking:
        reporter.line(f"breaking ({len(report.breaking)}):", "red", "bold")
        for change in report.breaking:
            reporter.line(f"  {change.location}: {change.message}")
    if report.compatible:
        reporter.line(f"compatible ({len(report.compatible)}):", "green")
        for change in report.compatible:
            reporter.line(f"  {change.location}: {change.message}")
    if not report.breaking:
        reporter.ok("no breaking change" if report.compatible else "no change")
