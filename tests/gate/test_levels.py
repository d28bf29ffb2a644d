"""Three levels and stable rule ids: each rule family at its default level, in-process."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest

from relorch.gate import RULES
from relorch.gate.compare import compare
from relorch.gate.ruledocs import CONTEXTS, rule_reference
from relorch.gate.rules import BREAKING, COMPATIBLE, POTENTIALLY, schema_suffixes
from tests.gate.openapi_docs import INTEGER, STRING, obj, params, query, request, response, spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "breaking-changes.md"


def rules_of(base: dict[str, Any], head: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c.rule, c.level) for c in compare(base, head)]


def with_headers(headers: dict[str, Any], status: str = "200") -> dict[str, Any]:
    doc = response(obj(id=STRING))
    doc["paths"]["/products/{id}"]["get"]["responses"][status]["headers"] = headers
    return doc


def secured(op_security: Any = None, doc_security: Any = None) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if op_security is not None:
        op["security"] = op_security
    doc = spec({"/products": {"get": op}})
    if doc_security is not None:
        doc["security"] = doc_security
    return doc


def test_every_rule_is_documented_with_an_example() -> None:
    """docs/breaking-changes.md carries the generated reference between its markers;
    `RELORCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/gate/test_levels.py` rewrites it."""
    text = DOCS.read_text(encoding="utf-8")
    begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
    head, _, rest = text.partition(begin)
    current, _, tail = rest.partition(end)
    if os.environ.get("RELORCH_UPDATE_GOLDEN") == "1":
        DOCS.write_text(head + begin + rule_reference() + end + tail, encoding="utf-8")
        current = rule_reference()
    assert current == rule_reference()
    for rule in RULES.values():
        assert rule.example and rule.what, rule.id
        assert rule.level in (BREAKING, POTENTIALLY, COMPATIBLE)
        suffix = next(
            (rule.id[len(c) + 1 :] for c in CONTEXTS if rule.id.startswith(c + "-")), None
        )
        shown = f"| `{suffix}` |" if suffix in schema_suffixes() else f"| `{rule.id}` |"
        assert shown in current, rule.id


def test_additive_upstream_churn_is_never_breaking() -> None:
    """New response enum values, new optional fields, new anyOf and event variants."""
    event = {
        "oneOf": [{"$ref": "#/components/schemas/Created"}],
        "discriminator": {"propertyName": "type"},
    }
    created = obj(("type",), type={"type": "string", "enum": ["created"]})
    deleted = obj(("type",), type={"type": "string", "enum": ["deleted"]}, at=INTEGER)
    base = response(
        obj(
            status={"type": "string", "enum": ["active", "paused"]},
            event=event,
            source={"anyOf": [STRING, {"$ref": "#/components/schemas/Created"}]},
        )
    )
    base["components"] = {"schemas": {"Created": created, "Deleted": deleted}}
    head = copy.deepcopy(base)
    schema = head["paths"]["/products/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    schema["properties"]["status"]["enum"].append("archived")
    schema["properties"]["note"] = STRING
    schema["properties"]["event"]["oneOf"].append({"$ref": "#/components/schemas/Deleted"})
    schema["properties"]["source"]["anyOf"].append({"$ref": "#/components/schemas/Deleted"})
    found = rules_of(base, head)
    assert ("response-body-enum-value-added", POTENTIALLY) in found
    assert ("response-body-discriminated-variant-added", POTENTIALLY) in found
    assert ("response-body-any-of-variant-added", POTENTIALLY) in found
    assert ("response-body-property-added", COMPATIBLE) in found
    assert all(level != BREAKING for _, level in found), found


def test_response_one_of_variant_without_discriminator_stays_breaking() -> None:
    base = response({"oneOf": [STRING]})
    head = response({"oneOf": [STRING, {"type": "integer", "title": "count"}]})
    assert rules_of(base, head) == [("response-body-one-of-variant-added", BREAKING)]


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (None, 10, "request-parameter-default-added"),
        (10, 20, "request-parameter-default-changed"),
        (10, None, "request-parameter-default-removed"),
    ],
)
def test_optional_parameter_default_changes_are_breaking(old: Any, new: Any, rule: str) -> None:
    def doc(default: Any) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if default is not None:
            schema["default"] = default
        return params(query("limit", schema))

    assert rules_of(doc(old), doc(new)) == [(rule, BREAKING)]


def test_required_parameter_default_is_ignored() -> None:
    base = params(query("limit", {"type": "integer", "default": 1}, required=True))
    head = params(query("limit", {"type": "integer", "default": 2}, required=True))
    assert compare(base, head) == []


def test_body_and_response_defaults() -> None:
    base = request(obj(size={"type": "integer", "default": 1}))
    head = request(obj(size={"type": "integer", "default": 2}))
    assert rules_of(base, head) == [("request-body-default-changed", POTENTIALLY)]
    base = response(obj(size={"type": "integer", "default": 1}))
    head = response(obj(size={"type": "integer"}))
    assert rules_of(base, head) == [("response-body-default-removed", COMPATIBLE)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            {"X-Rate": {"required": True, "schema": INTEGER}},
            {},
            [("response-header-removed", BREAKING)],
        ),
        ({"ETag": {"schema": STRING}}, {}, [("response-optional-header-removed", POTENTIALLY)]),
        (
            {"X-Rate": {"required": True, "schema": INTEGER}},
            {"x-rate": {"required": False, "schema": INTEGER}},
            [("response-header-became-optional", BREAKING)],
        ),
        (
            {},
            {"X-Trace": {"required": True, "schema": STRING}},
            [("response-header-added", COMPATIBLE)],
        ),
        (
            {"X-Rate": {"required": True, "schema": INTEGER}},
            {"X-Rate": {"required": True, "schema": STRING}},
            [("response-header-type-changed", BREAKING)],
        ),
        (
            {"X-Rate": {"required": True, "schema": {"type": "integer", "format": "int32"}}},
            {"X-Rate": {"required": True, "schema": {"type": "integer", "format": "int64"}}},
            [("response-header-format-widened", BREAKING)],
        ),
    ],
)
def test_response_headers(before: Any, after: Any, expected: list[tuple[str, str]]) -> None:
    assert rules_of(with_headers(before), with_headers(after)) == expected


def test_response_headers_count_on_error_responses_too() -> None:
    base = with_headers({"Retry-After": {"required": True, "schema": INTEGER}}, status="200")
    base["paths"]["/products/{id}"]["get"]["responses"]["429"] = {
        "description": "slow down",
        "headers": {"Retry-After": {"required": True, "schema": INTEGER}},
    }
    head = copy.deepcopy(base)
    del head["paths"]["/products/{id}"]["get"]["responses"]["429"]["headers"]
    assert rules_of(base, head) == [("response-header-removed", BREAKING)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (secured(), secured([{"apiKey": []}]), [("security-requirement-added", BREAKING)]),
        (
            secured(doc_security=[]),
            secured(doc_security=[{"oauth": ["read"]}]),
            [("security-requirement-added", BREAKING)],
        ),
        (
            secured([{"oauth": ["read"]}]),
            secured([{"oauth": ["read", "write"]}]),
            [("security-scope-added", BREAKING)],
        ),
        (
            secured([{"oauth": ["read", "write"]}]),
            secured([{"oauth": ["read"]}]),
            [("security-scope-removed", COMPATIBLE)],
        ),
        (secured([{"apiKey": []}]), secured([]), [("security-requirement-removed", COMPATIBLE)]),
        (secured([{"apiKey": []}]), secured([{"apiKey": []}, {"oauth": []}]), []),
        (secured(doc_security=[{"apiKey": []}]), secured([{"apiKey": []}]), []),
    ],
)
def test_security_requirements(
    before: dict[str, Any], after: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert rules_of(before, after) == expected


def test_document_wide_security_is_located_as_such() -> None:
    (change,) = compare(secured(doc_security=[]), secured(doc_security=[{"apiKey": []}]))
    assert change.location == "GET /products security (document-wide)"
    assert "must now use apiKey" in change.message


def test_request_wrapped_in_overlapping_one_of_is_breaking() -> None:
    wide = obj(("foo", "bar"), foo=STRING, bar=STRING)
    base = request(wide)
    head = request(
        {"oneOf": [obj(("foo",), foo=STRING, bar=STRING), obj(("bar",), foo=STRING, bar=STRING)]}
    )
    found = rules_of(base, head)
    assert ("request-body-one-of-ambiguous", BREAKING) in found
    exclusive = request({"oneOf": [wide, obj(("baz",), baz=INTEGER)]})
    assert all(level != BREAKING for _, level in rules_of(base, exclusive))


def test_any_of_overlap_is_fine() -> None:
    base = request(obj(("foo",), foo=STRING))
    head = request({"anyOf": [obj(("foo",), foo=STRING), obj(foo=STRING)]})
    assert all(level != BREAKING for _, level in rules_of(base, head))


def test_read_only_and_write_only_flips() -> None:
    base = request(obj(("sku",), sku=STRING))
    head = request(obj(("sku",), sku={"type": "string", "readOnly": True}))
    assert rules_of(base, head) == [("request-body-property-became-read-only", POTENTIALLY)]
    base = response(obj(("sku",), sku=STRING))
    head = response(obj(("sku",), sku={"type": "string", "writeOnly": True}))
    assert rules_of(base, head) == [("response-body-property-became-write-only", BREAKING)]


def test_patterns_in_responses_do_not_stop_releases() -> None:
    base = response(obj(sku={"type": "string", "pattern": "^[a-z]+$"}))
    assert rules_of(base, response(obj(sku=STRING))) == [
        ("response-body-pattern-removed", COMPATIBLE)
    ]
    changed = response(obj(sku={"type": "string", "pattern": "^[a-z0-9]+$"}))
    assert rules_of(base, changed) == [("response-body-pattern-changed", POTENTIALLY)]
    anything = request(obj(sku={"type": "string", "pattern": ".*"}))
    strict = request(obj(sku={"type": "string", "pattern": "^[a-z]+$"}))
    assert rules_of(strict, anything) == [("request-body-pattern-removed", COMPATIBLE)]
    assert rules_of(anything, strict) == [("request-body-pattern-added", BREAKING)]


def test_nullable_and_31_type_arrays_are_the_same_change() -> None:
    base = response(obj(n=INTEGER))
    assert rules_of(base, response(obj(n={"type": "integer", "nullable": True}))) == [
        ("response-body-became-nullable", BREAKING)
    ]
    assert rules_of(base, response(obj(n={"type": ["integer", "null"]}))) == [
        ("response-body-became-nullable", BREAKING)
    ]


def test_constraints_in_both_directions() -> None:
    short, long = {"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 10}
    assert rules_of(request(obj(s=long)), request(obj(s=short))) == [
        ("request-body-max-length-narrowed", BREAKING)
    ]
    assert rules_of(request(obj(s=short)), request(obj(s=long))) == [
        ("request-body-max-length-widened", COMPATIBLE)
    ]
    assert rules_of(response(obj(s=short)), response(obj(s=long))) == [
        ("response-body-max-length-widened", BREAKING)
    ]
    assert rules_of(response(obj(s=long)), response(obj(s=short))) == [
        ("response-body-max-length-narrowed", COMPATIBLE)
    ]


def test_media_types_and_status_codes() -> None:
    base = response(obj(id=STRING))
    head = response(obj(id=STRING), media="application/problem+json")
    assert sorted(rules_of(base, head)) == [
        ("response-media-type-added", COMPATIBLE),
        ("response-media-type-removed", BREAKING),
    ]
    assert sorted(rules_of(base, response(obj(id=STRING), status="201"))) == [
        ("response-status-added", COMPATIBLE),
        ("response-success-status-removed", BREAKING),
    ]
