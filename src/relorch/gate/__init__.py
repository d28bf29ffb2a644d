"""The breaking-change gate: read OpenAPI documents, classify changes, gate releases.

Owns loading documents and the files they reference from git (`documents`, `load`), their
model (`model`, `schema`, `jsontypes`), the rules (`rules`, `compare`, `constraints`,
`choices`, `security`, `findings`), a team's policy (`verdict`) and the release check
(`check`). May import: errors, git, config.
"""

from relorch.gate.changes import Change
from relorch.gate.check import SCHEMA, Report, diff_refs
from relorch.gate.compare import compare
from relorch.gate.load import SpecError, parse_document
from relorch.gate.rules import LEVELS, RULES

__all__ = [
    "LEVELS",
    "RULES",
    "SCHEMA",
    "Change",
    "Report",
    "SpecError",
    "compare",
    "diff_refs",
    "parse_document",
]
