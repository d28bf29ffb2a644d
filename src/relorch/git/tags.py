"""Tags: the local tags (parsed once per tag object, through `tagcache`), their messages, and
annotated tags created and deleted."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple, cast

from relorch.git.runner import Runner

if TYPE_CHECKING:
    from relorch.git import tagcache


class Tag(NamedTuple):
    """A tag as relorch needs it: name, the commit it points at, annotated or not, its date.

    A NamedTuple rather than a frozen dataclass: repositories carry tens of thousands of tags
    and this is built once per tag on every release (about 4x cheaper to create).
    """

    name: str
    sha: str
    annotated: bool
    date: datetime | None = None
    subject: str = ""


def _all_cached(listing: Mapping[str, str], cached: dict[str, tagcache.Entry]) -> list[Tag] | None:
    """Every listed tag from the cache, when it holds each with the listed object id (the
    common case: nothing changed); None otherwise. Built by C-level maps, with no Python
    call per tag: 9 ms at 20,000 tags, where the loop of local_tags takes 15 ms."""
    names = [ref[10:] for ref in listing]
    entries = list(map(cached.get, names))
    if None in entries:
        return None
    found = cast("list[tagcache.Entry]", entries)
    oids, shas, annotated, stamps, subjects = zip(*found, strict=True) if found else ([],) * 5
    if list(oids) != list(listing.values()) or None in stamps:
        return None
    dates = map(datetime.fromtimestamp, stamps, repeat(UTC))
    # tuple.__new__ is what a NamedTuple's __new__ calls; mapped, it builds each Tag in C
    rows = zip(names, shas, annotated, dates, subjects, strict=True)
    return list(map(tuple.__new__, repeat(Tag), rows))


class TagCommands(Runner):
    """The tag commands of `Git` (a part of it: callers use `Git`)."""

    def tag_objects(self, globs: Iterable[str]) -> dict[str, str]:
        """Local tags matching the globs -> the object each ref holds (a tag object or commit)."""
        out = self.run(
            "for-each-ref",
            "--format=%(refname:lstrip=2) %(objectname)",
            *[f"refs/tags/{g}" for g in globs],
        )
        return dict(line.rsplit(" ", 1) for line in out.splitlines() if " " in line)

    def local_tags(
        self, globs: Iterable[str], *, listing: Mapping[str, str] | None = None
    ) -> list[Tag]:
        """Local tags matching the globs, with the commit each points at and its date.

        Parsed tags are cached (git/tagcache.py) by the object id each tag ref has, which
        for-each-ref lists without reading a tag object; only new or moved tags are read.
        `listing` (tag ref -> object id of the tags matching the globs) is that list when
        the caller has just made it.
        """
        from relorch.git import tagcache

        patterns = [f"refs/tags/{g}" for g in globs]
        if listing is None:
            listing = self.ref_ids(patterns)
        path = tagcache.cache_file(self.common_dir(), patterns)
        cached = tagcache.load(path)
        if len(cached) == len(listing):
            unchanged = _all_cached(listing, cached)
            if unchanged is not None:
                return unchanged
        tags: list[Tag] = []
        missing: list[str] = []
        for ref, oid in listing.items():
            entry = cached.get(ref[10:])
            if entry is None or entry[0] != oid:
                missing.append(ref)
                continue
            stamp = entry[3]
            when = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
            tags.append(Tag(ref[10:], entry[1], entry[2], when, entry[4]))
        if missing:
            # a few tags are cheaper to read by name; many, by the patterns at once
            fresh = self._read_tags(missing if len(missing) <= 256 else patterns)
            have = {t.name for t in tags}
            tags.extend(t for t in fresh if t.name not in have and f"refs/tags/{t.name}" in listing)
        if missing or len(cached) != len(listing):
            tagcache.store(
                path,
                {
                    t.name: (
                        listing[f"refs/tags/{t.name}"],
                        t.sha,
                        t.annotated,
                        t.date.timestamp() if t.date is not None else None,
                        t.subject,
                    )
                    for t in tags
                },
            )
        return tags

    def _read_tags(self, patterns: Sequence[str]) -> list[Tag]:
        """Tags matching the ref patterns, each tag object read for its date and subject."""
        fmt = "%00".join(
            (
                "%(refname:lstrip=2)",
                "%(objecttype)",
                "%(objectname)",
                "%(*objectname)",
                "%(creatordate:unix)",
                "%(contents:subject)",
            )
        )
        out = self.run("for-each-ref", f"--format={fmt}", *patterns)
        tags = []
        for line in out.splitlines():
            parts = line.split("\0")
            if len(parts) < 6:
                continue
            name, kind, obj, peeled, stamp, subject = parts[:6]
            when = datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None
            tags.append(Tag(name, peeled or obj, kind == "tag", when, subject))
        return tags

    def tag_messages(self, globs: Iterable[str]) -> dict[str, str]:
        """The message (subject and body) of each annotated local tag matching the globs."""
        fmt = "%(refname:lstrip=2)%00%(objecttype)%00%(contents)%00%00"
        out = self.run(
            "for-each-ref", f"--format={fmt}", *[f"refs/tags/{g}" for g in globs], strip=False
        )
        messages = {}
        for entry in out.split("\0\0\n"):
            name, _, rest = entry.partition("\0")
            kind, _, text = rest.partition("\0")
            if name and kind == "tag":
                messages[name] = text
        return messages

    def last_local_tag(self, glob: str) -> str | None:
        """The local tag matching `glob` that sorts last by name: a cheap hint, not an answer
        (v9 sorts after v10). Sorting by name reads no tag object, unlike a version sort or
        `git describe`, which peel every tag (~0.1 s at 20,000 tags without peeled packed-refs).
        """
        out = self.run(
            "for-each-ref",
            "--count=1",
            "--sort=-refname",
            "--format=%(refname:lstrip=2)",
            f"refs/tags/{glob}",
        )
        return out or None

    def tag_message(self, name: str) -> str:
        """The message of a tag (for a lightweight tag, its commit's), empty when unknown."""
        status, out, _ = self._execute(
            ["for-each-ref", "--format=%(contents)", f"refs/tags/{name}"], strip=False
        )
        return out if status == 0 else ""

    def create_tag(self, name: str, sha: str, message: str) -> None:
        """Create an annotated tag (unsigned: CI has no signing key unless configured)."""
        args = ["tag", "--annotate", "--no-sign", "--cleanup=verbatim", "-m", message, "--", name]
        status, out, err = self._execute([*args, sha])
        if status != 0 and ("ident" in err or "who you are" in err):
            status, out, err = self._execute([*args, sha], env=self._fallback_identity())
        if status != 0:
            raise self._error(args, err or out)

    def _fallback_identity(self) -> dict[str, str]:
        """CI runners often have no user.name/email; an annotated tag needs a tagger."""
        if self.config_value("user.name") or os.environ.get("GIT_COMMITTER_NAME"):
            return {}
        actor = os.environ.get("GITHUB_ACTOR") or os.environ.get("GITLAB_USER_LOGIN") or "relorch"
        return {
            "GIT_COMMITTER_NAME": actor,
            "GIT_COMMITTER_EMAIL": f"{actor}@users.noreply.invalid",
        }

    def delete_tag(self, name: str) -> None:
        """Delete a local tag if it exists."""
        self._execute(["tag", "--delete", name])
