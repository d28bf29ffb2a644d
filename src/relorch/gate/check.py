"""The breaking-change gate: compare an API's OpenAPI document at two revisions."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from relorch.errors import UsageError
from relorch.gate.changes import Change
from relorch.gate.compare import compare_resolved
from relorch.gate.documents import GitSource, ParseCache, cache_for, open_document
from relorch.gate.errors import SpecError
from relorch.gate.rules import BREAKING, LEVELS
from relorch.gate.verdict import Exception_, apply_levels, check_rules, judge, parse_ignores
from relorch.git.objects import FileReader

if TYPE_CHECKING:
    from relorch.config import ApiConfig, GateConfig
    from relorch.gate.load import Resolver
    from relorch.git.gateway import Git

SCHEMA = "relorch-diff/1"


@dataclass(frozen=True)
class Report:
    """What changed in one API's document between BASE and HEAD; pure data, no printing."""

    api: str
    spec: str
    base: str
    head: str
    base_sha: str
    head_sha: str
    compared: bool  # False: the first revision of a major, nothing to compare
    fail_on: str = "breaking"
    note: str = ""
    changes: list[Change] = field(default_factory=list)
    failing: list[Change] = field(default_factory=list)
    excused: list[tuple[Change, Exception_]] = field(default_factory=list)
    expired: list[Exception_] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # referenced files read at HEAD

    @property
    def ok(self) -> bool:
        """True when HEAD may be released as a revision of BASE's major."""
        return not self.failing

    def at(self, level: str) -> list[Change]:
        """The changes of one level, in location order."""
        return [c for c in self.changes if c.level == level]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the `--json` output of `relorch diff`)."""
        changes = [c.to_dict() for c in self.changes]  # each also the base of its legacy entry
        pairs = list(zip(self.changes, changes, strict=True))
        return {
            "api": self.api,
            "spec": self.spec,
            "base": self.base,
            "head": self.head,
            "base_sha": self.base_sha,
            "head_sha": self.head_sha,
            "compared": self.compared,
            "note": self.note,
            "fail_on": self.fail_on,
            "ok": self.ok,
            "counts": {level: len(self.at(level)) for level in LEVELS},
            "changes": changes,
            "failing": [c.to_dict() for c in self.failing],
            "ignored": [{"change": c.to_dict(), "exception": e.to_dict()} for c, e in self.excused],
            "expired_exceptions": [e.to_dict() for e in self.expired],
            "files": self.files,
            # The version-1 fields.
            "breaking": [_legacy(c, d) for c, d in pairs if c.level == BREAKING],
            "compatible": [_legacy(c, d) for c, d in pairs if c.level != BREAKING],
        }


def _legacy(change: Change, fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "kind": change.kind, "breaking": change.level == BREAKING}


def diff_refs(
    git: Git,
    api: ApiConfig,
    base_rev: str | None,
    head_rev: str,
    gate: GateConfig,
    *,
    fail_on: str | None = None,
    today: date | None = None,
    use_cache: bool = True,
) -> Report:
    """Classify every change of `api.spec` from `base_rev` to `head_rev` (both read from git).

    `base_rev` None: the first revision of a major, which has nothing to compare against.
    UsageError (exit 2) when the API has no `spec` or a revision names nothing; SpecError
    (exit 3) when the document is missing or unreadable at either revision, with its files.
    """
    if api.spec is None:
        raise UsageError(
            f"API {api.name!r} has no OpenAPI document configured",
            hint=f'set spec = "openapi.yaml" (its path in the repository) under [apis.{api.name}]',
        )
    levels = check_rules(gate)
    head_sha = _resolve(git, head_rev)
    fail_on = fail_on or gate.fail_on
    if base_rev is None:
        note = "the first revision of this major: no earlier revision to compare with"
        return Report(api.name, api.spec, "", head_rev, "", head_sha, False, fail_on, note)
    base_sha = _resolve(git, base_rev)
    cache = cache_for(git) if use_cache else ParseCache(None)
    with _collector_paused(), FileReader(git) as files:  # files are read while comparing
        old = _open(files, base_sha, base_rev, api.spec, cache)
        new = _open(files, head_sha, head_rev, api.spec, cache)
        changes = apply_levels(compare_resolved(old, new), levels)
        files_read = new.parsed_files()
        del old, new  # a few hundred thousand nodes, freed before the collector runs again
    ignore_text = git.show_file(head_sha, gate.ignore_file)
    label = f"{gate.ignore_file} at {head_rev}"
    ignores = parse_ignores(ignore_text, label) if ignore_text is not None else []
    verdict = judge(api.name, changes, fail_on, ignores, today or datetime.now(UTC).date())
    return Report(
        api.name,
        api.spec,
        base_rev,
        head_rev,
        base_sha,
        head_sha,
        True,
        fail_on,
        changes=changes,
        failing=verdict.failing,
        excused=verdict.excused,
        expired=verdict.expired,
        files=files_read,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while documents are parsed and compared. Everything built
    then is acyclic and freed by reference counting, but each full collection walks every
    node of both documents (a million objects on 4 MB of YAML): a third of the CPU time of a
    big comparison, for nothing collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _resolve(git: Git, rev: str) -> str:
    sha = git.resolve(rev)
    if sha is None:
        raise UsageError(
            f"unknown revision {rev!r}",
            hint="name a commit, branch or tag that exists here "
            "(in CI, fetch tags first: `git fetch --tags`)",
        )
    return sha


def _open(files: FileReader, sha: str, rev: str, spec: str, cache: ParseCache) -> Resolver:
    resolver = open_document(GitSource(files, sha, rev, cache), spec, cache)
    if resolver is None:
        raise SpecError(
            f"{spec} does not exist at {rev}: the breaking-change gate cannot run",
            hint=f"check `spec` in the config and that {spec} is committed at {rev} "
            f"(`git show {rev}:{spec}`); a new document starts with a new major "
            "(`relorch release --major`)",
        )
    return resolver
