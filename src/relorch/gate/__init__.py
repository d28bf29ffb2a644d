"""The breaking-change gate: read OpenAPI documents, classify changes, gate releases.

Owns its two refusals (`errors`, light: what callers that only catch them import), loading
documents and the files they reference from git (`documents`, `yamltext`, `load`), their
model (`model`, `schema`, `jsontypes`), the rules (`rules`, `compare`, `constraints`,
`choices`, `security`, `findings`), a team's policy (`verdict`) and the release check
(`check`). May import: errors, git, config.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relorch.gate.changes import Change
    from relorch.gate.check import SCHEMA, Report, diff_refs
    from relorch.gate.errors import SpecError
    from relorch.gate.load import parse_document
    from relorch.gate.rules import LEVELS, RULES

# (`compare` is both a module and its function: import it from relorch.gate.compare.)
# Imported on first use: the config reads `gate.rules` to check [gate], and importing the
# whole gate (YAML parsers, the model, the comparers) for that cost every command ~30 ms.
_EXPORTS = {
    "Change": "changes",
    "SCHEMA": "check",
    "Report": "check",
    "diff_refs": "check",
    "SpecError": "errors",
    "parse_document": "load",
    "LEVELS": "rules",
    "RULES": "rules",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)


__all__ = [
    "LEVELS",
    "RULES",
    "SCHEMA",
    "Change",
    "Report",
    "SpecError",
    "diff_refs",
    "parse_document",
]
