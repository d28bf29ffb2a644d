"""The classifier: every change between two OpenAPI documents, breaking or not."""

from __future__ import annotations

import dataclasses
import operator
import sys
from collections.abc import Iterable
from typing import Any

from relorch.gate.changes import Change, change
from relorch.gate.findings import REQUEST, RESPONSE, Finding
from relorch.gate.jsontypes import types_of
from relorch.gate.load import Resolver
from relorch.gate.model import JSON, Body, Header, Operation, Parameter, Spec, read_spec
from relorch.gate.rules import BREAKING, COMPATIBLE, RULES
from relorch.gate.schema import SchemaDiff
from relorch.gate.security import security_changes


def compare(
    base: dict[str, Any],
    head: dict[str, Any],
    *,
    base_label: str = "BASE",
    head_label: str = "HEAD",
) -> list[Change]:
    """Every change from `base` to `head` (documents without other files), sorted by location.

    Raises SpecError (exit 3) naming the label when a document is malformed.
    """
    return compare_resolved(Resolver(base, base_label), Resolver(head, head_label))


def compare_resolved(old: Resolver, new: Resolver) -> list[Change]:
    """Every change between two documents whose resolvers read their other files."""
    before = read_spec(old.doc, old.label, old)
    after = read_spec(new.doc, new.label, new)
    comparison = _Comparison(before, after)
    found = comparison.changes()
    pending = comparison.pending
    # Schema findings become changes once the comparison's memo is freed: 23,000 changes of
    # a big revision then take the memory it held instead of growing the heap beside it
    # (peak 100 -> 94 MB on the gate_bench pair). The order is the sort's.
    del comparison, before, after
    for prefix, context, findings in pending:
        found += _located(prefix, context, findings)
    return sorted(found, key=_CHANGE_ORDER)


# Change's own order (its fields in turn), one key per change instead of a call of its
# `__lt__` per comparison.
_CHANGE_ORDER = operator.attrgetter(*(f.name for f in dataclasses.fields(Change)))


def _located(prefix: str, context: str, findings: Iterable[Finding]) -> list[Change]:
    found = []
    for f in findings:
        # Interned: one string per rule id, not one per change (20,000+ on a big revision).
        rule = f.rule if f.rule == "more-changes" else sys.intern(f"{context}-{f.rule}")
        if rule == "more-changes":
            level = BREAKING if f.breaking else COMPATIBLE
        else:
            level = RULES[rule].level
        where = f"{prefix} {f.where}" if f.where else prefix
        found.append(Change(where, f.kind, f.message, f.breaking, rule, level, f.file))
    return found


class _Comparison:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.schemas = SchemaDiff(old.resolver, new.resolver)
        self.pending: list[tuple[str, str, list[Finding]]] = []  # (prefix, context, findings)

    def _located_later(self, prefix: str, context: str, findings: list[Finding]) -> list[Change]:
        """No change now: `findings` are located once the comparison is over."""
        self.pending.append((prefix, context, findings))
        return []

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for path in sorted(self.old.paths.keys() - self.new.paths.keys()):
            found.append(change(self.old.paths[path], "path-removed", "path removed"))
        for path in sorted(self.new.paths.keys() - self.old.paths.keys()):
            found.append(change(self.new.paths[path], "path-added", "path added"))
        for key in sorted(self.old.operations.keys() | self.new.operations.keys()):
            if key[0] not in self.old.paths or key[0] not in self.new.paths:
                continue  # the whole path came or went: reported once above
            before, after = self.old.operations.get(key), self.new.operations.get(key)
            if after is None and before is not None:
                found.append(change(before.title, "operation-removed", "operation removed"))
            elif before is None and after is not None:
                found.append(change(after.title, "operation-added", "operation added"))
            elif before is not None and after is not None:
                found += self.operation(before, after)
        return found

    def operation(self, old: Operation, new: Operation) -> list[Change]:
        found: list[Change] = []
        if new.deprecated and not old.deprecated:
            found.append(change(new.title, "operation-deprecated", "operation deprecated"))
        found += security_changes(new.title, old, new)
        for key in sorted(old.parameters.keys() | new.parameters.keys()):
            found += self.parameter(new.title, old.parameters.get(key), new.parameters.get(key))
        found += self.body(new.title, old.body, new.body)
        for status in sorted(old.responses.keys() | new.responses.keys()):
            title = f"{new.title} response {status}"
            found += self.response(
                title, status, old.responses.get(status), new.responses.get(status)
            )
            if status in old.responses and status in new.responses:  # headers of any status
                found += self.headers(title, old.headers.get(status), new.headers.get(status))
        return found

    def headers(
        self, title: str, old: dict[str, Header] | None, new: dict[str, Header] | None
    ) -> list[Change]:
        """Response headers: clients may read a required one; it must stay and stay required."""
        old, new = old or {}, new or {}
        found: list[Change] = []
        for key in sorted(old.keys() | new.keys()):
            before, after = old.get(key), new.get(key)
            where = f"{title} header {(after or before).name}"  # type: ignore[union-attr]
            if after is None and before is not None:
                rule = (
                    "response-header-removed"
                    if before.required
                    else "response-optional-header-removed"
                )
                found.append(change(where, rule, "response header removed"))
            elif before is None and after is not None:
                found.append(change(where, "response-header-added", "response header added"))
            elif before is not None and after is not None:
                if before.required and not after.required:
                    found.append(
                        change(where, "response-header-became-optional", "header may now be absent")
                    )
                elif after.required and not before.required:
                    found.append(
                        change(where, "response-header-became-required", "header now always sent")
                    )
                findings = self.schemas.compare(before.schema, after.schema, RESPONSE, where)
                found += self._located_later(where, "response-header", findings)
        return found

    def parameter(self, title: str, old: Parameter | None, new: Parameter | None) -> list[Change]:
        either = new or old
        if either is None:
            return []
        where = f"{title} {either.where} parameter {either.name}"
        if new is None:
            return [
                change(
                    where,
                    "request-parameter-removed",
                    "parameter removed",
                    kind="parameter-removed",
                )
            ]
        if old is None:
            state = "required" if new.required else "optional"
            rule = "request-required-parameter-added" if new.required else "request-parameter-added"
            return [change(where, rule, f"{state} parameter added", kind="parameter-added")]
        found: list[Change] = []
        if new.required and not old.required:
            found.append(
                change(
                    where,
                    "request-parameter-became-required",
                    "parameter is now required",
                    kind="parameter-now-required",
                )
            )
        elif old.required and not new.required:
            found.append(
                change(
                    where,
                    "request-parameter-became-optional",
                    "parameter is now optional",
                    kind="parameter-now-optional",
                )
            )
        if old.wire != new.wire and self.structured(old, new, where):
            found.append(
                change(
                    where,
                    "request-parameter-style-changed",
                    f"serialisation changed from {old.style} to {new.style}",
                    kind="parameter-style-changed",
                )
            )
        findings = self.schemas.compare(old.schema, new.schema, REQUEST, where)
        if old.required and new.required:
            # A client must send a required parameter, so its default never applies.
            findings = [f for f in findings if not (f.where == "" and f.kind == "default-changed")]
        return found + self._located_later(where, "request-parameter", findings)

    def structured(self, old: Parameter, new: Parameter, where: str) -> bool:
        """Whether either side may be an array or object, the only values a style affects."""
        for resolver, param in ((self.old.resolver, old), (self.new.resolver, new)):
            schema = resolver.schema(True if param.schema is None else param.schema, where)
            kinds = types_of(schema, resolver.label, where)
            if kinds is None or kinds & {"array", "object"}:
                return True
        return False

    def body(self, title: str, old: Body | None, new: Body | None) -> list[Change]:
        where = f"{title} request body"
        if old is None and new is None:
            return []
        if new is None:
            return [change(where, "request-body-removed", "request body removed")]
        if old is None:
            state = "required" if new.required else "optional"
            rule = "request-required-body-added" if new.required else "request-body-added"
            return [change(where, rule, f"{state} request body added", kind="request-body-added")]
        found: list[Change] = []
        if new.required and not old.required:
            found.append(
                change(
                    where,
                    "request-body-became-required",
                    "request body is now required",
                    kind="request-body-now-required",
                )
            )
        elif old.required and not new.required:
            found.append(
                change(
                    where,
                    "request-body-became-optional",
                    "request body is now optional",
                    kind="request-body-now-optional",
                )
            )
        return found + self.content(where, old.content, new.content, REQUEST)

    def response(
        self, title: str, status: str, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> list[Change]:
        success = status.startswith("2")
        if new is None:
            if success:
                rule, what = "response-success-status-removed", "success response removed"
            else:
                rule, what = "response-non-success-status-removed", "response removed"
            return [change(title, rule, what, kind="response-removed")]
        if old is None:
            return [change(title, "response-status-added", "response added", kind="response-added")]
        if not success:  # error bodies are not part of the contract the gate protects
            return []
        return self.content(f"{title} body", old, new, RESPONSE)

    def content(
        self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str
    ) -> list[Change]:
        found: list[Change] = []
        side = "request" if direction == REQUEST else "response"
        for media in sorted(old.keys() | new.keys()):
            at = where if media == JSON else f"{where} {media}"
            if media not in new:
                message = f"{side} media type {media} removed"
                found.append(
                    change(at, f"{side}-media-type-removed", message, kind="media-type-removed")
                )
            elif media not in old:
                message = f"{side} media type {media} added"
                found.append(
                    change(at, f"{side}-media-type-added", message, kind="media-type-added")
                )
            else:
                findings = self.schemas.compare(old[media], new[media], direction, at)
                found += self._located_later(at, f"{side}-body", findings)
        return found
