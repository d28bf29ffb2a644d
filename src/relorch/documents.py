"""The JSON documents relorch prints: every kind, its version and its JSON Schema.

Every machine-readable document relorch writes (`--json` output, rendered manifests) carries
`"schema": "relorch-<kind>/<version>"`. A kind is registered here once, with a JSON Schema in
`relorch/schemas/json/<kind>.json` and a section in docs/json.md; tests/test_documents.py keeps
the three in step and validates what the commands really print against the schemas.
"""

from __future__ import annotations

from typing import Any

# kind -> version. Bump the version when a field changes meaning or disappears (adding a field
# is compatible and keeps it); the schema file describes the current version.
KINDS: dict[str, int] = {
    "announce": 1,
    "announcement": 1,
    "deploy": 1,
    "deploy-plan": 1,
    "diff": 1,
    "error": 1,
    "flags-check": 1,
    "flags-due": 1,
    "flags-publish": 1,
    "flags-render": 1,
    "headers": 1,
    "history": 1,
    "hold": 1,
    "init": 1,
    "manifest": 1,
    "notify": 1,
    "plan": 1,
    "release": 1,
    "report": 1,
    "render": 1,
    "status": 1,
}


def schema_id(kind: str) -> str:
    """`relorch-<kind>/<version>`: the `schema` field of a document of `kind`."""
    try:
        return f"relorch-{kind}/{KINDS[kind]}"
    except KeyError:
        # A programming error, not a user's: every kind is registered in KINDS.
        raise ValueError(f"unregistered JSON document kind {kind!r}") from None


def document(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its `schema` field first."""
    return {"schema": schema_id(kind), **{k: v for k, v in data.items() if k != "schema"}}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a kind, as shipped in the package."""
    schema_id(kind)
    import json  # on first use, as resources below
    from importlib import resources  # on first use: 3 ms every command would pay

    text = resources.files("relorch").joinpath("schemas", "json", f"{kind}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
