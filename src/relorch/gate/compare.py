"""The classifier: every change between two OpenAPI documents, breaking or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from relorch.gate.findings import REQUEST, RESPONSE, Finding
from relorch.gate.jsontypes import types_of
from relorch.gate.model import JSON, Body, Operation, Parameter, Spec, read_spec
from relorch.gate.schema import SchemaDiff


@dataclass(frozen=True, order=True)
class Change:
    """One change a client could notice; `location` says where ("GET /p response 200 body .id")."""

    location: str
    kind: str
    message: str
    breaking: bool

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return asdict(self)


def compare(
    base: dict[str, Any],
    head: dict[str, Any],
    *,
    base_label: str = "BASE",
    head_label: str = "HEAD",
) -> list[Change]:
    """Every change from `base` to `head`, sorted by location.

    Raises SpecError (a UsageError, exit 2) naming the label when a document is malformed.
    """
    old, new = read_spec(base, base_label), read_spec(head, head_label)
    return sorted(_Comparison(old, new).changes())


def _located(prefix: str, findings: Iterable[Finding]) -> list[Change]:
    return [
        Change(f"{prefix} {f.where}" if f.where else prefix, f.kind, f.message, f.breaking)
        for f in findings
    ]


class _Comparison:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.schemas = SchemaDiff(old.resolver, new.resolver)

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for path in sorted(self.old.paths.keys() - self.new.paths.keys()):
            found.append(Change(self.old.paths[path], "path-removed", "path removed", True))
        for path in sorted(self.new.paths.keys() - self.old.paths.keys()):
            found.append(Change(self.new.paths[path], "path-added", "path added", False))
        for key in sorted(self.old.operations.keys() | self.new.operations.keys()):
            if key[0] not in self.old.paths or key[0] not in self.new.paths:
                continue  # the whole path came or went: reported once above
            before, after = self.old.operations.get(key), self.new.operations.get(key)
            if after is None and before is not None:
                found.append(Change(before.title, "operation-removed", "operation removed", True))
            elif before is None and after is not None:
                found.append(Change(after.title, "operation-added", "operation added", False))
            elif before is not None and after is not None:
                found += self.operation(before, after)
        return found

    def operation(self, old: Operation, new: Operation) -> list[Change]:
        found: list[Change] = []
        if new.deprecated and not old.deprecated:
            found.append(Change(new.title, "operation-deprecated", "operation deprecated", False))
        for key in sorted(old.parameters.keys() | new.parameters.keys()):
            found += self.parameter(new.title, old.parameters.get(key), new.parameters.get(key))
        found += self.body(new.title, old.body, new.body)
        for status in sorted(old.responses.keys() | new.responses.keys()):
            found += self.response(
                f"{new.title} response {status}",
                status,
                old.responses.get(status),
                new.responses.get(status),
            )
        return found

    def parameter(self, title: str, old: Parameter | None, new: Parameter | None) -> list[Change]:
        either = new or old
        if either is None:
            return []
        where = f"{title} {either.where} parameter {either.name}"
        if new is None:
            return [Change(where, "parameter-removed", "parameter removed", True)]
        if old is None:
            state = "required" if new.required else "optional"
            return [Change(where, "parameter-added", f"{state} parameter added", new.required)]
        found: list[Change] = []
        if new.required and not old.required:
            found.append(Change(where, "parameter-now-required", "parameter is now required", True))
        elif old.required and not new.required:
            found.append(
                Change(where, "parameter-now-optional", "parameter is now optional", False)
            )
        if old.wire != new.wire and self.structured(old, new, where):
            found.append(
                Change(
                    where,
                    "parameter-style-changed",
                    f"serialisation changed from {old.style} to {new.style}",
                    True,
                )
            )
        return found + _located(where, self.schemas.compare(old.schema, new.schema, REQUEST, where))

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
            return [Change(where, "request-body-removed", "request body removed", True)]
        if old is None:
            state = "required" if new.required else "optional"
            return [
                Change(where, "request-body-added", f"{state} request body added", new.required)
            ]
        found: list[Change] = []
        if new.required and not old.required:
            found.append(
                Change(where, "request-body-now-required", "request body is now required", True)
            )
        elif old.required and not new.required:
            found.append(
                Change(where, "request-body-now-optional", "request body is now optional", False)
            )
        return found + self.content(where, old.content, new.content, REQUEST)

    def response(
        self, title: str, status: str, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> list[Change]:
        success = status.startswith("2")
        if new is None:
            what = "success response removed" if success else "response removed"
            return [Change(title, "response-removed", what, success)]
        if old is None:
            return [Change(title, "response-added", "response added", False)]
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
                found.append(
                    Change(at, "media-type-removed", f"{side} media type {media} removed", True)
                )
            elif media not in old:
                found.append(
                    Change(at, "media-type-added", f"{side} media type {media} added", False)
                )
            else:
                found += _located(at, self.schemas.compare(old[media], new[media], direction, at))
        return found
