"""summary.md: the site in brief, for CI job summaries (GitHub step summary, merge requests)."""

from __future__ import annotations

from datetime import UTC, datetime

from relorch.report.model import Cell, RepoReport, Site, Upcoming

# Each state's mark beside its word: the word carries the state, the mark helps the eye.
MARKS = {
    "deployed": "✅",
    "failed": "❌",
    "rolled back": "↩️",
    "held": "⏸️",
    "in a notice window": "📣",
    "deploying": "⏳",
    "not deployed": "–",
}


def summary_md(site: Site) -> str:
    """The Markdown text."""
    title = "API fleet status" if site.fleet else f"API status: {_esc(site.repos[0].name)}"
    out = [f"## {title}", "", f"Generated {_stamp(site.generated_at)}.", ""]
    if site.fleet:
        out += [f"### Coming up (next {site.horizon_days} days)", ""]
        out += [*_upcoming(site.upcoming, fleet=True), ""]
    for repo in site.repos:
        out += _repo(repo, site)
    return "\n".join(out).rstrip("\n") + "\n"


def _repo(repo: RepoReport, site: Site) -> list[str]:
    level = "###"
    out = []
    if site.fleet:
        out += [f"### {_esc(repo.name)}", ""]
    if not repo.reachable:
        return [*out, f"**Unreachable**: {_esc(repo.error or '')}", ""]
    commit = (repo.source_commit or "none")[:12]
    tip = (repo.ledger_tip or "none")[:12]
    out += [f"Source commit `{commit}` · ledger tip `{tip}`", ""]
    out += [f"{level} What is live where", ""]
    if repo.rows and repo.environments:
        out.append("| API | major | " + " | ".join(_esc(e) for e in repo.environments) + " |")
        out.append("|---|---|" + "---|" * len(repo.environments))
        for row in repo.rows:
            cells = " | ".join(_cell(c) for c in row.cells)
            out.append(f"| {_esc(row.api)} | v{row.major} ({row.support}) | {cells} |")
    else:
        out.append("Nothing released or no environment configured yet.")
    out.append("")
    if not site.fleet:
        out += [f"{level} Coming up (next {site.horizon_days} days)", ""]
        out += [*_upcoming(repo.upcoming, fleet=False), ""]
    if repo.lifecycles:
        out += [f"{level} Lifecycles", "", "| major | state | released | sunset | days left |"]
        out.append("|---|---|---|---|---|")
        for life in repo.lifecycles:
            days = "" if life.days_left is None else str(life.days_left)
            out.append(
                f"| {_esc(life.api)} v{life.major} | {life.state} | {_day(life.released)} "
                f"| {_day(life.sunset_at)} | {days} |"
            )
        out.append("")
    return out


def _cell(cell: Cell) -> str:
    rev = f" rev{cell.revision}" if cell.revision is not None else ""
    text = f"{MARKS.get(cell.state, '')} {cell.state}{rev}".strip()
    if cell.state not in {"deployed", "not deployed"}:
        text += f": {cell.summary}"
    if cell.preview:
        text += f" (preview {cell.preview})"
    return _esc(text)


def _upcoming(items: tuple[Upcoming, ...], *, fleet: bool) -> list[str]:
    if not items:
        return ["Nothing coming up."]
    where = (lambda u: f" ({_esc(u.repository)})" if u.repository else "") if fleet else None
    return [
        f"- {_day(u.when)} **{u.kind}** {_esc(u.text)}{where(u) if where else ''}" for u in items
    ]


def _esc(text: str) -> str:
    """Table-safe, and no Markdown or HTML a ledger reason could smuggle into the summary."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "*_`[]":
        out = out.replace(char, "\\" + char)
    return out


def _day(when: datetime | None) -> str:
    return when.astimezone(UTC).date().isoformat() if when is not None else "–"


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
