"""The breaking-change gate: read OpenAPI documents, classify changes, gate releases.

Owns loading documents from git (`load`), their model (`model`, `schema`, `jsontypes`),
the comparison rules (`compare`, `constraints`, `choices`, `findings`) and the release check
(`check`). May import: errors, git, config.
"""

from relorch.gate.check import Report, diff_refs
from relorch.gate.compare import Change, compare
from relorch.gate.load import SpecError, parse_document

__all__ = ["Change", "Report", "SpecError", "compare", "diff_refs", "parse_document"]
