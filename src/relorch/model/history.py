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
    pattern = api.scheme.tag_regex
    by_major: dict[int, list[RevisionInfo]] = {}
    for tag in tags:
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


def tag_globs(config: Config) -> list[str]:
    """for-each-ref / ls-remote patterns matching every API's revision tags."""
    return sorted({api.scheme.tag_glob() for api in config.apis.values()})
