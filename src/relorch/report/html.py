"""index.html: the site's page, rendered from the report model by the packaged Jinja templates.

Autoescape is on: every name, reason and tag message comes from git or the ledger, which
anyone with push access writes, so all of it is text, never markup.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from relorch import __version__
from relorch.report.model import Site
from relorch.report.timeline import draw


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("relorch.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=_day, stamp=_stamp, iso=_iso, short=_short, slug=_slug, web=_web)
    return env


def render_html(site: Site) -> str:
    """The page, ready to write (deterministic: the same site gives the same text)."""
    drawings = {
        repo.ident: draw(repo.timeline, site.generated_at, site.horizon_days)
        for repo in site.repos
        if repo.reachable
    }
    template = _environment().get_template("index.html.j2")
    return template.render(site=site, drawings=drawings, version=__version__)


def _day(when: datetime | None) -> str:
    return when.astimezone(UTC).date().isoformat() if when is not None else "–"


def _stamp(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if when is not None else "–"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "none"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _web(url: str | None) -> bool:
    """Only http(s) links are made clickable: a `javascript:` run URL stays text."""
    return bool(url) and re.match(r"https?://[^\s\"'<>]+$", url or "") is not None
