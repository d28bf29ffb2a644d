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

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import Any

from relorch.openapi.constraints import Effect, constraint_findings
from relorch.openapi.jsontypes import disjoint, type_findings, types_of
from relorch.openapi.load import Resolver

REQUEST = "request"
RESPONSE = "response"
PLAIN = "(schema)"  # the plain side when only one side is a oneOf/anyOf
MAX_FINDINGS = 500  # per schema node; keeps hostile documents (YAML alias bombs) linear
MAX_DEPTH = 5000  # schema levels being compared at once: memory, not the Python stack


@dataclass(frozen=True)
class Finding:
    """One difference inside a schema; `where` is relative to it (".items[].price")."""

    where: str
    kind: str
    message: str
    breaking: bool
    origin: object = field(default=None, compare=False)  # where it was found (see _finish)

    def under(self, prefix: str) -> Finding:
        """The same finding seen from the parent schema."""
        return replace(self, where=prefix + self.where)


def breaks(effect: Effect, direction: str) -> bool:
    """Whether a change of the accepted/produced values breaks clients in this direction."""
    if direction == REQUEST:
        return effect is not Effect.WIDENED
    return effect is not Effect.NARROWED


# A comparison step asks for a child comparison by yielding (old, new, direction, where) and
# is sent the child's findings back. SchemaDiff.compare drives these steps with an explicit
# stack instead of Python recursion, so a long chain of components referring to each other
# (a real document can have hundreds) cannot exhaust the interpreter's stack.
Ask = tuple[Any, Any, str, str]
Step = Generator[Ask, list[Finding], list[Finding]]
Key = tuple[int, int, str]


class SchemaDiff:
    """Compares schemas of two documents; memoised and safe against `$ref` cycles."""

    def __init__(self, base: Resolver, head: Resolver) -> None:
        self.base = base
        self.head = head
        self._memo: dict[Key, list[Finding]] = {}
        self._active: set[Key] = set()

    def compare(self, old: Any, new: Any, direction: str, where: str) -> list[Finding]:
        """Findings between two schema nodes (None = undescribed) as seen by clients."""
        started = self._start((old, new, direction, where))
        if isinstance(started, list):
            return started
        stack = [started]
        result: list[Finding] | None = None
        try:
            while stack:
                key, step = stack[-1]
                try:
                    ask = step.send(result)  # type: ignore[arg-type]  # None starts a step
                except StopIteration as done:
                    stack.pop()
                    result = self._finish(key, done.value)
                    continue
                child = self._start(ask)
                if isinstance(child, list):
                    result = child
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise self.head.fail(
                            ask[3], f"schemas nested deeper than {MAX_DEPTH} levels"
                        )
                    stack.append(child)
                    result = None
        finally:
            self._active.difference_update(key for key, _ in stack)
        assert result is not None  # the root step finished
        return result

    def _start(self, ask: Ask) -> list[Finding] | tuple[Key, Step]:
        """The findings when known without work (memo, cycle, identical), else a new step."""
        old, new, direction, where = ask
        if old is None and new is None:
            return []
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
        return key, self._compare(b, h, direction, where)

    def _finish(self, key: Key, found: list[Finding]) -> list[Finding]:
        """Memoise a node's findings, each difference once, at the shortest path to it.

        A component reached along several paths (Address as .billing and .shipping, or a
        graph of components referring to each other) would otherwise repeat one change at
        every path, exponentially many in the worst case.
        """
        self._active.discard(key)
        shortest: dict[object, Finding] = {}
        for finding in found:
            if finding.origin is None:  # found at this node
                finding = replace(finding, origin=(key, finding.where, finding.kind))
            seen = shortest.get(finding.origin)
            if seen is None or (len(finding.where), finding.where) < (len(seen.where), seen.where):
                shortest[finding.origin] = finding
        found = sorted(shortest.values(), key=lambda f: (f.where, f.kind, f.message))
        if len(found) > MAX_FINDINGS:
            rest = found[MAX_FINDINGS:]
            found = [
                *found[:MAX_FINDINGS],
                Finding(
                    "",
                    "more-changes",
                    f"{len(rest)} more changes not listed",
                    any(f.breaking for f in rest),
                ),
            ]
        self._memo[key] = found
        return found

    def _compare(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
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
            return (yield from self._variants(b, h, direction, where))
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
        found += yield from self._properties(b, h, direction, where)
        found += yield from self._nested(b, h, direction, where)
        found += yield from self._variants(b, h, direction, where)
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

    def _properties(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
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
                message = "now required" if direction == REQUEST else "now always present"
                found.append(
                    Finding(
                        at, "property-now-required", f"property {message}", direction == REQUEST
                    )
                )
            elif name in old_required and name not in new_required:
                message = "now optional" if direction == REQUEST else "may now be absent"
                found.append(
                    Finding(
                        at, "property-now-optional", f"property {message}", direction == RESPONSE
                    )
                )
            child = yield (old.get(name), new.get(name), direction, where + at)
            found += [f.under(at) for f in child]
        return found

    def _nested(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
        found: list[Finding] = []
        if "items" in b or "items" in h:  # a missing side means "any item"
            child = yield (b.get("items", True), h.get("items", True), direction, where + "[]")
            found += [f.under("[]") for f in child]
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
            child = yield (old_extra, new_extra, direction, where + ".*")
            found += [f.under(".*") for f in child]
        return found

    def _variants(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
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
                child = yield (old[key], new[key], direction, where + at)
                found += [f.under(at) for f in child]
            # Request: every old choice must still be accepted by some new one. Response: every
            # new choice must be something an old one could already produce.
            source, target = (old, new) if direction == REQUEST else (new, old)
            verb, other_verb = (
                ("removed", "added") if direction == REQUEST else ("added", "removed")
            )
            for key in sorted(source.keys() - target.keys()):
                covered = False
                for other in target.values():
                    pair = (source[key], other) if direction == REQUEST else (other, source[key])
                    if not any(f.breaking for f in (yield (*pair, direction, where))):
                        covered = True
                        break
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
