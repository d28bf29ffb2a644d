"""CLI: `relorch diff BASE HEAD`, the OpenAPI breaking-change report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, JsonOpt
from relorch.cli.project import load_project

if TYPE_CHECKING:
    from relorch.gate import Report
    from relorch.output import Reporter

_HEADINGS = (
    ("breaking", "red"),
    ("potentially-breaking", "yellow"),
    ("compatible", "green"),
)


def register(app: typer.Typer) -> None:
    """Add diff."""
    app.command("diff")(diff)


def diff(
    base: Annotated[
        str, typer.Argument(metavar="BASE", help="The old revision: a tag, branch or commit.")
    ],
    head: Annotated[str, typer.Argument(metavar="HEAD", help="The new revision.")] = "HEAD",
    *,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="LEVEL",
            help="Exit 3 from this level up: breaking or potentially-breaking "
            "(default: [gate] fail_on).",
        ),
    ] = None,
    api: ApiOpt = None,
    json_out: JsonOpt = False,
    chdir: ChdirOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Classify the OpenAPI changes from BASE to HEAD; exit 3 when one reaches the fail level."""
    from relorch.errors import PreconditionError, UsageError
    from relorch.gate import diff_refs
    from relorch.output import Reporter, emit_json

    if fail_on is not None and fail_on not in ("breaking", "potentially-breaking"):
        raise UsageError(
            f"--fail-on {fail_on!r} is not a level", hint="use breaking or potentially-breaking"
        )
    project = load_project(chdir, config)
    gate = project.config.gate
    report = diff_refs(project.git, project.config.api(api), base, head, gate, fail_on=fail_on)
    if json_out:
        emit_json("diff", report.to_dict(), compact=True)  # thousands of changes: big
    show(Reporter(), report)
    if report.failing:
        count = len(report.failing)
        raise PreconditionError(
            f"{count} change{'s' if count > 1 else ''} at or above {report.fail_on} in "
            f"{report.spec} from {report.base} to {report.head}",
            hint="release it as a new major with `relorch release --major`, make the change "
            f"backward compatible, or record a reviewed exception in {gate.ignore_file}",
        )
    return 0


def show(reporter: Reporter, report: Report) -> None:
    """The human report on stderr, grouped by level, most severe first; built in one piece
    so the secret mask runs once over it, not once per line."""
    lines = [f"==> {report.api}: {report.spec} from {report.base or '(none)'} to {report.head}"]
    if report.note:
        lines.append(report.note)
    if report.compared:
        for level, _ in _HEADINGS:
            changes = report.at(level)
            if changes:
                lines.append(f"{level} ({len(changes)}):")
                lines += [_line(c.location, c.message, c.rule, c.file) for c in changes]
        if report.excused:
            lines.append(f"ignored by reviewed exceptions ({len(report.excused)}):")
            lines += [f"  {c.location}: {c.rule} ({e.reason})" for c, e in report.excused]
        for expired in report.expired:
            lines.append(
                f"warning: the exception for {expired.rule} at {expired.location} expired on "
                f"{expired.expires}"
            )
        if not report.failing:
            lines.append(f"nothing at or above {report.fail_on}" if report.changes else "no change")
    reporter.block(lines)


def _line(location: str, message: str, rule: str, file: str) -> str:
    where = f" (in {file})" if file else ""
    return f"  {location}: {message} [{rule}]{where}"
