"""A fleet: several repositories read through git in parallel; one that fails is shown as such."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from relorch.errors import RelorchError, UsageError
from relorch.report.build import build_repo
from relorch.report.model import RepoReport, unreachable
from relorch.report.sources import display_name, ident_of, read_remote

WORKERS = 4  # git processes at once: fetches wait on the network, parsing on the CPU


def read_fleet_file(path: Path) -> list[str]:
    """Repository URLs from a fleet file: one a line; blank lines and `#` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the fleet file {path}: {exc}") from None
    urls = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if any(c.isspace() for c in line):
            raise UsageError(
                f"{path}:{number}: one repository URL a line, got {display_name(line)!r}",
                hint="a fleet file lists URLs, one a line; # starts a comment line",
            )
        urls.append(line)
    return urls


def report_fleet(
    urls: Sequence[str], cache: Path, now: datetime, horizon_days: int = 30
) -> list[RepoReport]:
    """The report of each repository, in the order given (duplicates read once)."""
    unique = list(dict.fromkeys(urls))

    def one(url: str) -> RepoReport:
        name = display_name(url)
        try:
            return build_repo(read_remote(url, cache), now, horizon_days)
        except RelorchError as exc:
            return unreachable(name, ident_of(name), exc.message)

    with ThreadPoolExecutor(max_workers=min(WORKERS, max(len(unique), 1))) as pool:
        return list(pool.map(one, unique))
