"""The bodies of `relorch release` and `relorch plan`, without typer: `cli.release` declares
their options for typer, `cli.quick` calls these directly for the plain invocations CI runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from relorch.cli.project import load_project

if TYPE_CHECKING:
    from relorch.output import Reporter
    from relorch.release.plan import ReleasePlan


def release(
    *,
    revision: bool,
    major: bool,
    api: str | None,
    dry_run: bool,
    json_out: bool,
    chdir: Path | None,
    config: Path | None,
) -> int:
    """Tag the next revision (or start a new major) and push it atomically."""
    from relorch.ci import write_outputs
    from relorch.errors import NothingToRelease, UsageError
    from relorch.output import Reporter, emit_json
    from relorch.release.plan import plan_release
    from relorch.release.publish import publish, result_of
    from relorch.release.situation import apis_on_branch, inspect

    if revision == major:
        raise UsageError("choose one of --revision or --major", hint="relorch release --revision")
    kind = "major" if major else "revision"
    project = load_project(chdir, config)
    reporter = Reporter()
    situation = inspect(project.git, project.config, reconcile=not dry_run)
    for note in situation.notes:
        reporter.line("note: " + note)
    results, nothing = [], []
    for api_config in apis_on_branch(project.config, situation.branch, situation.main, api):
        try:
            plan_ = plan_release(project.git, project.config, api_config, kind, situation)
        except NothingToRelease as exc:
            nothing.append(exc)
            continue
        if dry_run:
            _print_plan(reporter, plan_)
            results.append(result_of(plan_))
            continue
        result = publish(project.git, project.config, api_config, plan_, reporter)
        for line in plan_.compatibility:  # the breaking-change gate's verdict
            reporter.line(line)
        if result.released:
            reporter.ok(
                f"released {result.tag} at {result.sha[:7]}"
                + (f" (cut {result.new_branch})" if result.new_branch else "")
            )
        else:
            reporter.line(f"{result.tag} already tags HEAD ({result.sha[:7]}); nothing to do")
        results.append(result)
    if not results:
        for skipped in nothing:
            reporter.line(skipped.message)
        if nothing:
            reporter.line("hint: " + nothing[0].hint)
        if json_out:
            emit_json("release", {"released": False, "releases": [], "nothing_to_release": True})
        return 4
    payload: dict[str, object] = {
        "releases": [r.as_dict() for r in results],
        "released": any(r.released for r in results),  # several APIs: whether any was tagged
        "dry_run": dry_run,
    }
    if len(results) == 1:
        payload.update(results[0].as_dict())
    if json_out:
        emit_json("release", payload)
    if not dry_run:
        first = results[0]
        write_outputs(
            {
                "tag": first.tag,
                "major": first.major,
                "revision": first.revision,
                "sha": first.sha,
                "released": any(r.released for r in results),
            },
            summary="\n".join(
                f"- `{r.tag}` {'released' if r.released else 'already released'}" for r in results
            ),
        )
    return 0


def _print_plan(reporter: Reporter, plan_: ReleasePlan) -> None:
    if not plan_.released:
        reporter.line(f"{plan_.tag} already tags HEAD; a release would do nothing")
        return
    reporter.step(f"would release {plan_.tag} ({plan_.api} major {plan_.major}) at {plan_.sha[:7]}")
    for line in plan_.compatibility:
        reporter.line("  " + line)
    for check in plan_.checks:
        reporter.line("  run check: " + " ".join(check))
    reporter.line("  create annotated tag " + plan_.tag)
    if plan_.remote:
        reporter.line(f"  push --atomic {plan_.remote} " + " ".join(plan_.refspecs))
    for line in plan_.notes.rstrip().splitlines():
        reporter.line("  | " + line)


def plan(
    *,
    api: str | None,
    branch: str | None,
    json_out: bool,
    chdir: Path | None,
    config: Path | None,
) -> int:
    """What `release --revision` would do next; needs no push rights (works on PR builds)."""
    from relorch.output import Reporter, emit_json
    from relorch.release.forecast import next_releases

    project = load_project(chdir, config)
    reporter = Reporter()
    report = next_releases(project.git, project.config, api=api, branch=branch)
    if json_out:
        emit_json("plan", report.as_dict())
    for entry in report.apis:
        reporter.line(entry.summary)
    for blocker in report.blockers:
        reporter.warn(blocker + " (release would refuse)")
    if report.refused:
        from relorch.errors import PreconditionError

        raise PreconditionError(
            "the breaking-change gate would refuse the release",
            hint="see `relorch diff <last revision tag> HEAD`; a breaking change needs "
            "`relorch release --major`",
        )
    return 0
