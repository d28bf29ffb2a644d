"""The rule reference of docs/breaking-changes.md, generated from the rule registry."""

from __future__ import annotations

from relorch.gate.rules import (
    REQUEST_CONTEXTS,
    RESPONSE_CONTEXTS,
    RULES,
    schema_suffixes,
)

CONTEXTS = REQUEST_CONTEXTS + RESPONSE_CONTEXTS
_SHORT = {
    "breaking": "**breaking**",
    "potentially-breaking": "potentially",
    "compatible": "compatible",
}


def rule_reference() -> str:
    """Markdown: schema rules (one row per change, a level per place) and the other rules."""
    lines = [
        "### Schema rules",
        "",
        "The rule id is the place followed by the change: `response-body-enum-value-added`,",
        "`request-parameter-max-length-narrowed`, `response-header-type-changed`.",
        "",
        "| change | what | example | " + " | ".join(f"`{c}-…`" for c in CONTEXTS) + " |",
        "|---|---|---|" + "---|" * len(CONTEXTS),
    ]
    for suffix in schema_suffixes():
        first = RULES[f"{CONTEXTS[0]}-{suffix}"]
        levels = " | ".join(_SHORT[RULES[f"{c}-{suffix}"].level] for c in CONTEXTS)
        lines.append(f"| `{suffix}` | {first.what} | {first.example} | {levels} |")
    lines += [
        "",
        "### Other rules",
        "",
        "| rule id | level | what | example |",
        "|---|---|---|---|",
    ]
    for rule in RULES.values():
        if not any(
            rule.id.startswith(f"{c}-") and rule.id[len(c) + 1 :] in schema_suffixes()
            for c in CONTEXTS
        ):
            lines.append(f"| `{rule.id}` | {_SHORT[rule.level]} | {rule.what} | {rule.example} |")
    return "\n".join(lines) + "\n"
