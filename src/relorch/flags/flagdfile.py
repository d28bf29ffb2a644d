"""Plain flagd flag files (`flags/<api>.json`) checked before they are passed through."""

from __future__ import annotations

from typing import Any

from relorch.errors import FlagFileError
from relorch.flags.logic import check_rule
from relorch.flags.source import FLAG_KEY, MAX_FLAGS

TOP_KEYS = {"$schema", "flags", "metadata", "$evaluators"}
FLAG_KEYS = {"state", "variants", "defaultVariant", "targeting", "metadata"}


def check_flagd(data: Any, where: str) -> dict[str, Any]:
    """The document, when it is a flagd flag file a provider will load; FlagFileError otherwise."""
    if not isinstance(data, dict):
        raise FlagFileError(f"{where}: a flagd file is a JSON object with a `flags` object")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise FlagFileError(
            f"{where}: unknown key {unknown[0]!r}", hint="keys: " + ", ".join(sorted(TOP_KEYS))
        )
    flags = data.get("flags")
    if not isinstance(flags, dict):
        raise FlagFileError(f"{where}: `flags` must be an object of flag key to flag")
    if len(flags) > MAX_FLAGS:
        raise FlagFileError(f"{where}: {len(flags):,} flags, more than {MAX_FLAGS:,} in one file")
    check_metadata(data.get("metadata", {}), f"{where}: metadata")
    evaluators = data.get("$evaluators", {})
    if not isinstance(evaluators, dict):
        raise FlagFileError(f"{where}: $evaluators must be an object of named rules")
    for name, rule in evaluators.items():
        check_rule(rule, f"{where}: $evaluators.{name}")
    for key, flag in flags.items():
        _check_flag(key, flag, f"{where}: {key}")
    return data


def _check_flag(key: str, flag: Any, at: str) -> None:
    if not FLAG_KEY.fullmatch(key):
        raise FlagFileError(f"{at[:200]}: flag key is not usable (letters, digits, ., - and _)")
    if not isinstance(flag, dict):
        raise FlagFileError(f"{at} must be an object")
    unknown = sorted(set(flag) - FLAG_KEYS)
    if unknown:
        raise FlagFileError(
            f"{at}: unknown key {unknown[0]!r}", hint="flag keys: " + ", ".join(sorted(FLAG_KEYS))
        )
    if flag.get("state") not in ("ENABLED", "DISABLED"):
        raise FlagFileError(f"{at}.state must be ENABLED or DISABLED, got {flag.get('state')!r}")
    variants = flag.get("variants")
    if not isinstance(variants, dict) or not variants:
        raise FlagFileError(f"{at}.variants must be a non-empty object")
    kinds = {_kind(v) for v in variants.values()}
    if len(kinds) != 1 or "other" in kinds:
        raise FlagFileError(f"{at}.variants: every variant must have the same type")
    default = flag.get("defaultVariant")
    if default is not None and default not in variants:
        raise FlagFileError(f"{at}.defaultVariant {default!r} is not one of the variants")
    if "targeting" in flag and flag["targeting"] != {}:
        check_rule(flag["targeting"], f"{at}.targeting")
    check_metadata(flag.get("metadata", {}), f"{at}.metadata")


def check_metadata(data: Any, at: str) -> None:
    """flagd metadata: an object of strings, numbers and booleans."""
    if not isinstance(data, dict):
        raise FlagFileError(f"{at} must be an object")
    for key, value in data.items():
        if not isinstance(value, str | int | float | bool):
            raise FlagFileError(f"{at}.{key} must be a string, number or boolean")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict | list) else "other"
