"""Validates relorch's JSON documents against the JSON Schemas shipped in the package.

`run_relorch` and `run_in_process` call `check_output` on every run given `--json`, so every
test that reads a command's JSON also proves it matches the schema docs/json.md documents.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from relorch.documents import KINDS, json_schema


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = json_schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_document(data: Any) -> dict[str, Any]:
    """Check one parsed document: a registered `schema` field and a valid body."""
    assert isinstance(data, dict), f"a JSON document is an object, got {type(data).__name__}"
    schema = data.get("schema")
    assert isinstance(schema, str) and schema.startswith("relorch-"), f"no schema field: {data}"
    kind, _, version = schema.removeprefix("relorch-").rpartition("/")
    assert KINDS.get(kind) == int(version), f"{schema} is not a registered kind"
    errors = sorted(validator(kind).iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, f"{schema} invalid: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    return data


def check_output(args: tuple[str, ...] | list[str], stdout: str) -> None:
    """With --json (before `--`), stdout is empty or exactly one valid document."""
    words = list(args)
    if "--json" not in words[: words.index("--") if "--" in words else None]:
        return
    if not stdout.strip():
        return
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"--json printed something that is not JSON: {stdout[:300]!r}"
        ) from exc
    validate_document(data)
