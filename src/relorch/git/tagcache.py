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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from relorch.git.gateway import Git, Tag

# A few refs are cheaper to read by name; past this many, one pattern read of all of them.
_BY_NAME = 256
_VERSION = 1

Entry = tuple[str, str, bool, float | None, str]  # object id, peeled sha, annotated, date, subject


def cached_tags(
    git: Git, patterns: Sequence[str], read: Callable[[Sequence[str]], list[Tag]]
) -> list[Tag]:
    """The tags matching `patterns` (as `read(patterns)` would give them), from the cache where
    git says a tag's object is one already parsed."""
    from relorch.git.gateway import Tag

    listing = git.ref_ids(patterns)  # refs/tags/NAME -> object id
    path = _cache_file(git, patterns)
    cache = _load(path)
    tags: list[Tag] = []
    missing: list[str] = []
    for ref, oid in listing.items():
        entry = cache.get(ref[10:])
        if entry is not None and entry[0] == oid:
            _, sha, annotated, stamp, subject = entry
            when = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
            tags.append(Tag(ref[10:], sha, annotated, when, subject))
        else:
            missing.append(ref)
    if missing:
        fresh = read(missing if len(missing) <= _BY_NAME else list(patterns))
        known = {t.name for t in tags}
        tags.extend(t for t in fresh if t.name not in known and f"refs/tags/{t.name}" in listing)
    if missing or len(cache) != len(listing):
        _store(path, {t.name: _entry(t, listing[f"refs/tags/{t.name}"]) for t in tags})
    return tags


def _entry(tag: Tag, oid: str) -> Entry:
    stamp = tag.date.timestamp() if tag.date is not None else None
    return (oid, tag.sha, tag.annotated, stamp, tag.subject)


def _cache_file(git: Git, patterns: Sequence[str]) -> Path:
    key = hashlib.sha1("\0".join(sorted(patterns)).encode(), usedforsecurity=False).hexdigest()
    return git.common_dir() / "relorch" / f"tags-{key[:16]}.marshal"


def _load(path: Path) -> dict[str, Entry]:
    """The cached entries; empty when the file is missing, foreign or from another Python."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if (
        not isinstance(data, tuple)
        or len(data) != 3
        or data[:2] != (_VERSION, sys.version_info[:2])
        or not isinstance(data[2], dict)
    ):
        return {}
    entries: dict[str, Entry] = data[2]
    return entries


def _store(path: Path, entries: dict[str, Entry]) -> None:
    """Write-then-rename, so a concurrent reader sees the old file or the new one; a cache that
    cannot be written (read-only repository) is simply not kept."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((_VERSION, sys.version_info[:2], entries)))
        os.replace(tmp, path)
