"""Builders for small OpenAPI documents used by the breaking-change tests."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def spec(
    paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.0.3"
) -> dict[str, Any]:
    """A whole OpenAPI 3 document."""
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "Products", "version": "1"},
        "paths": paths,
    }
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    return doc


def content(schema: Any, media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": schema}}


def request(
    schema: Any, *, required: bool = True, media: str = "application/json"
) -> dict[str, Any]:
    """POST /products taking `schema` as its body."""
    body = {"required": required, "content": content(schema, media)}
    return spec(
        {"/products": {"post": {"requestBody": body, "responses": {"201": {"description": "ok"}}}}}
    )


def response(
    schema: Any, *, status: str = "200", media: str = "application/json"
) -> dict[str, Any]:
    """GET /products/{id} returning `schema`."""
    op = {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {status: {"description": "ok", "content": content(schema, media)}},
    }
    return spec({"/products/{id}": {"get": op}})


def params(*parameters: dict[str, Any]) -> dict[str, Any]:
    """GET /products with these parameters."""
    op = {"parameters": list(parameters), "responses": {"200": {"description": "ok"}}}
    return spec({"/products": {"get": op}})


def query(
    name: str, schema: Schema | None = None, *, required: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema or {"type": "string"},
        **extra,
    }


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    """An object schema."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
