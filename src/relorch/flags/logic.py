"""Bounds on JsonLogic rules: depth and size a service can evaluate, fractional weights flagd
can sum (above 2**31-1 flagd gives up and serves the default variant, silently)."""

from __future__ import annotations

from typing import Any

from relorch.errors import FlagFileError

MAX_RULE_DEPTH = 32
MAX_RULE_NODES = 10_000
MAX_WEIGHT_SUM = 2**31 - 1  # flagd's fractional operator: the weights are summed as an int32
FLAGD_VARS = ("$flagd.timestamp", "$flagd.flagKey")


def check_rule(rule: Any, where: str) -> None:
    """A JsonLogic rule: an object, bounded, with fractional weights flagd can sum."""
    if not isinstance(rule, dict):
        raise FlagFileError(f"{where} must be a JsonLogic object, got {_kind(rule)}")
    stack: list[tuple[Any, int]] = [(rule, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_RULE_DEPTH or nodes > MAX_RULE_NODES:
            raise FlagFileError(
                f"{where}: the rule is nested more than {MAX_RULE_DEPTH} levels or has more "
                f"than {MAX_RULE_NODES:,} parts",
                hint="a service evaluates this rule on every flag read; keep it small",
            )
        if isinstance(value, dict):
            if len(value) != 1:
                raise FlagFileError(
                    f"{where}: a JsonLogic operation has exactly one operator, got "
                    f"{sorted(value)[:5]}"
                )
            ((op, args),) = value.items()
            if op == "var":
                _check_var(args, where)
            if op == "fractional":
                check_fractional(args, where)
            stack.append((args, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _check_var(args: Any, where: str) -> None:
    name = args[0] if isinstance(args, list) and args else args
    if isinstance(name, str) and name.startswith("$flagd.") and name not in FLAGD_VARS:
        raise FlagFileError(
            f"{where}: flagd only provides {' and '.join(FLAGD_VARS)}, not {name!r}"
        )


def check_fractional(args: Any, where: str) -> None:
    """Constant weights of a `fractional` must sum to at most 2**31-1 (flagd's int32)."""
    if not isinstance(args, list):
        return
    total = 0
    for item in args:
        if isinstance(item, list) and len(item) == 2:
            weight = item[1]
            if isinstance(weight, bool) or (isinstance(weight, int | float) and weight < 0):
                raise FlagFileError(f"{where}: fractional weight {weight!r} must be >= 0")
            if isinstance(weight, int | float):
                total += int(weight)
        elif isinstance(item, list) and len(item) == 1:
            total += 1
    if total > MAX_WEIGHT_SUM:
        raise FlagFileError(
            f"{where}: fractional weights sum to {total:,}, above {MAX_WEIGHT_SUM:,}: flagd "
            "would serve the default variant to everybody, without an error",
            hint="use smaller weights (percentages, or per mille) that keep the same ratio",
        )


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
