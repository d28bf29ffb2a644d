"""The release history of each API as its revision tags tell it: majors, revisions, lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from relorch.config import ApiConfig, Config
from relorch.git.gateway import Tag


class RevisionInfo(NamedTuple):
    """One released revision: its tag and the commit it points at (a NamedTuple: one is made
    per tag on every command, and repositories carry tens of thousands)."""

    api: str
    major: int
    revision: int
    tag: str
    sha: str
    date: datetime | None
    annotated: bool = True
    legacy: bool = False  # a tag from before relorch (`legacy_tags`), numbered by its rank


@dataclass(frozen=True)
class MajorInfo:
    """One major of one API with its revisions, oldest first."""

    api: str
    major: int
    line: str  # the branch that carries it
    revisions: tuple[RevisionInfo, ...]

    @property
    def latest(self) -> RevisionInfo:
        """The highest revision."""
        return self.revisions[-1]

    @property
    def first(self) -> RevisionInfo:
        """rev1 (or the lowest there is): its date starts the major."""
        return self.revisions[0]

    def get(self, revision: int) -> RevisionInfo | None:
        """The given revision, None when there is no such tag."""
        return next((r for r in self.revisions if r.revision == revision), None)


@dataclass(frozen=True)
class ApiHistory:
    """Every major of one API, oldest first; the newest lives on the main branch."""

    api: ApiConfig
    majors: tuple[MajorInfo, ...]

    @property
    def newest(self) -> MajorInfo | None:
        """The newest major, None before the first release."""
        return self.majors[-1] if self.majors else None

    def major(self, number: int) -> MajorInfo | None:
        """The given major, None when it has no revision."""
        return next((m for m in self.majors if m.major == number), None)


def build_history(api: ApiConfig, tags: Iterable[Tag], main_branch: str) -> ApiHistory:
    """Group the tags that are revisions of `api`; every other tag is ignored."""
    scheme = api.scheme
    pattern = scheme.tag_regex
    by_major: dict[int, list[RevisionInfo]] = {}
    legacy: dict[int, list[tuple[tuple[int, int], Tag]]] = {}
    for tag in tags:
        if scheme.legacy:
            version = scheme.parse_legacy(tag.name)
            if version is not None:
                legacy.setdefault(version[0], []).append(((version[1], version[2]), tag))
                continue
        match = pattern.fullmatch(tag.name)
        if match is None:
            continue
        major = int(match.group("major"))
        by_major.setdefault(major, []).append(
            RevisionInfo(
                api.name,
                major,
                int(match.group("revision")),
                tag.name,
                tag.sha,
                tag.date,
                tag.annotated,
            )
        )
    for major, found in legacy.items():
        by_major[major] = _rank(api.name, major, found, by_major.get(major, []))
    newest = max(by_major, default=0)
    majors = tuple(
        MajorInfo(
            api=api.name,
            major=major,
            line=main_branch if major == newest else api.scheme.branch(major),
            revisions=tuple(sorted(revs, key=lambda r: r.revision)),
        )
        for major, revs in sorted(by_major.items())
    )
    return ApiHistory(api=api, majors=majors)


def _rank(
    api: str, major: int, legacy: list[tuple[tuple[int, int], Tag]], native: list[RevisionInfo]
) -> list[RevisionInfo]:
    """Legacy tags are the major's first revisions, numbered 1, 2, … in semver precedence;
    relorch's own tags come after them and keep the number their name carries (relorch only
    ever numbers them past the legacy ones)."""
    revisions = []
    for number, (_, tag) in enumerate(sorted(legacy, key=lambda item: item[0]), start=1):
        revisions.append(
            RevisionInfo(api, major, number, tag.name, tag.sha, tag.date, tag.annotated, True)
        )
    taken = {r.revision for r in revisions}
    return revisions + [r for r in native if r.revision not in taken]


def tag_globs(config: Config) -> list[str]:
    """for-each-ref / ls-remote patterns matching every API's revision tags."""
    return sorted({glob for api in config.apis.values() for glob in api.scheme.globs()})
