"""Release notes: commit subjects since the previous revision, grouped by conventional prefix."""

from __future__ import annotations

import re
from collections.abc import Sequence

_PREFIX = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\([^)]*\))?(?P<bang>!)?:\s*(?P<text>.+)$")
_GROUPS = (
    ("breaking", "Breaking changes"),
    ("feat", "Features"),
    ("fix", "Fixes"),
    ("perf", "Performance"),
    ("other", "Other changes"),
)
_FOLDED = {"feature": "feat", "bugfix": "fix", "hotfix": "fix"}


def group_commits(commits: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Subjects grouped by kind; prefixes are understood, never required."""
    groups: dict[str, list[str]] = {key: [] for key, _ in _GROUPS}
    for sha, subject in commits:
        match = _PREFIX.match(subject)
        kind, text = "other", subject
        if match:
            kind = _FOLDED.get(match.group("type").lower(), match.group("type").lower())
            text = match.group("text")
            if match.group("bang"):
                kind = "breaking"
            elif kind not in groups:
                kind = "other"
        groups[kind].append(f"{text} ({sha[:7]})")
    return groups


def release_notes(tag: str, previous: str | None, commits: Sequence[tuple[str, str]]) -> str:
    """The annotated tag's message: a subject line, then the grouped changes."""
    count = len(commits)
    since = f"since {previous}" if previous else "in the first revision"
    lines = [f"{tag}: {count} change{'s' if count != 1 else ''} {since}"]
    groups = group_commits(commits)
    for key, title in _GROUPS:
        entries = groups[key]
        if entries:
            lines += ["", title, *[f"- {entry}" for entry in entries]]
    return "\n".join(lines) + "\n"
