"""OpenAPI compatibility: read documents, classify changes, gate releases (SPEC §7)."""

from relorch.openapi.compare import Change, compare
from relorch.openapi.gate import Report, diff_refs
from relorch.openapi.load import SpecError, parse_document

__all__ = ["Change", "Report", "SpecError", "compare", "diff_refs", "parse_document"]
