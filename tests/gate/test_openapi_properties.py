"""Properties of the classifier for generated documents (hypothesis)."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.gate import SpecError, parse_document
from relorch.gate.compare import compare
from tests.gate.openapi_docs import spec

NAMES = st.sampled_from(["id", "name", "price", "items", "tags", "owner", "x-y", "a.b", "200"])
REFS = [f"#/components/schemas/S{i}" for i in range(3)]


def leaves() -> st.SearchStrategy[dict[str, Any]]:
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "maxLength": st.integers(0, 50),
            "minLength": st.integers(0, 5),
            "format": st.sampled_from(["date", "date-time", "uuid"]),
            "pattern": st.sampled_from(["^a", "[0-9]+"]),
            "enum": st.lists(st.text(max_size=3), min_size=1, max_size=3, unique=True),
            "nullable": st.booleans(),
        },
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "maximum": st.integers(-5, 100),
            "minimum": st.integers(-100, 5),
            "exclusiveMaximum": st.booleans(),
            "multipleOf": st.sampled_from([1, 2, 0.5]),
            "format": st.sampled_from(["int32", "int64", "float", "double"]),
        },
    )
    other = st.sampled_from([{"type": "boolean"}, {}, True, {"type": ["string", "null"]}])
    ref = st.sampled_from(REFS).map(lambda r: {"$ref": r})
    return st.one_of(string, number, other, ref)


def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    props = st.dictionaries(NAMES, children, max_size=4)
    objects = props.flatmap(
        lambda p: st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.just(p)},
            optional={
                "required": st.lists(st.sampled_from(sorted(p)), unique=True) if p else st.just([]),
                "additionalProperties": st.one_of(st.booleans(), children),
            },
        )
    )
    arrays = st.fixed_dictionaries(
        {"type": st.just("array"), "items": children},
        optional={"maxItems": st.integers(0, 9), "uniqueItems": st.booleans()},
    )
    composed = st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"allOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"oneOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"anyOf": xs}),
    )
    return st.one_of(objects, arrays, composed)


SCHEMAS = st.recursive(leaves(), extend, max_leaves=12)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document using generated schemas in parameters, bodies, responses and components
    (components may refer to each other, so $ref cycles occur)."""

    def schema() -> Any:
        return draw(SCHEMAS)

    op = {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": schema()},
            {"name": "q", "in": "query", "required": draw(st.booleans()), "schema": schema()},
        ],
        "requestBody": {
            "required": draw(st.booleans()),
            "content": {"application/json": {"schema": schema()}},
        },
        "responses": {"200": {"content": {"application/json": {"schema": schema()}}}, "404": {}},
    }
    components = {f"S{i}": schema() for i in range(3)}
    return spec(
        {"/things/{id}": {"post": op, "get": {"responses": op["responses"]}}},
        schemas=components,
        version=draw(st.sampled_from(["3.0.3", "3.1.0"])),
    )


@settings(max_examples=150, deadline=None)
@given(documents())
def test_a_document_compared_with_a_copy_of_itself_has_no_changes(doc: dict[str, Any]) -> None:
    try:
        assert compare(doc, copy.deepcopy(doc)) == []
    except SpecError as exc:  # a generated $ref chain may be circular (S0 -> S1 -> S0)
        assert "circular $ref" in str(exc)


@settings(max_examples=100, deadline=None)
@given(documents(), documents())
def test_compare_is_deterministic_and_sorted(base: dict[str, Any], head: dict[str, Any]) -> None:
    try:
        first = compare(base, head)
    except SpecError as exc:
        assert "circular $ref" in str(exc) or "nested deeper" in str(exc)
        return
    assert first == sorted(first)
    assert compare(copy.deepcopy(base), copy.deepcopy(head)) == first


@settings(max_examples=100, deadline=None)
@given(documents(), NAMES, SCHEMAS)
def test_removing_a_response_property_is_always_breaking(
    doc: dict[str, Any], name: str, schema: Any
) -> None:
    post = doc["paths"]["/things/{id}"]["post"]
    post["responses"] = {
        "200": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {name: schema, "keep": {"type": "string"}},
                    }
                }
            }
        }
    }
    head = copy.deepcopy(doc)
    del head["paths"]["/things/{id}"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]["properties"][name]
    try:
        changes = compare(doc, head)
    except SpecError as exc:
        assert "circular $ref" in str(exc)
        return
    assert [(c.location, c.kind, c.breaking) for c in changes] == [
        (f"POST /things/{{id}} response 200 body .{name}", "property-removed", True),
    ]


# Arbitrary input: OpenAPI-ish keys and values in any shape, including $refs that go anywhere.
KEYS = st.sampled_from(
    [
        "openapi",
        "paths",
        "get",
        "post",
        "parameters",
        "requestBody",
        "responses",
        "content",
        "application/json",
        "schema",
        "properties",
        "required",
        "items",
        "type",
        "enum",
        "allOf",
        "oneOf",
        "anyOf",
        "$ref",
        "name",
        "in",
        "style",
        "format",
        "maximum",
        "minimum",
        "maxLength",
        "nullable",
        "readOnly",
        "additionalProperties",
        "200",
        "/p",
        "components",
        "schemas",
        "x",
    ]
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=4),
    st.sampled_from(
        [
            "#",
            "#/components/schemas/x",
            "#/paths",
            "query",
            "path",
            "object",
            "array",
            "string",
            "3.0.0",
            "other.yaml#/x",
            "#/paths/~1p/get",
        ]
    ),
)
JUNK = st.recursive(
    VALUES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.integers(0, 3)), inner, max_size=5),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JUNK, JUNK, JUNK)
def test_compare_never_crashes_on_arbitrary_documents(
    paths: Any, components: Any, other: Any
) -> None:
    base = {"openapi": "3.0.0", "paths": paths, "components": components}
    head = {"swagger": "2.0", "paths": other, "definitions": components}
    for left, right in ((base, head), (head, base), (base, copy.deepcopy(base))):
        try:
            changes = compare(left, right)
        except SpecError:
            continue
        assert all(isinstance(c.location, str) and isinstance(c.breaking, bool) for c in changes)


@settings(max_examples=200, deadline=None)
@given(JUNK)
def test_compare_never_crashes_on_arbitrary_schemas(schema: Any) -> None:
    def doc(s: Any) -> dict[str, Any]:
        ok = {"200": {"content": {"application/json": {"schema": s}}}}
        body = {"content": {"application/json": {"schema": s}}}
        return {
            "openapi": "3.1.0",
            "paths": {"/p": {"post": {"requestBody": body, "responses": ok}}},
            "components": {"schemas": {"x": s}},
        }

    for left, right in ((doc({}), doc(schema)), (doc(schema), doc({"type": "object"}))):
        with contextlib.suppress(SpecError):
            compare(left, right)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), JUNK.map(lambda j: json.dumps(j, default=str))))
def test_parsing_arbitrary_text_returns_a_document_or_a_usage_error(text: str) -> None:
    try:
        doc = parse_document("openapi: 3.0.0\n" + text, "f.yaml at HEAD")
    except SpecError as exc:
        assert str(exc).startswith("f.yaml at HEAD: ")
        return
    assert isinstance(doc, dict)
