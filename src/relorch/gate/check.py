"""The breaking-change gate: compare an API's OpenAPI document at two revisions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from relorch.errors import UsageError
from relorch.gate.compare import Change, compare
from relorch.gate.load import parse_document

if TYPE_CHECKING:
    from relorch.config import ApiConfig
    from relorch.git.gateway import Git


@dataclass(frozen=True)
class Report:
    """What changed in one API's document between BASE and HEAD; pure data, no printing."""

    api: str
    spec: str
    base: str
    head: str
    base_sha: str
    head_sha: str
    compared: bool  # False: no document at BASE, so nothing to compare
    note: str = ""
    breaking: list[Change] = field(default_factory=list)
    compatible: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when HEAD may be released as a revision of BASE's major."""
        return not self.breaking

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the `--json` output of `relorch diff`)."""
        return {
            "api": self.api,
            "spec": self.spec,
            "base": self.base,
            "head": self.head,
            "base_sha": self.base_sha,
            "head_sha": self.head_sha,
            "compared": self.compared,
            "note": self.note,
            "ok": self.ok,
            "breaking": [c.to_dict() for c in self.breaking],
            "compatible": [c.to_dict() for c in self.compatible],
        }


def diff_refs(git: Git, api: ApiConfig, base_rev: str, head_rev: str) -> Report:
    """Classify every change of `api.spec` from `base_rev` to `head_rev`.

    UsageError (exit 2) when the API has no `spec`, a revision names nothing, or a document is
    not valid YAML/JSON OpenAPI (the message names the file and the revision).
    """
    if api.spec is None:
        raise UsageError(
            f"API {api.name!r} has no OpenAPI document configured",
            hint=f'set spec = "openapi.yaml" (its path in the repository) under [apis.{api.name}]',
        )
    shas = []
    for rev in (base_rev, head_rev):
        sha = git.resolve(rev)
        if sha is None:
            raise UsageError(
                f"unknown revision {rev!r}",
                hint="name a commit, branch or tag that exists here "
                "(in CI, fetch tags first: `git fetch --tags`)",
            )
        shas.append(sha)
    report = Report(api.name, api.spec, base_rev, head_rev, shas[0], shas[1], compared=False)
    base_text = git.show_file(shas[0], api.spec)
    if base_text is None:
        return replace(report, note=f"{api.spec} does not exist at {base_rev}: nothing to compare")
    head_text = git.show_file(shas[1], api.spec)
    if head_text is None:
        removed = Change(api.spec, "spec-removed", f"{api.spec} was removed", True)
        return replace(
            report,
            compared=True,
            note=f"{api.spec} does not exist at {head_rev}",
            breaking=[removed],
        )
    if head_text == base_text:  # the common case for a release: the document did not change
        return replace(report, compared=True)
    base_label, head_label = f"{api.spec} at {base_rev}", f"{api.spec} at {head_rev}"
    changes = compare(
        parse_document(base_text, base_label),
        parse_document(head_text, head_label),
        base_label=base_label,
        head_label=head_label,
    )
    return replace(
        report,
        compared=True,
        breaking=[c for c in changes if c.breaking],
        compatible=[c for c in changes if not c.breaking],
    )
