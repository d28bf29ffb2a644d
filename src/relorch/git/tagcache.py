"""A cache of parsed tags in .git/relorch/, keyed by the object id git says each tag ref has.

Reading every tag's date and subject means reading every tag object (about 0.2 s at 20,000
tags); listing the refs alone reads only packed-refs. So a read lists `%(objectname)` of the
matching refs, takes the tags whose object id it has seen before from the cache, and asks git
only for the new or moved ones. A tag object id names its content (target, tagger date,
message), so an entry can never be stale; a lost or unreadable cache file is rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import threading
from pathlib import Path

VERSION = 1

# object id, peeled commit sha, annotated, tagger/commit date (unix seconds), subject
Entry = tuple[str, str, bool, float | None, str]


def cache_file(common_dir: Path, patterns: list[str]) -> Path:
    """Where the tags matching `patterns` are cached (one file per pattern set)."""
    key = hashlib.sha1("\0".join(sorted(patterns)).encode(), usedforsecurity=False).hexdigest()
    return common_dir / "relorch" / f"tags-{key[:16]}.marshal"


def load(path: Path) -> dict[str, Entry]:
    """The cached entries by tag name; empty when the file is missing, foreign or from another
    Python (marshal's format is per version)."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if (
        not isinstance(data, tuple)
        or len(data) != 3
        or data[:2] != (VERSION, sys.version_info[:2])
        or not isinstance(data[2], dict)
    ):
        return {}
    entries: dict[str, Entry] = data[2]
    return entries


def store(path: Path, entries: dict[str, Entry]) -> None:
    """Write-then-rename, so a concurrent reader sees the old file or the new one; a cache that
    cannot be written (read-only repository) is simply not kept."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        # Per process and thread: a fleet report refreshes repositories in threads of one pid.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(marshal.dumps((VERSION, sys.version_info[:2], entries)))
        os.replace(tmp, path)
