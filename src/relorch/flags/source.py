"""relorch's flag source format (`flags/<api>.yaml`): validated into Flag values.

Every problem is a FlagFileError naming the file, the flag and the key; the same rules are
written down as a JSON Schema shipped beside this module (`source.schema.json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from relorch.config import Config
from relorch.errors import FlagFileError, UsageError
from relorch.flags.logic import MAX_WEIGHT_SUM, check_rule
from relorch.flags.model import NEVER, NOW, Flag, Ramp, Release, Requirement
from relorch.versions import parse_ref

FLAG_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
MAX_FLAGS = 5000
FLAG_KEYS = {
    "description",
    "owner",
    "expires",
    "variants",
    "default",
    "on",
    "release_at",
    "ramp",
    "targeting",
    "requires",
}
BOOLEAN_VARIANTS: Mapping[str, Any] = {"on": True, "off": False}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)


def parse_flags(data: Any, where: str, api: str, config: Config) -> tuple[Flag, ...]:
    """The flags of a source file (a mapping of flag key to definition)."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise FlagFileError(
            f"{where}: must map flag keys to definitions, got {_kind(data)}",
            hint="e.g.\nnew-search:\n  owner: search-team\n  ...",
        )
    flags = {k: v for k, v in data.items() if k != "$schema"}
    if len(flags) > MAX_FLAGS:
        raise FlagFileError(
            f"{where}: {len(flags):,} flags, more than the {MAX_FLAGS:,} one file may hold",
            hint="every flag is evaluated by each service on each read: remove the flags "
            "whose code is gone (see `relorch flags check` for expired ones)",
        )
    return tuple(_flag(key, value, where, api, config) for key, value in flags.items())


def _flag(key: str, data: Any, where: str, api: str, config: Config) -> Flag:
    if not FLAG_KEY.fullmatch(key):
        raise FlagFileError(
            f"{where}: flag key {key[:80]!r} is not usable",
            hint="letters, digits, ., - and _ (at most 128), starting with a letter or digit",
        )
    at = f"{where}: {key}"
    if not isinstance(data, dict):
        raise FlagFileError(f"{at} must be a mapping of settings, got {_kind(data)}")
    unknown = sorted(set(data) - FLAG_KEYS)
    if unknown:
        raise FlagFileError(
            f"{at}: unknown key {unknown[0]!r}",
            hint="flag keys: " + ", ".join(sorted(FLAG_KEYS)),
        )
    for name in ("description", "owner", "expires", "release_at"):
        if name not in data:
            raise FlagFileError(f"{at}: {name} is required")
    description = _text(data["description"], f"{at}.description")
    owner = _text(data["owner"], f"{at}.owner")
    expires = _date(data["expires"], f"{at}.expires")
    variants, default, on = _variants(data, at)
    return Flag(
        key=key,
        description=description,
        owner=owner,
        expires=expires,
        variants=variants,
        default=default,
        on=on,
        release_at=_releases(data["release_at"], f"{at}.release_at", config),
        ramp=_ramps(data.get("ramp"), f"{at}.ramp", config),
        targeting=_targeting(data.get("targeting"), f"{at}.targeting"),
        requires=parse_requirement(data.get("requires"), f"{at}.requires", api, config),
    )


def _variants(data: dict[str, Any], at: str) -> tuple[dict[str, Any], str, str]:
    if "variants" not in data:
        variants = dict(BOOLEAN_VARIANTS)
        default = _text(data.get("default", "off"), f"{at}.default")
        on = _text(data.get("on", "on"), f"{at}.on")
    else:
        variants = data["variants"]
        if not isinstance(variants, dict) or not variants:
            raise FlagFileError(f"{at}.variants must map variant names to values")
        for name in ("default", "on"):
            if name not in data:
                raise FlagFileError(
                    f"{at}.{name} is required with variants: the variant served "
                    + ("until the flag is released" if name == "default" else "once released")
                )
        default, on = _text(data["default"], f"{at}.default"), _text(data["on"], f"{at}.on")
        kinds = {_value_kind(v) for v in variants.values()}
        if len(kinds) != 1 or None in kinds:
            raise FlagFileError(
                f"{at}.variants: every variant must have the same type (boolean, string, "
                f"number or object), got {', '.join(sorted(str(k) for k in kinds))}",
                hint="a service reads a flag with one typed call (getBooleanValue, ...)",
            )
    for name, variant in (("default", default), ("on", on)):
        if variant not in variants:
            raise FlagFileError(
                f"{at}.{name}: {variant!r} is not one of the variants: {', '.join(variants)}"
            )
    return variants, default, on


def _releases(data: Any, at: str, config: Config) -> dict[str, Release]:
    if not isinstance(data, dict):
        raise FlagFileError(f"{at} must map environments to a date, now or never")
    out = {}
    for env, value in data.items():
        _known_env(env, at, config)
        if value in (NOW, NEVER):
            out[env] = Release(value)
        else:
            out[env] = Release("at", _moment(value, f"{at}.{env}", words=True))
    return out


def _ramps(data: Any, at: str, config: Config) -> dict[str, Ramp]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FlagFileError(f"{at} must be {{start, end}} or a mapping of environments to those")
    if set(data) & {"start", "end"}:
        return {"*": _ramp(data, at)}
    out = {}
    for env, value in data.items():
        _known_env(env, at, config)
        out[env] = _ramp(value, f"{at}.{env}")
    return out


def _ramp(data: Any, at: str) -> Ramp:
    if not isinstance(data, dict) or set(data) != {"start", "end"}:
        raise FlagFileError(f"{at} must have exactly start and end (RFC 3339 date-times)")
    ramp = Ramp(_moment(data["start"], f"{at}.start"), _moment(data["end"], f"{at}.end"))
    if ramp.seconds <= 0:
        raise FlagFileError(f"{at}: end must be after start")
    if ramp.seconds > MAX_WEIGHT_SUM:
        raise FlagFileError(
            f"{at}: a ramp of {ramp.seconds:,} seconds is weighted a unit a second, above "
            f"flagd's limit of {MAX_WEIGHT_SUM:,}: it would serve the default to everybody",
            hint="ramp over less than 68 years",
        )
    return ramp


def _targeting(data: Any, at: str) -> dict[str, Any] | None:
    if data is None:
        return None
    check_rule(data, at)
    return dict(data)


def parse_requirement(data: Any, at: str, api: str, config: Config) -> Requirement | None:
    """`v2@rev3`, `other-api/v1@rev2`, a tag name, or {api, major, revision}."""
    if data is None:
        return None
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"api", "major", "revision"})
        if unknown or "major" not in data:
            raise FlagFileError(
                f"{at}: needs major (and optionally api, revision), got {sorted(data)}"
            )
        name = data.get("api", api)
        major, revision = data["major"], data.get("revision")
        for label, number in (("major", major), ("revision", revision)):
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int) or number < 1
            ):
                raise FlagFileError(f"{at}.{label} must be a whole number >= 1, got {number!r}")
        if not isinstance(name, str) or name not in config.apis:
            raise FlagFileError(
                f"{at}: no API named {name!r}", hint="APIs: " + ", ".join(config.apis)
            )
        text = f"{name}/v{major}" + (f"@rev{revision}" if revision else "")
        return Requirement(name, major, revision, text)
    if not isinstance(data, str):
        raise FlagFileError(f"{at} must be a REF such as v2@rev3, got {_kind(data)}")
    try:
        ref = parse_ref(data, {n: a.scheme for n, a in config.apis.items()})
    except UsageError as exc:
        raise FlagFileError(f"{at}: {exc.message}", hint=exc.hint) from None
    if ref.which not in (None, "rev", "latest"):
        raise FlagFileError(
            f"{at}: {data!r} moves with the environment; name a revision (v2@rev3) or a major"
        )
    name = ref.api or api
    if name not in config.apis:
        raise FlagFileError(f"{at}: no API named {name!r}", hint="APIs: " + ", ".join(config.apis))
    revision = ref.revision if ref.which == "rev" else None
    return Requirement(
        name, ref.major, revision, f"{name}/v{ref.major}" + (f"@rev{revision}" if revision else "")
    )


def _known_env(env: str, at: str, config: Config) -> None:
    if env not in config.environments:
        known = ", ".join(config.environments) or "none configured"
        raise FlagFileError(
            f"{at}: unknown environment {env!r}",
            hint=f"environments: {known} (declared as [environments.NAME] in the config)",
        )


def _text(value: Any, at: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FlagFileError(f"{at} must be non-empty text, got {_kind(value)} {str(value)[:40]!r}")
    return value


def _date(value: Any, at: str) -> date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return _moment(value, at).date()
    raise FlagFileError(f"{at} must be a date such as 2027-06-30, got {str(value)[:40]!r}")


def _moment(value: Any, at: str, *, words: bool = False) -> datetime:
    text = value if isinstance(value, str) else None
    try:
        if text is not None and _DATETIME.fullmatch(text):
            return datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        if text is not None and _DATE.fullmatch(text):
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        pass
    also = ", now or never" if words else ""
    raise FlagFileError(
        f"{at} must be an RFC 3339 date-time with a zone (2027-01-15T09:00:00Z) or a date"
        f"{also}, got {str(value)[:40]!r}"
    )


def _value_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return None


def _kind(value: Any) -> str:
    return _value_kind(value) or ("array" if isinstance(value, list) else "null")


def source_schema() -> str:
    """The JSON Schema of this format, as shipped in the wheel (`relorch flags schema`)."""
    from importlib.resources import files

    return files("relorch.flags").joinpath("source.schema.json").read_text(encoding="utf-8")
