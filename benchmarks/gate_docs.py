"""Synthetic large OpenAPI documents for the gate benchmark: realistic shape, deterministic.

The shape follows large public descriptions (payment and code-hosting APIs): many paths
with several operations, list/retrieve/create/update/delete, query parameters with enums,
hundreds of component schemas with nested objects, arrays, enums, `anyOf` expandable
fields, `oneOf` event payloads with a discriminator, and long descriptions.
"""

from __future__ import annotations

import copy
import random
from typing import Any

_WORDS = [
    "account",
    "balance",
    "charge",
    "customer",
    "dispute",
    "event",
    "file",
    "invoice",
    "item",
    "mandate",
    "order",
    "payment",
    "payout",
    "plan",
    "price",
    "product",
    "quote",
    "refund",
    "review",
    "session",
    "setup",
    "source",
    "subscription",
    "tax",
    "token",
    "transfer",
    "usage",
    "webhook",
    "capability",
    "person",
    "card",
    "bank",
    "address",
    "shipping",
    "coupon",
]
_STATUSES = ["active", "canceled", "incomplete", "past_due", "trialing", "unpaid", "paused"]


def _description(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _property(rng: random.Random, names: list[str], depth: int) -> dict[str, Any]:
    kind = rng.random()
    desc = _description(rng, rng.randint(8, 30))
    if kind < 0.35:
        schema: dict[str, Any] = {"type": "string", "maxLength": 5000, "description": desc}
    elif kind < 0.5:
        schema = {"type": "integer", "format": "int64", "description": desc}
    elif kind < 0.6:
        schema = {"type": "boolean", "description": desc}
    elif kind < 0.7:
        schema = {"type": "string", "enum": rng.sample(_STATUSES, 4), "description": desc}
    elif kind < 0.8 and names:
        schema = {
            "anyOf": [
                {"maxLength": 5000, "type": "string"},
                {"$ref": f"#/components/schemas/{rng.choice(names)}"},
            ],
            "description": desc,
            "x-expansionResources": {
                "oneOf": [{"$ref": f"#/components/schemas/{rng.choice(names)}"}]
            },
        }
    elif kind < 0.9 and depth < 2:
        schema = _object(rng, names, depth + 1, rng.randint(3, 8))
        schema["description"] = desc
    elif names:
        schema = {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{rng.choice(names)}"},
            "description": desc,
        }
    else:
        schema = {"type": "string", "nullable": True, "description": desc}
    if rng.random() < 0.2:
        schema["nullable"] = True
    return schema


def _object(rng: random.Random, names: list[str], depth: int, size: int) -> dict[str, Any]:
    props = {f"{rng.choice(_WORDS)}_{i}": _property(rng, names, depth) for i in range(size)}
    required = sorted(rng.sample(sorted(props), k=max(1, size // 3)))
    return {"type": "object", "properties": props, "required": required}


def _parameters(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "default": 10, "maximum": 100},
        },
        {"name": "starting_after", "in": "query", "schema": {"type": "string", "maxLength": 5000}},
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": rng.sample(_STATUSES, 3)},
        },
        {
            "name": "expand",
            "in": "query",
            "style": "deepObject",
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "maxLength": 5000}},
        },
    ]


def big_document(schemas: int = 700, paths: int = 450, seed: int = 7) -> dict[str, Any]:
    """A document of about 4 MB as YAML with the default sizes."""
    rng = random.Random(seed)
    names = [f"{rng.choice(_WORDS).capitalize()}{i}" for i in range(schemas)]
    components: dict[str, Any] = {}
    for index, name in enumerate(names):
        schema = _object(rng, names[:index], 0, rng.randint(6, 18))
        schema["description"] = _description(rng, 40)
        schema["title"] = name
        components[name] = schema
    events = names[:40]
    components["Event"] = {
        "oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in events],
        "discriminator": {"propertyName": "type"},
    }
    doc_paths: dict[str, Any] = {}
    for i in range(paths):
        name = names[rng.randrange(len(names))]
        ok = {
            "description": "Successful response.",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
        error = {
            "description": "Error response.",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{names[0]}"}}
            },
        }
        base = f"/v1/{rng.choice(_WORDS)}s_{i}"
        doc_paths[base] = {
            "get": {
                "operationId": f"List{i}",
                "description": _description(rng, 25),
                "parameters": _parameters(rng),
                "responses": {"200": ok, "default": error},
            },
            "post": {
                "operationId": f"Create{i}",
                "description": _description(rng, 25),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": _object(rng, names, 1, rng.randint(3, 9))
                        }
                    },
                },
                "responses": {"200": ok, "default": error},
            },
        }
        doc_paths[base + "/{id}"] = {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 5000},
                }
            ],
            "get": {
                "operationId": f"Retrieve{i}",
                "description": _description(rng, 20),
                "responses": {"200": ok, "default": error},
            },
            "delete": {"operationId": f"Delete{i}", "responses": {"200": ok, "default": error}},
        }
    doc_paths["/v1/events/{id}"] = {
        "get": {
            "responses": {
                "200": {
                    "description": "event",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Event"}}
                    },
                }
            }
        }
    }
    return {
        "openapi": "3.0.0",
        "info": {
            "title": "Synthetic payments API",
            "version": "2024-06-20",
            "description": _description(rng, 200),
        },
        "servers": [{"url": "https://api.example.com/"}],
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "paths": doc_paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def additive_revision(doc: dict[str, Any], seed: int = 11) -> dict[str, Any]:
    """The same document after a week of ordinary additive upstream commits."""
    rng = random.Random(seed)
    new = copy.deepcopy(doc)
    schemas = new["components"]["schemas"]
    names = [n for n in schemas if n != "Event"]
    for name in rng.sample(names, 60):  # new optional fields
        schemas[name]["properties"][f"added_{name.lower()}"] = {
            "type": "string",
            "maxLength": 5000,
            "description": "New.",
        }
    enums = [p for n in names for p in schemas[n]["properties"].values() if "enum" in p]
    for prop in rng.sample(enums, min(20, len(enums))):  # new response enum values
        prop["enum"] = [*prop["enum"], "requires_action"]
    for name in names[40:50]:  # new event types
        new["components"]["schemas"]["Event"]["oneOf"].append(
            {"$ref": f"#/components/schemas/{name}"}
        )
    for i in range(15):  # new endpoints
        new["paths"][f"/v1/new_things_{i}"] = copy.deepcopy(next(iter(new["paths"].values())))
    return new
