"""JSON types a schema allows, and how a change of `type` (or `nullable`) moves them."""

from __future__ import annotations

from typing import Any

from relorch.gate.constraints import Effect, Found
from relorch.gate.errors import SpecError

_OBJECT_KEYS = ("properties", "additionalProperties", "required", "minProperties", "maxProperties")
_ARRAY_KEYS = ("items", "minItems", "maxItems", "uniqueItems")


def types_of(schema: dict[str, Any], label: str, where: str) -> frozenset[str] | None:
    """The JSON types a schema allows (None: any), `nullable` included, `type` inferred from
    object/array keywords when absent."""
    raw = schema.get("type")
    if raw is None:
        found = {"object"} if any(k in schema for k in _OBJECT_KEYS) else set()
        found |= {"array"} if any(k in schema for k in _ARRAY_KEYS) else set()
        if not found:
            return None
    elif isinstance(raw, str):
        found = {raw}
    elif isinstance(raw, list) and raw and all(isinstance(t, str) for t in raw):
        found = set(raw)
    else:
        raise SpecError(f"{label}: {where}: type must be a string or a list of strings")
    if schema.get("nullable") is True:
        found.add("null")
    return frozenset(found)


def _atoms(types: frozenset[str] | None) -> frozenset[str] | None:
    # Every integer is a number: integer -> number widens, number -> integer narrows.
    return None if types is None else types | ({"integer"} if "number" in types else set())


def set_effect(old: frozenset[str] | None, new: frozenset[str] | None) -> Effect | None:
    """How the allowed set moved, None meaning "any"; None when it did not move."""
    if old == new:
        return None
    if old is None:
        return Effect.NARROWED
    if new is None:
        return Effect.WIDENED
    if new < old:
        return Effect.NARROWED
    return Effect.WIDENED if old < new else Effect.CHANGED


def disjoint(old: frozenset[str] | None, new: frozenset[str] | None) -> bool:
    """True when no value has a type both allow (string -> object)."""
    a, b = _atoms(old), _atoms(new)
    return a is not None and b is not None and not a & b


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types)) or "nothing"


def type_findings(old: frozenset[str] | None, new: frozenset[str] | None) -> list[Found]:
    """A type change, or a nullability change when that is all that moved."""
    effect = set_effect(_atoms(old), _atoms(new))
    if effect is None:
        return []
    if old is not None and new is not None and old - {"null"} == new - {"null"}:
        now = "null" in new
        message = "value may now be null" if now else "value may no longer be null"
        return [
            (
                "nullable-changed",
                message,
                effect,
                "became-nullable" if now else "became-not-nullable",
            )
        ]
    message = f"type changed from {_show_types(old)} to {_show_types(new)}"
    return [("type-changed", message, effect, f"type-{effect.value}")]
