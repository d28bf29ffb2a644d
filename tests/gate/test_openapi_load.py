"""Reading OpenAPI documents: YAML/JSON, versions, local $refs, cycles and hostile input."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relorch.errors import ExitCode
from relorch.gate import SpecError, parse_document, yamltext
from relorch.gate.compare import compare
from relorch.gate.load import Resolver
from tests.gate.openapi_docs import NUMBER, STRING, obj, response, spec

LABEL = "openapi.yaml at v1-rev1"


def test_yaml_and_json_of_the_same_document_compare_equal() -> None:
    doc = response(obj(("id",), id=STRING))
    from_json = parse_document(json.dumps(doc), LABEL)
    from_yaml = parse_document(
        "openapi: 3.0.3\ninfo: {title: Products, version: '1'}\n"
        "paths:\n  /products/{id}:\n    get:\n"
        "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
        "      responses:\n        200:\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                type: object\n"
        "                required: [id]\n                properties: {id: {type: string}}\n",
        LABEL,
    )
    assert from_json == doc
    assert compare(from_json, from_yaml) == []


def test_yaml_flow_mapping_that_is_not_json_is_read_as_yaml() -> None:
    assert parse_document("{openapi: 3.1.0, paths: {}}", LABEL)["openapi"] == "3.1.0"


def test_tags_and_dates_are_plain_data_never_code() -> None:
    """YAML tags name no Python objects here, and dates stay text on both sides."""
    doc = parse_document(
        "openapi: 3.0.0\ndate: 2020-13-45\nx: !!python/object:os.system {}\n", LABEL
    )
    assert doc["date"] == "2020-13-45" and doc["x"] == {}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("openapi: 3.0.0\npaths: [\n", "not valid YAML or JSON"),
        ('{"openapi": "3.0.0",', "not valid YAML or JSON"),
        ("- a\n- b\n", "top level is not a mapping"),
        ("", "top level is not a mapping"),
        ("title: hello\n", "no `openapi` or `swagger` version key"),
        ("openapi: 2.0.0\n", "unsupported OpenAPI version"),
        ("swagger: '1.2'\n", "unsupported Swagger version"),
    ],
)
def test_unreadable_document_fails_closed_naming_file_and_ref(text: str, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_document(text, LABEL)
    assert caught.value.exit_code is ExitCode.PRECONDITION
    assert str(caught.value).startswith(LABEL + ": ") and words in str(caught.value)


def test_json_pointer_escapes_and_unquoted_status_codes_resolve() -> None:
    doc = spec({"/a/b": {"get": {"responses": {200: {"description": "x"}}}}})
    resolver = Resolver(doc, LABEL)
    assert resolver.deref({"$ref": "#/paths/~1a~1b/get/responses/200"}, "here") == {
        "description": "x"
    }
    assert resolver.deref({"$ref": "#"}, "here") is doc


@pytest.mark.parametrize(
    ("ref", "words"),
    [("#/components/schemas/Missing", "points to nothing"), ("#/paths/0", "points to nothing")],
)
def test_dangling_ref_is_usage_error(ref: str, words: str) -> None:
    doc = response({"$ref": ref}, status="200")
    with pytest.raises(SpecError, match=words):
        compare(doc, response(STRING))


def test_circular_ref_chain_is_usage_error() -> None:
    schemas = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    doc = spec(response({"$ref": "#/components/schemas/A"})["paths"], schemas=schemas)
    with pytest.raises(SpecError, match="circular \\$ref"):
        compare(doc, doc | {})


def tree(leaf: dict[str, Any]) -> dict[str, Any]:
    """A recursive schema: a node whose children are nodes."""
    node = obj(
        ("name",),
        name=leaf,
        children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        parent={"$ref": "#/components/schemas/Node"},
    )
    return spec(response({"$ref": "#/components/schemas/Node"})["paths"], schemas={"Node": node})


def test_recursive_schemas_terminate_and_report_the_change_once_per_location() -> None:
    changes = compare(tree(STRING), tree(NUMBER))
    assert [(c.location, c.kind) for c in changes] == [
        ("GET /products/{id} response 200 body .name", "type-changed"),
    ]
    assert compare(tree(STRING), tree(STRING)) == []


def test_allof_cycles_terminate() -> None:
    schemas = {
        "A": {"allOf": [{"$ref": "#/components/schemas/B"}, obj(a=STRING)]},
        "B": {"allOf": [{"$ref": "#/components/schemas/A"}, obj(b=STRING)]},
    }
    doc = spec(response({"$ref": "#/components/schemas/A"})["paths"], schemas=schemas)
    head = json.loads(json.dumps(doc))
    del head["components"]["schemas"]["B"]["allOf"][1]["properties"]["b"]
    assert [(c.location, c.kind) for c in compare(doc, head)] == [
        ("GET /products/{id} response 200 body .b", "property-removed"),
    ]


def test_same_property_in_two_allof_members_is_merged_not_overwritten() -> None:
    def doc(second: dict[str, Any]) -> dict[str, Any]:
        return response({"allOf": [obj(n={"type": "integer", "maximum": 10}), obj(n=second)]})

    assert compare(doc({"minimum": 1}), doc({"minimum": 1})) == []
    (change,) = compare(doc({"minimum": 1}), doc({"minimum": 0}))
    assert change.kind == "constraint-widened" and change.breaking


def chain(length: int, leaf: dict[str, Any]) -> dict[str, Any]:
    """A document whose response walks through `length` components, each naming the next."""
    schemas = {f"C{i}": obj(next={"$ref": f"#/components/schemas/C{i + 1}"}) for i in range(length)}
    schemas[f"C{length}"] = obj(leaf=leaf)
    return spec(response({"$ref": "#/components/schemas/C0"})["paths"], schemas=schemas)


def test_long_chains_of_components_compare_without_exhausting_the_stack() -> None:
    changes = compare(chain(2000, STRING), chain(2000, NUMBER))
    assert [(c.kind, c.location.count(".next")) for c in changes] == [("type-changed", 2000)]


def test_nesting_beyond_the_limit_is_usage_error() -> None:
    with pytest.raises(SpecError, match="nested deeper than 5000 levels"):
        compare(chain(6000, STRING), chain(6000, NUMBER))


def test_allof_nesting_beyond_the_limit_is_usage_error() -> None:
    schemas = {f"A{i}": {"allOf": [{"$ref": f"#/components/schemas/A{i + 1}"}]} for i in range(150)}
    schemas["A150"] = obj(a=STRING)
    doc = spec(response({"$ref": "#/components/schemas/A0"})["paths"], schemas=schemas)
    with pytest.raises(SpecError, match="allOf nested deeper than 100 levels"):
        compare(doc, copy.deepcopy(doc))


def test_yaml_alias_bomb_is_compared_in_linear_time() -> None:
    # 40 levels, each referring twice to the next: 2**40 paths through the document.
    lines = [
        "openapi: 3.0.0",
        "x-levels:",
        "  l0: &l0 {type: object, properties: {leaf: {type: string}}}",
    ]
    for i in range(1, 41):
        lines.append(f"  l{i}: &l{i} {{type: object, properties: {{a: *l{i - 1}, b: *l{i - 1}}}}}")
    lines += [
        "paths:",
        "  /p:",
        "    get:",
        "      responses:",
        "        '200':",
        "          content:",
        "            application/json:",
        "              schema: *l40",
    ]
    base = parse_document("\n".join(lines), "BASE")
    head = parse_document(
        "\n".join(lines).replace("leaf: {type: string}", "leaf: {type: integer}"), "HEAD"
    )
    changes = compare(base, head)
    assert changes and all(c.breaking for c in changes)
    assert len(changes) < 1000
    assert compare(base, parse_document("\n".join(lines), "HEAD")) == []


def test_url_refs_are_compared_by_address() -> None:
    doc = response({"$ref": "https://example.com/common.yaml#/Product"})
    assert compare(doc, response({"$ref": "https://example.com/common.yaml#/Product"})) == []
    (change,) = compare(doc, response(obj(id=STRING)))
    assert change.kind == "reference-changed" and change.breaking
    assert change.rule == "response-body-reference-changed" and change.level == "breaking"


def test_file_refs_without_a_reader_fail_closed() -> None:
    doc = response({"$ref": "common.yaml#/Product"})
    with pytest.raises(SpecError, match="names another file"):
        compare(doc, doc)


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": 5}, "type must be"),
        ({"type": "string", "maxLength": "ten"}, "maxLength must be a number"),
        ({"type": "number", "multipleOf": 0}, "multipleOf must be a positive"),
        ({"type": "object", "properties": []}, "properties must be a mapping"),
        ({"type": "object", "required": "id"}, "required must be a list"),
        ({"type": "string", "enum": "red"}, "enum must be a list"),
        ({"oneOf": {"a": 1}}, "oneOf must be a list"),
        ({"allOf": "x"}, "allOf must be a list"),
        ({"$ref": 7}, "\\$ref must be a string"),
        ("string", "a schema must be a mapping"),
    ],
)
def test_malformed_schema_is_usage_error_naming_the_side(schema: Any, words: str) -> None:
    with pytest.raises(SpecError, match=words) as caught:
        compare(
            response(obj(id={})),
            response(obj(id=schema)),
            base_label="old.yaml",
            head_label="new.yaml",
        )
    assert str(caught.value).startswith("new.yaml: ")


@pytest.mark.parametrize(
    "paths",
    [
        [],
        {1: {}},
        {"/p": []},
        {"/p": {"get": "x"}},
        {"/p": {"get": {"parameters": {}}}},
        {"/p": {"get": {"parameters": [{"in": "query"}]}}},
        {"/p": {"get": {"parameters": [{"name": "a", "in": "body"}]}}},
        {"/p": {"get": {"responses": []}}},
        {"/p": {"get": {"requestBody": {"content": {"application/json": 5}}}}},
    ],
)
def test_malformed_structure_is_usage_error(paths: Any) -> None:
    with pytest.raises(SpecError):
        compare(spec({}), {"openapi": "3.0.0", "paths": paths})


@pytest.mark.parametrize(
    "schemas",
    [
        # A recursive schema merged with itself ...
        {
            "S": obj(
                id={
                    "allOf": [
                        {"$ref": "#/components/schemas/S"},
                        {"$ref": "#/components/schemas/S"},
                    ]
                }
            )
        },
        # ... and two that merge with each other in both orders.
        {
            "S": {
                "allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]
            },
            "A": obj(id={"$ref": "#/components/schemas/S"}, a=STRING),
            "B": obj(
                id={
                    "allOf": [
                        {"$ref": "#/components/schemas/B"},
                        {"$ref": "#/components/schemas/A"},
                    ]
                }
            ),
        },
    ],
)
def test_recursive_allof_merges_terminate(schemas: dict[str, Any]) -> None:
    doc = spec(response({"$ref": "#/components/schemas/S"})["paths"], schemas=schemas)
    assert compare(doc, copy.deepcopy(doc)) == []


def test_the_parser_settings_are_not_left_in_the_environment_deploy_steps_inherit() -> None:
    import os

    import relorch.gate.yamltext  # noqa: F401 - its import sets them for yaml_rs, then removes them

    assert not [name for name in os.environ if name.startswith("MIMALLOC_")]


@given(
    st.lists(
        st.sampled_from(["a", "\n", "\r\n", " ", "-", "?", " " * 300, "- " * 150, "\n" + " " * 512])
    )
)
def test_the_deep_block_check_finds_what_a_multiline_anchor_finds(pieces: list[str]) -> None:
    # Documents it finds go to PyYAML: yaml_rs aborts the process on very deep block nesting.
    text = "".join(pieces)
    assert yamltext._deep_block(text) == bool(re.search(r"^[ ?-]{512}", text, re.MULTILINE))
