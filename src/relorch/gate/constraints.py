"""Keyword-level findings of one schema pair: format, enum, bounds, multipleOf, pattern.

Each finding says whether the set of values the schema allows shrank (NARROWED), grew
(WIDENED) or moved (CHANGED); schema.py turns that into breaking or not by direction.
"""

from __future__ import annotations

import json
from enum import Enum
from fractions import Fraction
from typing import Any

from relorch.gate.errors import SpecError
from relorch.gate.load import LOWER_BOUNDS, UPPER_BOUNDS


class Effect(Enum):
    """How a change moves the set of values a schema allows."""

    NARROWED = "narrowed"
    WIDENED = "widened"
    CHANGED = "changed"


Found = tuple[str, str, Effect, str]  # kind, message, effect, rule (without its context)
Labels = tuple[str, str]  # the base and head documents, for error messages

_FORMAT_STEPS = {
    ("int32", "int64"): Effect.WIDENED,
    ("float", "double"): Effect.WIDENED,
    ("int64", "int32"): Effect.NARROWED,
    ("double", "float"): Effect.NARROWED,
}
_EXCLUSIVE = {"maximum": "exclusiveMaximum", "minimum": "exclusiveMinimum"}
_SIZES = ("minLength", "minItems", "minProperties")  # 0 is the default, not a constraint
_KEYWORDS = (
    *UPPER_BOUNDS,
    *LOWER_BOUNDS,
    "exclusiveMaximum",
    "exclusiveMinimum",
    "format",
    "enum",
    "const",
    "multipleOf",
    "pattern",
    "uniqueItems",
)
_SUBJECT = {
    "maximum": "maximum",
    "minimum": "minimum",
    "maxLength": "max-length",
    "minLength": "min-length",
    "maxItems": "max-items",
    "minItems": "min-items",
    "maxProperties": "max-properties",
    "minProperties": "min-properties",
}
# Patterns that accept every string: the same as no pattern.
_ANY_PATTERN = frozenset({".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$"})


def constraint_findings(
    b: dict[str, Any], h: dict[str, Any], labels: Labels, where: str
) -> list[Found]:
    """Format, enum, numeric and size bounds, multipleOf, pattern and uniqueItems."""
    if all(_plain_equal(b.get(key), h.get(key)) for key in _KEYWORDS):
        return []  # the common case: nothing below changed either
    found = _format(b.get("format"), h.get("format"))
    found += _enum(_enum_values(b, labels[0], where), _enum_values(h, labels[1], where))
    for key in UPPER_BOUNDS + LOWER_BOUNDS:
        old, new = _bound(b, key, labels[0], where), _bound(h, key, labels[1], where)
        effect = _bound_effect(old, new, upper=key in UPPER_BOUNDS)
        if effect is not None:
            found.append(
                (
                    f"constraint-{effect.value}",
                    f"{key} changed from {_show_bound(old)} to {_show_bound(new)}",
                    effect,
                    f"{_SUBJECT[key]}-{effect.value}",
                )
            )
    found += _multiple_of(b, h, labels, where)
    old_pattern, new_pattern = _pattern(b), _pattern(h)
    if old_pattern != new_pattern:
        effect, rule = (
            (Effect.NARROWED, "pattern-added")
            if old_pattern is None
            else (Effect.WIDENED, "pattern-removed")
            if new_pattern is None
            else (Effect.CHANGED, "pattern-changed")
        )
        found.append(
            (
                f"constraint-{effect.value}",
                f"pattern changed from {_show(b.get('pattern'))} to {_show(h.get('pattern'))}",
                effect,
                rule,
            )
        )
    if (b.get("uniqueItems") is True) != (h.get("uniqueItems") is True):
        effect = Effect.NARROWED if h.get("uniqueItems") is True else Effect.WIDENED
        found.append(
            (
                f"constraint-{effect.value}",
                "items must now be unique"
                if effect is Effect.NARROWED
                else "items no longer need to be unique",
                effect,
                "unique-items-added" if effect is Effect.NARROWED else "unique-items-removed",
            )
        )
    return found


def _plain_equal(old: Any, new: Any) -> bool:
    """Equal scalars, or equal lists of scalars; False for anything deeper (a YAML alias bomb
    inside an enum must not be walked by `==`: the canonical form below bounds it)."""
    if old is new:
        return True
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(
            _plain_equal(x, y) and not isinstance(x, list) for x, y in zip(old, new, strict=True)
        )
    scalar = (str, int, float, bool)
    return isinstance(old, scalar) and type(old) is type(new) and old == new


def _format(old: Any, new: Any) -> list[Found]:
    if old == new:
        return []
    if new is None:
        effect = Effect.WIDENED
    elif old is None:
        effect = Effect.NARROWED
    elif isinstance(old, str) and isinstance(new, str):
        effect = _FORMAT_STEPS.get((old, new), Effect.CHANGED)
    else:
        effect = Effect.CHANGED
    message = f"format changed from {_show(old)} to {_show(new)}"
    return [("format-changed", message, effect, f"format-{effect.value}")]


def _enum_values(schema: dict[str, Any], label: str, where: str) -> dict[str, Any] | None:
    """Allowed values (canonical JSON -> value); None when the schema has no enum or const."""
    if "enum" in schema:
        raw = schema["enum"]
        if not isinstance(raw, list):
            raise SpecError(f"{label}: {where}: enum must be a list")
    elif "const" in schema:
        raw = [schema["const"]]
    else:
        return None
    return {_canonical(value, label, where): value for value in raw}


def _enum(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Found]:
    if old is None or new is None:
        if new is not None:
            message = "values restricted to " + ", ".join(sorted(new))
            return [("enum-added", message, Effect.NARROWED, "became-enum")]
        if old is not None:
            message = "values no longer restricted to an enum"
            return [("enum-removed", message, Effect.WIDENED, "enum-removed")]
        return []
    found: list[Found] = []
    if removed := sorted(old.keys() - new.keys()):
        message = "enum values removed: " + ", ".join(removed)
        found.append(("enum-value-removed", message, Effect.NARROWED, "enum-value-removed"))
    if added := sorted(new.keys() - old.keys()):
        message = "enum values added: " + ", ".join(added)
        found.append(("enum-value-added", message, Effect.WIDENED, "enum-value-added"))
    return found


def _canonical(value: Any, label: str, where: str, depth: int = 0) -> str:
    """A stable text for any YAML value, so enum values compare and sort deterministically."""
    return json.dumps(_plain(value, label, where, depth), sort_keys=True)


def _plain(value: Any, label: str, where: str, depth: int) -> Any:
    if depth > 32:
        raise SpecError(f"{label}: {where}: enum value nested too deeply")
    if isinstance(value, dict):
        return {str(k): _plain(v, label, where, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, label, where, depth + 1) for v in value]
    if isinstance(value, set | frozenset):  # YAML !!set: sorted, not in hash order
        return sorted(_canonical(v, label, where, depth + 1) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # YAML timestamps, binary, sets


def _number(schema: dict[str, Any], key: str, label: str, where: str) -> float | None:
    value = schema.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{label}: {where}: {key} must be a number, got {_show(value)}")
    return value


Bound = tuple[float, bool]  # value, exclusive


def _bound(schema: dict[str, Any], key: str, label: str, where: str) -> Bound | None:
    """The effective bound; OpenAPI 3.0 (boolean) and 3.1 (numeric) exclusive forms."""
    value = _number(schema, key, label, where)
    if key in _SIZES and value == 0:
        value = None
    exclusive_key = _EXCLUSIVE.get(key)
    if exclusive_key is None:
        return None if value is None else (value, False)
    flag = schema.get(exclusive_key)
    if isinstance(flag, bool):
        return None if value is None else (value, flag)
    candidates = [] if value is None else [(value, False)]
    other = _number(schema, exclusive_key, label, where)
    if other is not None:
        candidates.append((other, True))
    if not candidates:
        return None
    # The stricter of the two: the smaller maximum, the larger minimum; exclusive wins a tie.
    if key == "maximum":
        return min(candidates, key=lambda c: (c[0], not c[1]))
    return max(candidates, key=lambda c: (c[0], c[1]))


def _bound_effect(old: Bound | None, new: Bound | None, *, upper: bool) -> Effect | None:
    if old == new:
        return None
    if old is None:
        return Effect.NARROWED
    if new is None:
        return Effect.WIDENED
    # Order bounds by strictness: for an upper bound smaller is stricter, for a lower larger.
    old_key = (old[0], not old[1]) if upper else (-old[0], not old[1])
    new_key = (new[0], not new[1]) if upper else (-new[0], not new[1])
    if old_key == new_key:
        return None
    return Effect.NARROWED if new_key < old_key else Effect.WIDENED


def _show_bound(bound: Bound | None) -> str:
    if bound is None:
        return "none"
    return f"{_show(bound[0])} (exclusive)" if bound[1] else _show(bound[0])


def _multiple_of(b: dict[str, Any], h: dict[str, Any], labels: Labels, where: str) -> list[Found]:
    old, new = (_step(b, labels[0], where), _step(h, labels[1], where))
    if old == new:
        return []
    if new is None:
        effect = Effect.WIDENED
    elif old is None:
        effect = Effect.NARROWED
    elif (old / new).denominator == 1:  # 10 -> 5: every multiple of 10 is a multiple of 5
        effect = Effect.WIDENED
    elif (new / old).denominator == 1:
        effect = Effect.NARROWED
    else:
        effect = Effect.CHANGED
    return [
        (
            f"constraint-{effect.value}",
            f"multipleOf changed from {_show(_float(old))} to {_show(_float(new))}",
            effect,
            f"multiple-of-{effect.value}",
        )
    ]


def _pattern(schema: dict[str, Any]) -> Any:
    """The pattern, None when there is none or it accepts everything (`.*`)."""
    value = schema.get("pattern")
    return None if isinstance(value, str) and value in _ANY_PATTERN else value


def default_findings(
    b: dict[str, Any], h: dict[str, Any], labels: Labels, where: str
) -> list[Found]:
    """`default` added, removed or changed; its effect depends on the place (rules.py)."""
    if "default" not in b and "default" not in h:
        return []
    old = _canonical(b["default"], labels[0], where) if "default" in b else None
    new = _canonical(h["default"], labels[1], where) if "default" in h else None
    if old == new:
        return []
    suffix = "added" if old is None else "removed" if new is None else "changed"
    message = f"default changed from {old or 'none'} to {new or 'none'}"
    return [("default-changed", message, Effect.CHANGED, f"default-{suffix}")]


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _step(schema: dict[str, Any], label: str, where: str) -> Fraction | None:
    value = _number(schema, "multipleOf", label, where)
    if value is None:
        return None
    try:
        step = Fraction(str(value))  # str(): 0.1 stays one tenth, not a binary approximation
    except ValueError:
        step = Fraction(0)
    if step <= 0:
        raise SpecError(f"{label}: {where}: multipleOf must be a positive number")
    return step


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, default=str) if isinstance(value, str) else str(value)
