"""Schema comparison: which values a schema accepts or produces, before and after a change.

One rule decides every finding. A request schema describes what clients send: the new one
must accept everything the old one accepted, so a finding that *narrows* (or otherwise
changes) the set of values breaks clients. A response schema describes what clients
receive: the new one must produce only what the old one could, so a finding that *widens*
(or otherwise changes) it breaks clients. Properties are the exception the policy makes:
removing one always breaks, and a new response property never does (clients ignore what
they do not understand).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relorch.openapi.constraints import Effect, constraint_findings
from relorch.openapi.jsontypes import disjoint, type_findings, types_of
from relorch.openapi.load import MAX_DEPTH, Resolver, SpecError

REQUEST = "request"
RESPONSE = "response"
PLAIN = "(schema)"  # the plain side when only one side is a oneOf/anyOf
MAX_FINDINGS = 500  # per schema node; keeps hostile documents (YAML alias bombs) linear


@dataclass(frozen=True)
class Finding:
    """One difference inside a schema; `where` is relative to it (".items[].price")."""

    where: str
    kind: str
    message: str
    breaking: bool

    def under(self, prefix: str) -> Finding:
        """The same finding seen from the parent schema."""
        return Finding(prefix + self.where, self.kind, self.message, self.breaking)


def breaks(effect: Effect, direction: str) -> bool:
    """Whether a change of the accepted/produced values breaks clients in this direction."""
    if direction == REQUEST:
        return effect is not Effect.WIDENED
    return effect is not Effect.NARROWED


class SchemaDiff:
    """Compares schemas of two documents; memoised and safe against `$ref` cycles."""

    def __init__(self, base: Resolver, head: Resolver) -> None:
        self.base = base
        self.head = head
        self._memo: dict[tuple[int, int, str], list[Finding]] = {}
        self._active: set[tuple[int, int, str]] = set()

    def compare(
        self, old: Any, new: Any, direction: str, where: str, depth: int = 0
    ) -> list[Finding]:
        """Findings between two schema nodes (None = undescribed) as seen by clients."""
        if old is None and new is None:
            return []
        if depth > MAX_DEPTH:
            raise SpecError(
                f"{self.head.label}: {where}: schemas nested deeper than {MAX_DEPTH} levels"
            )
        b = self.base.schema(True if old is None else old, where)
        h = self.head.schema(True if new is None else new, where)
        if b is h:  # the very same object: one document compared with itself
            return []
        key = (id(b), id(h), direction)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:  # a cycle through $ref: the first visit reports everything
            return []
        self._active.add(key)
        try:
            found = self._compare(b, h, direction, where, depth + 1)
        finally:
            self._active.discard(key)
        if len(found) > MAX_FINDINGS:
            found = [
                *found[:MAX_FINDINGS],
                Finding(
                    "",
                    "more-changes",
                    f"{len(found) - MAX_FINDINGS} more changes not listed",
                    any(f.breaking for f in found[MAX_FINDINGS:]),
                ),
            ]
        self._memo[key] = found
        return found

    def _compare(
        self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str, depth: int
    ) -> list[Finding]:
        external = b.get("$external"), h.get("$external")
        if external != (None, None):
            if external[0] == external[1]:
                return []
            return [
                Finding(
                    "",
                    "reference-changed",
                    f"external $ref changed from {external[0] or 'an inline schema'} to "
                    f"{external[1] or 'an inline schema'} (external references are not followed)",
                    True,
                )
            ]
        if _has_choice(b) != _has_choice(h):
            # A plain schema became a oneOf/anyOf (or the reverse): compare it with the choices.
            return self._variants(b, h, direction, where, depth)
        labels = (self.base.label, self.head.label)
        old_types, new_types = types_of(b, labels[0], where), types_of(h, labels[1], where)
        found = [
            Finding("", kind, message, breaks(effect, direction))
            for kind, message, effect in type_findings(old_types, new_types)
        ]
        if disjoint(old_types, new_types):
            return found  # string -> object: the details below the type are noise
        found += [
            Finding("", kind, message, breaks(effect, direction))
            for kind, message, effect in constraint_findings(b, h, labels, where)
        ]
        found += self._properties(b, h, direction, where, depth)
        found += self._nested(b, h, direction, where, depth)
        found += self._variants(b, h, direction, where, depth)
        return found

    def _visible(
        self, schema: dict[str, Any], resolver: Resolver, direction: str, where: str
    ) -> tuple[dict[str, Any], set[str]]:
        """Properties clients see in this direction (readOnly ones are never sent, writeOnly
        ones never received) and the names that must be present."""
        props = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(props, dict):
            raise resolver.fail(where, "properties must be a mapping")
        if not isinstance(required, list):
            raise resolver.fail(where, "required must be a list")
        hidden = "readOnly" if direction == REQUEST else "writeOnly"
        visible: dict[str, Any] = {}
        for name, node in props.items():
            target = resolver.deref(node, f"{where}.{name}")
            if not (isinstance(target, dict) and target.get(hidden) is True):
                visible[str(name)] = node
        names = {str(n) for n in required} - ({str(n) for n in props} - set(visible))
        return visible, names

    def _properties(
        self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str, depth: int
    ) -> list[Finding]:
        old, old_required = self._visible(b, self.base, direction, where)
        new, new_required = self._visible(h, self.head, direction, where)
        found: list[Finding] = []
        for name in sorted(old.keys() | new.keys() | old_required | new_required):
            at = f".{name}"
            in_old = name in old or name in old_required
            in_new = name in new or name in new_required
            if not in_new:
                found.append(Finding(at, "property-removed", "property removed", True))
                continue
            if not in_old:
                if direction == RESPONSE:
                    found.append(Finding(at, "property-added", "property added", False))
                elif name in new_required:
                    found.append(Finding(at, "property-added", "required property added", True))
                else:
                    found.append(Finding(at, "property-added", "optional property added", False))
                continue
            if name in new_required and name not in old_required:
                message = (
                    "property is now required"
                    if direction == REQUEST
                    else ("property is now always present")
                )
                found.append(Finding(at, "property-now-required", message, direction == REQUEST))
            elif name in old_required and name not in new_required:
                message = (
                    "property is now optional"
                    if direction == REQUEST
                    else ("property may now be absent")
                )
                found.append(Finding(at, "property-now-optional", message, direction == RESPONSE))
            found += [
                f.under(at)
                for f in self.compare(old.get(name), new.get(name), direction, where + at, depth)
            ]
        return found

    def _nested(
        self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str, depth: int
    ) -> list[Finding]:
        found: list[Finding] = []
        if "items" in b or "items" in h:  # a missing side means "any item"
            found += [
                f.under("[]")
                for f in self.compare(
                    b.get("items", True), h.get("items", True), direction, where + "[]", depth
                )
            ]
        old_extra, new_extra = b.get("additionalProperties"), h.get("additionalProperties")
        if new_extra is False and old_extra is not False:
            found.append(
                Finding(
                    "",
                    "additional-properties",
                    "additional properties no longer allowed",
                    direction == REQUEST,
                )
            )
        elif old_extra is False and new_extra is not False:
            # Clients ignore what they do not understand, so this never breaks a reader.
            found.append(
                Finding("", "additional-properties", "additional properties now allowed", False)
            )
        elif isinstance(old_extra, dict) and isinstance(new_extra, dict):
            found += [
                f.under(".*")
                for f in self.compare(old_extra, new_extra, direction, where + ".*", depth)
            ]
        return found

    def _variants(
        self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str, depth: int
    ) -> list[Finding]:
        found: list[Finding] = []
        for keyword in ("oneOf", "anyOf"):
            old = _variants(b, keyword, self.base, where)
            new = _variants(h, keyword, self.head, where)
            if old is None and new is None:
                continue
            # A plain schema on one side is a choice of one: itself.
            old = old if old is not None else {PLAIN: b}
            new = new if new is not None else {PLAIN: h}
            for key in sorted(old.keys() & new.keys()):
                at = f"<{keyword} {key}>"
                found += [
                    f.under(at)
                    for f in self.compare(old[key], new[key], direction, where + at, depth)
                ]
            # Request: every old choice must still be accepted by some new one. Response: every
            # new choice must be something an old one could already produce.
            source, target = (old, new) if direction == REQUEST else (new, old)
            verb, other_verb = (
                ("removed", "added") if direction == REQUEST else ("added", "removed")
            )
            for key in sorted(source.keys() - target.keys()):
                covered = any(
                    not any(f.breaking for f in self._pair(source[key], t, direction, where, depth))
                    for t in target.values()
                )
                if key != PLAIN:
                    message = f"{keyword} choice {verb}" + ("" if covered else " (no other fits)")
                    found.append(
                        Finding(f"<{keyword} {key}>", f"variant-{verb}", message, not covered)
                    )
                elif not covered:
                    message = f"the {'former' if direction == REQUEST else 'new'} schema fits no "
                    message += f"{'new' if direction == REQUEST else 'former'} {keyword} choice"
                    found.append(Finding("", f"variant-{verb}", message, True))
            for key in sorted(target.keys() - source.keys() - {PLAIN}):
                found.append(
                    Finding(
                        f"<{keyword} {key}>",
                        f"variant-{other_verb}",
                        f"{keyword} choice {other_verb}",
                        False,
                    )
                )
        return found

    def _pair(
        self, source: Any, target: Any, direction: str, where: str, depth: int
    ) -> list[Finding]:
        if direction == REQUEST:
            return self.compare(source, target, direction, where, depth)
        return self.compare(target, source, direction, where, depth)


def _has_choice(schema: dict[str, Any]) -> bool:
    return "oneOf" in schema or "anyOf" in schema


def _variants(
    schema: dict[str, Any], keyword: str, resolver: Resolver, where: str
) -> dict[str, Any] | None:
    """The choices of a oneOf/anyOf keyed by the component they name, else by title/position."""
    raw = schema.get(keyword)
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise resolver.fail(where, f"{keyword} must be a list")
    found: dict[str, Any] = {}
    for index, node in enumerate(raw):
        ref = node.get("$ref") if isinstance(node, dict) else None
        title = node.get("title") if isinstance(node, dict) else None
        if isinstance(ref, str):
            key = ref.rsplit("/", 1)[-1]
        elif isinstance(title, str):
            key = title
        else:
            key = f"#{index}"
        found.setdefault(key, node)
    return found
