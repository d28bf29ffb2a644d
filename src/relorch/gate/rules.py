"""The gate's rules: every rule id with its default level, what it means and an example.

A rule id names one kind of change in one place (`response-body-enum-value-added`); its
level is fixed per id, so `[gate.rules]` can override it and an ignore file can name it.
Schema rules exist once per context (request parameters, request bodies, response bodies,
response headers): the same keyword change moves a request and a response differently.
"""

from __future__ import annotations

from dataclasses import dataclass

BREAKING = "breaking"
POTENTIALLY = "potentially-breaking"
COMPATIBLE = "compatible"
LEVELS = (BREAKING, POTENTIALLY, COMPATIBLE)
RANK = {COMPATIBLE: 0, POTENTIALLY: 1, BREAKING: 2}

REQUEST_CONTEXTS = ("request-parameter", "request-body")
RESPONSE_CONTEXTS = ("response-body", "response-header")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, default level, what it reports and a short example."""

    id: str
    level: str
    what: str
    example: str


# (suffix, what, example, level in a request, level in a response). "effect" rules are
# generated below from the keyword lists.
_SCHEMA: list[tuple[str, str, str, str, str]] = [
    ("became-nullable", "the value may now be null", "`nullable: true` added", "c", "b"),
    (
        "became-not-nullable",
        "the value may no longer be null",
        "`nullable: true` dropped",
        "b",
        "c",
    ),
    ("enum-value-added", "new enum values", "`enum: [a]` → `[a, b]`", "c", "p"),
    ("enum-value-removed", "enum values removed", "`enum: [a, b]` → `[a]`", "b", "c"),
    ("became-enum", "values restricted to an enum", "`type: string` → `enum: [a, b]`", "b", "c"),
    ("enum-removed", "the enum dropped", "`enum: [a, b]` → any string", "c", "b"),
    ("pattern-added", "a pattern where there was none", "`pattern: ^[a-z]+$` added", "b", "c"),
    (
        "pattern-removed",
        "the pattern dropped (or made `.*`)",
        "`pattern: ^[a-z]+$` removed",
        "c",
        "c",
    ),
    ("pattern-changed", "the pattern replaced", "`^[a-z]+$` → `^[a-z0-9]+$`", "p", "p"),
    ("unique-items-added", "items must now be unique", "`uniqueItems: true` added", "b", "c"),
    ("unique-items-removed", "items need no longer be unique", "`uniqueItems` dropped", "c", "b"),
    ("default-added", "a default where there was none", "`default: 10` added", "b", "c"),
    ("default-removed", "the default dropped", "`default: 10` removed", "b", "c"),
    ("default-changed", "the default changed", "`default: 10` → `20`", "b", "c"),
    ("property-added", "an optional property added", "`properties.note` added", "c", "c"),
    ("required-property-added", "a property added as required", "`note` in `required`", "b", "c"),
    ("property-removed", "a property removed or renamed", "`properties.sku` removed", "b", "b"),
    (
        "property-became-required",
        "an optional property made required",
        "`required: [sku]`",
        "b",
        "c",
    ),
    (
        "property-became-optional",
        "a required property made optional",
        "`sku` out of `required`",
        "c",
        "b",
    ),
    (
        "property-became-read-only",
        "a request property made `readOnly`",
        "`readOnly: true` added",
        "p",
        "c",
    ),
    (
        "property-became-write-only",
        "a response property made `writeOnly`",
        "`writeOnly: true` added",
        "c",
        "b",
    ),
    (
        "additional-properties-forbidden",
        "`additionalProperties: false` added",
        "`additionalProperties: false`",
        "b",
        "c",
    ),
    (
        "additional-properties-allowed",
        "`additionalProperties: false` dropped",
        "`additionalProperties` removed",
        "c",
        "c",
    ),
    (
        "one-of-variant-added",
        "a `oneOf` choice no former choice covers",
        "`oneOf: [Cat]` → `[Cat, Dog]`",
        "c",
        "b",
    ),
    (
        "any-of-variant-added",
        "an `anyOf` choice no former choice covers",
        "`anyOf: [Cat]` → `[Cat, Dog]`",
        "c",
        "p",
    ),
    (
        "discriminated-variant-added",
        "a new choice of a `oneOf` with a `discriminator`",
        "a new event type",
        "c",
        "p",
    ),
    (
        "one-of-variant-added-covered",
        "a `oneOf` choice that a former one already covers",
        "a copy of `Cat` as `Kitten`",
        "c",
        "c",
    ),
    (
        "any-of-variant-added-covered",
        "an `anyOf` choice that a former one already covers",
        "a copy of `Cat` as `Kitten`",
        "c",
        "c",
    ),
    (
        "one-of-variant-removed",
        "a `oneOf` choice that no remaining choice covers",
        "`oneOf: [Cat, Dog]` → `[Cat]`",
        "b",
        "c",
    ),
    (
        "any-of-variant-removed",
        "an `anyOf` choice that no remaining choice covers",
        "`anyOf: [Cat, Dog]` → `[Cat]`",
        "b",
        "c",
    ),
    (
        "one-of-variant-removed-covered",
        "a `oneOf` choice removed that a remaining one covers",
        "`Kitten` removed, `Cat` stays",
        "c",
        "c",
    ),
    (
        "any-of-variant-removed-covered",
        "an `anyOf` choice removed that a remaining one covers",
        "`Kitten` removed, `Cat` stays",
        "c",
        "c",
    ),
    (
        "one-of-ambiguous",
        "a value the former schema accepted now matches several `oneOf` choices (so none)",
        "an object wrapped in a `oneOf` of two overlapping objects",
        "b",
        "c",
    ),
    (
        "reference-changed",
        "a `$ref` to a URL changed (URLs are not followed)",
        "`$ref: https://x/a.yaml` → `b.yaml`",
        "b",
        "b",
    ),
]
# Keywords whose change widens, narrows or (for a few) moves the set of allowed values.
_EFFECT_SUBJECTS: list[tuple[str, str, str]] = [
    ("type", "`type`", "`integer` → `number` widens, `number` → `integer` narrows"),
    ("format", "`format`", "`int32` → `int64` widens, `format` added narrows"),
    ("max-length", "`maxLength`", "`maxLength: 10` → `20` widens"),
    ("min-length", "`minLength`", "`minLength: 1` → `3` narrows"),
    ("maximum", "`maximum`/`exclusiveMaximum`", "`maximum: 10` → `5` narrows"),
    ("minimum", "`minimum`/`exclusiveMinimum`", "`minimum: 0` → `1` narrows"),
    ("max-items", "`maxItems`", "`maxItems: 10` → `100` widens"),
    ("min-items", "`minItems`", "`minItems: 0` → `1` narrows"),
    ("max-properties", "`maxProperties`", "`maxProperties: 5` → `3` narrows"),
    ("min-properties", "`minProperties`", "`minProperties: 1` → `2` narrows"),
    ("multiple-of", "`multipleOf`", "`multipleOf: 10` → `5` widens"),
]
_CHANGED = ("type", "format", "multiple-of")  # the only keywords that can move sideways
_LETTER = {"b": BREAKING, "p": POTENTIALLY, "c": COMPATIBLE}

# Rules outside schemas: (id, level, what, example).
_OTHER: list[tuple[str, str, str, str]] = [
    ("path-removed", BREAKING, "a path removed or renamed", "`/products` → `/items`"),
    ("path-added", COMPATIBLE, "a path added", "`/items` added"),
    (
        "operation-removed",
        BREAKING,
        "a method removed from a path",
        "`DELETE /products/{id}` removed",
    ),
    ("operation-added", COMPATIBLE, "a method added to a path", "`PATCH /products/{id}` added"),
    ("operation-deprecated", COMPATIBLE, "an operation marked `deprecated`", "`deprecated: true`"),
    (
        "request-parameter-removed",
        BREAKING,
        "a parameter removed, renamed or moved",
        "`?limit` removed",
    ),
    (
        "request-required-parameter-added",
        BREAKING,
        "a required parameter added",
        "`?tenant` (required) added",
    ),
    ("request-parameter-added", COMPATIBLE, "an optional parameter added", "`?page` added"),
    (
        "request-parameter-became-required",
        BREAKING,
        "an optional parameter made required",
        "`required: true`",
    ),
    (
        "request-parameter-became-optional",
        COMPATIBLE,
        "a required parameter made optional",
        "`required: false`",
    ),
    (
        "request-parameter-style-changed",
        BREAKING,
        "how an array or object parameter is serialised",
        "`style: form` → `pipeDelimited`",
    ),
    ("request-body-removed", BREAKING, "the request body removed", "`requestBody` removed"),
    (
        "request-required-body-added",
        BREAKING,
        "a required request body added",
        "`requestBody: {required: true}`",
    ),
    ("request-body-added", COMPATIBLE, "an optional request body added", "`requestBody` added"),
    (
        "request-body-became-required",
        BREAKING,
        "an optional request body made required",
        "`required: true`",
    ),
    (
        "request-body-became-optional",
        COMPATIBLE,
        "a required request body made optional",
        "`required: false`",
    ),
    (
        "request-media-type-removed",
        BREAKING,
        "a request media type removed",
        "`application/xml` removed",
    ),
    (
        "request-media-type-added",
        COMPATIBLE,
        "a request media type added",
        "`application/xml` added",
    ),
    (
        "response-media-type-removed",
        BREAKING,
        "a response media type removed",
        "`application/json` → `application/problem+json`",
    ),
    ("response-media-type-added", COMPATIBLE, "a response media type added", "`text/csv` added"),
    ("response-success-status-removed", BREAKING, "a 2xx response removed", "`200` → `201`"),
    (
        "response-non-success-status-removed",
        COMPATIBLE,
        "a 4xx/5xx/default response removed",
        "`404` removed",
    ),
    ("response-status-added", COMPATIBLE, "a response status added", "`202` added"),
    (
        "response-header-removed",
        BREAKING,
        "a required response header removed",
        "`X-Rate-Limit` removed",
    ),
    (
        "response-optional-header-removed",
        POTENTIALLY,
        "an optional response header removed",
        "`ETag` removed",
    ),
    (
        "response-header-became-optional",
        BREAKING,
        "a required response header made optional",
        "`required: false`",
    ),
    (
        "response-header-became-required",
        COMPATIBLE,
        "an optional response header made required",
        "`required: true`",
    ),
    ("response-header-added", COMPATIBLE, "a response header added", "`X-Trace-Id` added"),
    (
        "security-requirement-added",
        BREAKING,
        "a security requirement clients did not meet before",
        "`security: [{apiKey: []}]` added",
    ),
    (
        "security-scope-added",
        BREAKING,
        "an OAuth scope added to a requirement",
        "`[read]` → `[read, write]`",
    ),
    (
        "security-requirement-removed",
        COMPATIBLE,
        "a security requirement removed or made an alternative",
        "`security: []`",
    ),
    (
        "security-scope-removed",
        COMPATIBLE,
        "an OAuth scope dropped from a requirement",
        "`[read, write]` → `[read]`",
    ),
    (
        "more-changes",
        BREAKING,
        "over 500 changes below one schema, counted (level: the highest of them)",
        "a generated schema rewritten",
    ),
]


def _build() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for context in REQUEST_CONTEXTS + RESPONSE_CONTEXTS:
        request = context in REQUEST_CONTEXTS
        for suffix, what, example, in_request, in_response in _SCHEMA:
            level = _LETTER[in_request if request else in_response]
            rules[f"{context}-{suffix}"] = Rule(f"{context}-{suffix}", level, what, example)
        for subject, keyword, example in _EFFECT_SUBJECTS:
            effects = (
                ("widened", "narrowed", "changed")
                if subject in _CHANGED
                else ("widened", "narrowed")
            )
            for effect in effects:
                # Requests must accept at least what they did; responses produce at most that.
                bad = effect != ("widened" if request else "narrowed")
                rule_id = f"{context}-{subject}-{effect}"
                what = f"{keyword} {effect}"
                rules[rule_id] = Rule(rule_id, BREAKING if bad else COMPATIBLE, what, example)
    # Parameter defaults decide what the server does when a client leaves a value out; body
    # property defaults are documentation in most servers (oasdiff: INFO), so only potential.
    for suffix in ("default-added", "default-removed", "default-changed"):
        rule_id = f"request-body-{suffix}"
        rules[rule_id] = Rule(rule_id, POTENTIALLY, rules[rule_id].what, rules[rule_id].example)
    for rule_id, level, what, example in _OTHER:
        rules[rule_id] = Rule(rule_id, level, what, example)
    return rules


RULES: dict[str, Rule] = _build()


def schema_suffixes() -> list[str]:
    """The changes schema rules exist for, in documentation order."""
    found = [entry[0] for entry in _SCHEMA]
    for subject, _, _ in _EFFECT_SUBJECTS:
        effects = (
            ("widened", "narrowed", "changed") if subject in _CHANGED else ("widened", "narrowed")
        )
        found += [f"{subject}-{effect}" for effect in effects]
    return found


def check_level(value: object) -> str | None:
    """`value` when it names a level, else None."""
    return value if isinstance(value, str) and value in LEVELS else None
