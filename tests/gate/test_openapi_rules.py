"""The policy, rule by rule: a table of (BASE, HEAD) pairs and the changes each must yield."""

from __future__ import annotations

from typing import Any

import pytest

from relorch.gate import RULES
from relorch.gate.compare import compare
from tests.gate.openapi_docs import (
    INTEGER,
    NUMBER,
    STRING,
    obj,
    params,
    query,
    request,
    response,
    spec,
)

Case = tuple[str, dict[str, Any], dict[str, Any], list[tuple[str, bool]]]


def two_ops(*methods: str) -> dict[str, Any]:
    ok = {"responses": {"200": {"description": "ok"}}}
    return spec({"/products": dict.fromkeys(methods, ok)})


def one_of(*refs: str, media_schema: bool = True) -> dict[str, Any]:
    return {"oneOf": [{"$ref": f"#/components/schemas/{r}"} for r in refs]}


def with_schemas(doc: dict[str, Any], **schemas: Any) -> dict[str, Any]:
    doc["components"] = {"schemas": schemas}
    return doc


CAT, DOG = obj(("meow",), meow=STRING), obj(("bark",), bark=STRING)

BREAKING: list[Case] = [
    ("path removed", spec({"/a": {}, "/b": {}}), spec({"/a": {}}), [("path-removed", True)]),
    (
        "path renamed",
        spec({"/products": {}}),
        spec({"/items": {}}),
        [("path-added", False), ("path-removed", True)],
    ),
    ("operation removed", two_ops("get", "delete"), two_ops("get"), [("operation-removed", True)]),
    ("parameter removed", params(query("limit")), params(), [("parameter-removed", True)]),
    (
        "parameter renamed",
        params(query("limit")),
        params(query("max")),
        [("parameter-added", False), ("parameter-removed", True)],
    ),
    (
        "parameter moved from query to header",
        params(query("limit")),
        params({"name": "limit", "in": "header", "schema": STRING}),
        [("parameter-added", False), ("parameter-removed", True)],
    ),
    (
        "optional parameter made required",
        params(query("limit")),
        params(query("limit", required=True)),
        [("parameter-now-required", True)],
    ),
    (
        "required parameter added",
        params(),
        params(query("limit", required=True)),
        [("parameter-added", True)],
    ),
    (
        "parameter serialisation changed",
        params(query("ids", {"type": "array", "items": STRING})),
        params(query("ids", {"type": "array", "items": STRING}, style="pipeDelimited")),
        [("parameter-style-changed", True)],
    ),
    (
        "parameter type changed",
        params(query("limit", INTEGER)),
        params(query("limit", STRING)),
        [("type-changed", True)],
    ),
    (
        "response property removed",
        response(obj(id=STRING, price=NUMBER)),
        response(obj(id=STRING)),
        [("property-removed", True)],
    ),
    (
        "response property renamed",
        response(obj(price=NUMBER)),
        response(obj(cost=NUMBER)),
        [("property-added", False), ("property-removed", True)],
    ),
    (
        "request property removed",
        request(obj(name=STRING, note=STRING)),
        request(obj(name=STRING)),
        [("property-removed", True)],
    ),
    (
        "optional request property made required",
        request(obj(name=STRING)),
        request(obj(("name",), name=STRING)),
        [("property-now-required", True)],
    ),
    (
        "required request property added",
        request(obj(name=STRING)),
        request(obj(("sku",), name=STRING, sku=STRING)),
        [("property-added", True)],
    ),
    (
        "required request body added",
        spec({"/products": {"post": {"responses": {"201": {"description": "ok"}}}}}),
        request(obj(name=STRING)),
        [("request-body-added", True)],
    ),
    (
        "optional request body made required",
        request(obj(name=STRING), required=False),
        request(obj(name=STRING)),
        [("request-body-now-required", True)],
    ),
    (
        "request body removed",
        request(obj(name=STRING)),
        spec({"/products": {"post": {"responses": {"201": {"description": "ok"}}}}}),
        [("request-body-removed", True)],
    ),
    (
        "request type string to integer",
        request(obj(code=STRING)),
        request(obj(code=INTEGER)),
        [("type-changed", True)],
    ),
    (
        "response type integer to string",
        response(obj(id=INTEGER)),
        response(obj(id=STRING)),
        [("type-changed", True)],
    ),
    (
        "response integer widened to number",
        response(obj(n=INTEGER)),
        response(obj(n=NUMBER)),
        [("type-changed", True)],
    ),
    (
        "request number narrowed to integer",
        request(obj(n=NUMBER)),
        request(obj(n=INTEGER)),
        [("type-changed", True)],
    ),
    (
        "request format added",
        request(obj(at=STRING)),
        request(obj(at={"type": "string", "format": "date-time"})),
        [("format-changed", True)],
    ),
    (
        "request format narrowed int64 to int32",
        request(obj(n={"type": "integer", "format": "int64"})),
        request(obj(n={"type": "integer", "format": "int32"})),
        [("format-changed", True)],
    ),
    (
        "response format widened int32 to int64",
        response(obj(n={"type": "integer", "format": "int32"})),
        response(obj(n={"type": "integer", "format": "int64"})),
        [("format-changed", True)],
    ),
    (
        "request enum value removed",
        request(obj(c={"type": "string", "enum": ["red", "blue"]})),
        request(obj(c={"type": "string", "enum": ["red"]})),
        [("enum-value-removed", True)],
    ),
    (
        "request enum added",
        request(obj(c=STRING)),
        request(obj(c={"type": "string", "enum": ["red"]})),
        [("enum-added", True)],
    ),
    (
        "response enum value added",
        response(obj(c={"type": "string", "enum": ["red"]})),
        response(obj(c={"type": "string", "enum": ["red", "blue"]})),
        [("enum-value-added", True)],
    ),
    (
        "request maxLength lowered",
        request(obj(n={"type": "string", "maxLength": 10})),
        request(obj(n={"type": "string", "maxLength": 5})),
        [("constraint-narrowed", True)],
    ),
    (
        "request maxLength added",
        request(obj(n=STRING)),
        request(obj(n={"type": "string", "maxLength": 5})),
        [("constraint-narrowed", True)],
    ),
    (
        "request minLength raised",
        request(obj(n={"type": "string", "minLength": 1})),
        request(obj(n={"type": "string", "minLength": 3})),
        [("constraint-narrowed", True)],
    ),
    (
        "request maximum lowered",
        request(obj(n={"type": "integer", "maximum": 100})),
        request(obj(n={"type": "integer", "maximum": 99})),
        [("constraint-narrowed", True)],
    ),
    (
        "request maximum made exclusive (3.0)",
        request(obj(n={"type": "integer", "maximum": 100})),
        request(obj(n={"type": "integer", "maximum": 100, "exclusiveMaximum": True})),
        [("constraint-narrowed", True)],
    ),
    (
        "request minimum raised (3.1 exclusive)",
        request(obj(n={"type": "integer", "minimum": 0})),
        request(obj(n={"type": "integer", "exclusiveMinimum": 0})),
        [("constraint-narrowed", True)],
    ),
    (
        "request maxItems lowered",
        request(obj(n={"type": "array", "items": STRING, "maxItems": 9})),
        request(obj(n={"type": "array", "items": STRING, "maxItems": 3})),
        [("constraint-narrowed", True)],
    ),
    (
        "request uniqueItems added",
        request(obj(n={"type": "array", "items": STRING})),
        request(obj(n={"type": "array", "items": STRING, "uniqueItems": True})),
        [("constraint-narrowed", True)],
    ),
    (
        "request multipleOf made coarser",
        request(obj(n={"type": "number", "multipleOf": 0.5})),
        request(obj(n={"type": "number", "multipleOf": 1})),
        [("constraint-narrowed", True)],
    ),
    (
        "request pattern added",
        request(obj(n=STRING)),
        request(obj(n={"type": "string", "pattern": "^[A-Z]+$"})),
        [("constraint-narrowed", True)],
    ),
    (
        "request pattern changed",
        request(obj(n={"type": "string", "pattern": "^[a-z]+$"})),
        request(obj(n={"type": "string", "pattern": "^[A-Z]+$"})),
        [("constraint-changed", True)],
    ),
    (
        "response maximum raised",
        response(obj(n={"type": "integer", "maximum": 10})),
        response(obj(n={"type": "integer", "maximum": 1000})),
        [("constraint-widened", True)],
    ),
    (
        "success response removed",
        response(obj(id=STRING)),
        response(obj(id=STRING), status="201"),
        [("response-added", False), ("response-removed", True)],
    ),
    (
        "request media type removed",
        request(obj(n=STRING), media="application/xml"),
        request(obj(n=STRING)),
        [("media-type-added", False), ("media-type-removed", True)],
    ),
    (
        "response media type removed",
        response(obj(n=STRING), media="text/csv"),
        response(obj(n=STRING)),
        [("media-type-added", False), ("media-type-removed", True)],
    ),
    (
        "response property made optional",
        response(obj(("id",), id=STRING)),
        response(obj(id=STRING)),
        [("property-now-optional", True)],
    ),
    (
        "response property made nullable",
        response(obj(id=STRING)),
        response(obj(id={"type": "string", "nullable": True})),
        [("nullable-changed", True)],
    ),
    (
        "request property no longer nullable",
        request(obj(id={"type": "string", "nullable": True})),
        request(obj(id=STRING)),
        [("nullable-changed", True)],
    ),
    (
        "nested array item property removed in response",
        response(obj(items={"type": "array", "items": obj(price=NUMBER, sku=STRING)})),
        response(obj(items={"type": "array", "items": obj(sku=STRING)})),
        [("property-removed", True)],
    ),
    (
        "required property added deep inside a request array",
        request(obj(lines={"type": "array", "items": obj(sku=STRING)})),
        request(obj(lines={"type": "array", "items": obj(("qty",), sku=STRING, qty=INTEGER)})),
        [("property-added", True)],
    ),
    (
        "request additional properties forbidden",
        request(obj(n=STRING)),
        request({**obj(n=STRING), "additionalProperties": False}),
        [("additional-properties", True)],
    ),
    (
        "request property made readOnly",
        request(obj(id=STRING, n=STRING)),
        request(obj(id={"type": "string", "readOnly": True}, n=STRING)),
        [("property-removed", True)],
    ),
    (
        "request oneOf choice removed",
        with_schemas(request(one_of("Cat", "Dog")), Cat=CAT, Dog=DOG),
        with_schemas(request(one_of("Cat")), Cat=CAT, Dog=DOG),
        [("variant-removed", True)],
    ),
    (
        "response oneOf choice added",
        with_schemas(response(one_of("Cat")), Cat=CAT, Dog=DOG),
        with_schemas(response(one_of("Cat", "Dog")), Cat=CAT, Dog=DOG),
        [("variant-added", True)],
    ),
    (
        "request schema replaced by a oneOf that excludes it",
        with_schemas(request({"$ref": "#/components/schemas/Cat"}), Cat=CAT, Dog=DOG),
        with_schemas(request(one_of("Dog")), Cat=CAT, Dog=DOG),
        [("variant-added", False), ("variant-removed", True)],
    ),
    (
        "URL reference changed",
        response({"$ref": "https://example.com/common.yaml#/Product"}),
        response({"$ref": "https://example.com/common.yaml#/Item"}),
        [("reference-changed", True)],
    ),
]

COMPATIBLE: list[Case] = [
    ("nothing changed", response(obj(id=STRING)), response(obj(id=STRING)), []),
    ("path added", spec({"/a": {}}), spec({"/a": {}, "/b": {}}), [("path-added", False)]),
    ("operation added", two_ops("get"), two_ops("get", "post"), [("operation-added", False)]),
    (
        "operation deprecated",
        two_ops("get"),
        spec(
            {
                "/products": {
                    "get": {"deprecated": True, "responses": {"200": {"description": "ok"}}}
                }
            }
        ),
        [("operation-deprecated", False)],
    ),
    ("optional parameter added", params(), params(query("limit")), [("parameter-added", False)]),
    (
        "required parameter made optional",
        params(query("limit", required=True)),
        params(query("limit")),
        [("parameter-now-optional", False)],
    ),
    (
        "optional request property added",
        request(obj(name=STRING)),
        request(obj(name=STRING, note=STRING)),
        [("property-added", False)],
    ),
    (
        "required request property made optional",
        request(obj(("name",), name=STRING)),
        request(obj(name=STRING)),
        [("property-now-optional", False)],
    ),
    (
        "optional request body added",
        spec({"/products": {"post": {"responses": {"201": {}}}}}),
        spec({"/products": {"post": {"requestBody": {"content": {}}, "responses": {"201": {}}}}}),
        [("request-body-added", False)],
    ),
    (
        "response property added",
        response(obj(id=STRING)),
        response(obj(id=STRING, name=STRING)),
        [("property-added", False)],
    ),
    (
        "response property made required",
        response(obj(id=STRING)),
        response(obj(("id",), id=STRING)),
        [("property-now-required", False)],
    ),
    (
        "request enum value added",
        request(obj(c={"type": "string", "enum": ["red"]})),
        request(obj(c={"type": "string", "enum": ["red", "blue"]})),
        [("enum-value-added", False)],
    ),
    (
        "request enum dropped",
        request(obj(c={"type": "string", "enum": ["red"]})),
        request(obj(c=STRING)),
        [("enum-removed", False)],
    ),
    (
        "response enum value removed",
        response(obj(c={"type": "string", "enum": ["red", "blue"]})),
        response(obj(c={"type": "string", "enum": ["red"]})),
        [("enum-value-removed", False)],
    ),
    (
        "request maxLength raised",
        request(obj(n={"type": "string", "maxLength": 5})),
        request(obj(n={"type": "string", "maxLength": 50})),
        [("constraint-widened", False)],
    ),
    (
        "request minimum lowered",
        request(obj(n={"type": "integer", "minimum": 5})),
        request(obj(n={"type": "integer", "minimum": 0})),
        [("constraint-widened", False)],
    ),
    (
        "request pattern removed",
        request(obj(n={"type": "string", "pattern": "^a"})),
        request(obj(n=STRING)),
        [("constraint-widened", False)],
    ),
    (
        "request integer widened to number",
        request(obj(n=INTEGER)),
        request(obj(n=NUMBER)),
        [("type-changed", False)],
    ),
    (
        "request int32 widened to int64",
        request(obj(n={"type": "integer", "format": "int32"})),
        request(obj(n={"type": "integer", "format": "int64"})),
        [("format-changed", False)],
    ),
    (
        "request made nullable",
        request(obj(n=STRING)),
        request(obj(n={"type": ["string", "null"]})),
        [("nullable-changed", False)],
    ),
    (
        "response maxLength added",
        response(obj(n=STRING)),
        response(obj(n={"type": "string", "maxLength": 9})),
        [("constraint-narrowed", False)],
    ),
    (
        "request additional properties allowed",
        request({**obj(n=STRING), "additionalProperties": False}),
        request(obj(n=STRING)),
        [("additional-properties", False)],
    ),
    (
        "response additional properties allowed",
        response({**obj(n=STRING), "additionalProperties": False}),
        response(obj(n=STRING)),
        [("additional-properties", False)],
    ),
    (
        "error response removed",
        spec({"/p": {"get": {"responses": {"200": {}, "404": {}}}}}),
        spec({"/p": {"get": {"responses": {"200": {}}}}}),
        [("response-removed", False)],
    ),
    (
        "error body changed",
        spec(
            {
                "/p": {
                    "get": {
                        "responses": {
                            "400": {
                                "content": {"application/json": {"schema": obj(("a",), a=STRING)}}
                            }
                        }
                    }
                }
            }
        ),
        spec(
            {
                "/p": {
                    "get": {
                        "responses": {
                            "400": {"content": {"application/json": {"schema": obj(b=STRING)}}}
                        }
                    }
                }
            }
        ),
        [],
    ),
    (
        "request media type added",
        request(obj(n=STRING)),
        spec(
            {
                "/products": {
                    "post": {
                        "requestBody": {
                            "required": True,
                            "content": {
                                "application/json": {"schema": obj(n=STRING)},
                                "application/xml": {"schema": obj(n=STRING)},
                            },
                        },
                        "responses": {"201": {}},
                    }
                }
            }
        ),
        [("media-type-added", False)],
    ),
    (
        "media type parameters ignored",
        response(obj(n=STRING)),
        response(obj(n=STRING), media="application/json; charset=utf-8"),
        [],
    ),
    (
        "path parameter renamed",
        response(obj(n=STRING)),
        spec(
            {
                "/products/{productId}": {
                    "get": {
                        "parameters": [
                            {"name": "productId", "in": "path", "required": True, "schema": STRING}
                        ],
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {"application/json": {"schema": obj(n=STRING)}},
                            }
                        },
                    }
                }
            }
        ),
        [],
    ),
    (
        "header names are case-insensitive",
        params({"name": "X-Trace", "in": "header", "schema": STRING}),
        params({"name": "x-trace", "in": "header", "schema": STRING}),
        [],
    ),
    (
        "request oneOf choice added",
        with_schemas(request(one_of("Cat")), Cat=CAT, Dog=DOG),
        with_schemas(request(one_of("Cat", "Dog")), Cat=CAT, Dog=DOG),
        [("variant-added", False)],
    ),
    (
        "response oneOf choice removed",
        with_schemas(response(one_of("Cat", "Dog")), Cat=CAT, Dog=DOG),
        with_schemas(response(one_of("Cat")), Cat=CAT, Dog=DOG),
        [("variant-removed", False)],
    ),
    (
        "request plain schema becomes one choice of several",
        with_schemas(request({"$ref": "#/components/schemas/Cat"}), Cat=CAT, Dog=DOG),
        with_schemas(request(one_of("Cat", "Dog")), Cat=CAT, Dog=DOG),
        [("variant-added", False), ("variant-added", False)],
    ),
    (
        "schema moved into components",
        response(obj(("id",), id=STRING)),
        with_schemas(response({"$ref": "#/components/schemas/P"}), P=obj(("id",), id=STRING)),
        [],
    ),
    (
        "schema split into allOf",
        response(obj(("id",), id=STRING, name=STRING)),
        with_schemas(
            response({"allOf": [{"$ref": "#/components/schemas/Base"}, obj(name=STRING)]}),
            Base=obj(("id",), id=STRING),
        ),
        [],
    ),
    (
        "readOnly property ignored in requests",
        request(obj(n=STRING)),
        request(obj(n=STRING, id={"type": "string", "readOnly": True})),
        [],
    ),
]


def kinds(base: dict[str, Any], head: dict[str, Any]) -> list[tuple[str, bool]]:
    return sorted((c.kind, c.breaking) for c in compare(base, head))


@pytest.mark.parametrize(
    ("name", "base", "head", "expected"), BREAKING, ids=[c[0] for c in BREAKING]
)
def test_breaking_change_is_classified_breaking(
    name: str, base: Any, head: Any, expected: Any
) -> None:
    assert kinds(base, head) == sorted(expected)
    assert any(breaking for _, breaking in expected)


@pytest.mark.parametrize(
    ("name", "base", "head", "expected"), COMPATIBLE, ids=[c[0] for c in COMPATIBLE]
)
def test_compatible_change_is_not_breaking(name: str, base: Any, head: Any, expected: Any) -> None:
    assert kinds(base, head) == sorted(expected)
    assert not any(breaking for _, breaking in expected)


def test_every_change_has_a_registered_rule_at_a_consistent_level() -> None:
    for _, base, head, _ in BREAKING + COMPATIBLE:
        for change in compare(base, head):
            assert change.rule in RULES, change
            assert change.level == RULES[change.rule].level


def test_location_names_operation_status_and_property_path() -> None:
    base = response(obj(items={"type": "array", "items": obj(price=NUMBER)}))
    head = response(obj(items={"type": "array", "items": obj(price=STRING)}))
    (change,) = compare(base, head)
    assert change.location == "GET /products/{id} response 200 body .items[].price"
    assert change.message == "type changed from number to string"


def test_location_names_parameter_and_media_type() -> None:
    (change,) = compare(params(query("limit", INTEGER)), params(query("limit", STRING)))
    assert change.location == "GET /products query parameter limit"
    base, head = response(obj(a=STRING), media="text/csv"), response(obj(), media="text/csv")
    assert compare(base, head)[0].location == "GET /products/{id} response 200 body text/csv .a"


def test_changes_are_sorted_by_location() -> None:
    base = spec({"/b": {"get": {}}, "/a": {"get": {}, "put": {}}, "/c": {}})
    head = spec({"/a": {"get": {}}, "/d": {}})
    locations = [c.location for c in compare(base, head)]
    assert locations == sorted(locations) == ["/b", "/c", "/d", "PUT /a"]


def test_change_in_shared_component_is_reported_at_every_use() -> None:
    def doc(price: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/components/schemas/Product"}
        ok = {"200": {"content": {"application/json": {"schema": ref}}}}
        return spec(
            {"/a": {"get": {"responses": ok}}, "/b": {"get": {"responses": ok}}},
            schemas={"Product": obj(price=price)},
        )

    locations = [c.location for c in compare(doc(NUMBER), doc(STRING))]
    assert locations == ["GET /a response 200 body .price", "GET /b response 200 body .price"]


def test_swagger_2_and_the_same_api_in_openapi_3_compare_equal() -> None:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "produces": ["application/json"],
        "paths": {
            "/products/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "type": "string"},
                        {"name": "limit", "in": "query", "type": "integer", "maximum": 50},
                    ],
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "#/definitions/P"}}
                    },
                }
            },
            "/products": {
                "post": {
                    "parameters": [
                        {
                            "name": "body",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/P"},
                        }
                    ],
                    "responses": {"201": {"description": "made"}},
                }
            },
        },
        "definitions": {"P": obj(("id",), id=STRING)},
    }
    openapi = spec(
        {
            "/products/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": STRING},
                        query("limit", {"type": "integer", "maximum": 50}),
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/P"}}
                            },
                        }
                    },
                }
            },
            "/products": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/P"}}
                        },
                    },
                    "responses": {"201": {"description": "made"}},
                }
            },
        },
        schemas={"P": obj(("id",), id=STRING)},
    )
    assert compare(swagger, openapi) == []
    narrowed = {**openapi, "paths": {**openapi["paths"]}}
    narrowed["paths"]["/products/{id}"] = {
        "get": {
            **openapi["paths"]["/products/{id}"]["get"],
            "parameters": [
                openapi["paths"]["/products/{id}"]["get"]["parameters"][0],
                query("limit", {"type": "integer", "maximum": 10}),
            ],
        }
    }
    assert [(c.kind, c.breaking) for c in compare(swagger, narrowed)] == [
        ("constraint-narrowed", True)
    ]


def test_swagger_2_form_parameters_are_a_request_body() -> None:
    def form(*fields: dict[str, Any]) -> dict[str, Any]:
        op = {
            "consumes": ["application/x-www-form-urlencoded"],
            "parameters": list(fields),
            "responses": {"200": {}},
        }
        return {"swagger": "2.0", "paths": {"/login": {"post": op}}}

    user = {"name": "user", "in": "formData", "type": "string", "required": True}
    otp = {"name": "otp", "in": "formData", "type": "string", "required": True}
    (change,) = compare(form(user), form(user, otp))
    assert (change.location, change.kind, change.breaking) == (
        "POST /login request body application/x-www-form-urlencoded .otp",
        "property-added",
        True,
    )


def test_component_reached_along_several_paths_is_reported_once_per_body() -> None:
    def doc(zip_code: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/components/schemas/Address"}
        body = obj(shipping=ref, billing=ref, history={"type": "array", "items": ref})
        return with_schemas(response(body), Address=obj(zip=zip_code))

    (change,) = compare(doc(STRING), doc(INTEGER))
    assert change.location == "GET /products/{id} response 200 body .billing.zip"
