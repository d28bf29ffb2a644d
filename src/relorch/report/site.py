"""The site as files: index.html, status.json, calendar.ics and summary.md written into a folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from relorch.errors import UsageError
from relorch.report.html import render_html
from relorch.report.ics import calendar_ics
from relorch.report.jsonout import status_json
from relorch.report.markdown import summary_md
from relorch.report.model import RepoReport, Site

FILES = ("index.html", "status.json", "calendar.ics", "summary.md")


def make_site(repos: Sequence[RepoReport], now: datetime, horizon_days: int = 30) -> Site:
    """The site of `repos`, with the fleet-wide coming-up list (each item naming its repo)."""
    upcoming = sorted(
        (replace(u, repository=repo.name) for repo in repos for u in repo.upcoming),
        key=lambda u: (u.when, u.kind, u.repository, u.api, u.major or 0, u.uid),
    )
    return Site(
        generated_at=now, horizon_days=horizon_days, repos=tuple(repos), upcoming=tuple(upcoming)
    )


def render_files(site: Site) -> dict[str, bytes]:
    """Every file of the site, by name."""
    return {
        "index.html": render_html(site).encode(),
        "status.json": status_json(site).encode(),
        "calendar.ics": calendar_ics(site).encode(),
        "summary.md": summary_md(site).encode(),
    }


def write_site(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write the files into `out` (created), each replaced whole: a reader never sees half."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory", hint="give -o a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out / name)
            written.append(out / name)
    except OSError as exc:
        raise UsageError(
            f"cannot write the site into {out}: {exc.strerror}", hint="check -o DIR"
        ) from None
    return written
