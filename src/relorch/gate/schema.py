"""Schema comparison: the values a schema accepts or produces, before and after a change."""

from __future__ import annotations

import operator
from typing import Any

from relorch.gate.choices import choice_findings, has_choice
from relorch.gate.constraints import constraint_findings, default_findings
from relorch.gate.findings import REQUEST, RESPONSE, Ask, Finding, Step, breaks, new_tuple, under
from relorch.gate.jsontypes import disjoint, type_findings, types_of
from relorch.gate.load import Resolver

MAX_FINDINGS = 500  # per schema node; keeps hostile documents (YAML alias bombs) linear
Key = tuple[int, int, str]  # id(old schema), id(new schema), direction
MAX_DEPTH = 5000  # schema levels being compared at once: memory, not the Python stack
# Keywords holding other schemas (or pointing at them): a schema with none of them is a leaf,
# and two equal leaves have no difference at all (most property schemas: the fast path).
_NESTING = frozenset(
    {
        "$ref",
        "$external",
        "properties",
        "items",
        "additionalProperties",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "prefixItems",
        "patternProperties",
    }
)


class SchemaDiff:
    """Compares schemas of two documents; memoised and safe against `$ref` cycles."""

    def __init__(self, base: Resolver, head: Resolver) -> None:
        self.base = base
        self.head = head
        self._memo: dict[Key, list[Finding]] = {}
        # Findings of a node whose comparison was cut short by a cycle back to a node still
        # being compared above it: complete only as seen from that node, so kept for this
        # top-level comparison alone. (Pet -> owner -> Owner -> pets -> Pet: compared from
        # Owner, Pet's own .owner is cut; compared from another operation it is not.)
        self._round: dict[Key, list[Finding]] = {}
        self._active: dict[Key, int] = {}  # node being compared -> its depth on the stack
        self._cut = 0  # depth of the shallowest active node the last _start cut a cycle to

    def compare(self, old: Any, new: Any, direction: str, where: str) -> list[Finding]:
        """Findings between two schema nodes (None = undescribed) as seen by clients."""
        self._round.clear()
        started = self._start((old, new, direction, where), 0)
        if isinstance(started, list):
            return started
        stack = [started]
        low = [1]  # per frame: the shallowest depth a cycle below it reached back to
        result: list[Finding] | None = None
        try:
            while stack:
                key, step = stack[-1]
                try:
                    ask = step.send(result)  # type: ignore[arg-type]  # None starts a step
                except StopIteration as done:
                    depth = len(stack)
                    stack.pop()
                    reached = low.pop()
                    result = self._finish(key, done.value, complete=reached >= depth)
                    if low:
                        low[-1] = min(low[-1], reached)
                    continue
                self._cut = len(stack) + 1
                child = self._start(ask, len(stack) + 1)
                if isinstance(child, list):
                    low[-1] = min(low[-1], self._cut)
                    result = child
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise self.head.fail(
                            ask[3], f"schemas nested deeper than {MAX_DEPTH} levels"
                        )
                    stack.append(child)
                    low.append(len(stack))
                    result = None
        finally:
            for key, _ in stack:
                self._active.pop(key, None)
        assert result is not None  # the root step finished
        return result

    def _start(self, ask: Ask, depth: int = 0) -> list[Finding] | tuple[Key, Step]:
        """The findings when known without work (memo, cycle, identical), else a new step.
        A cycle cut sets `_cut` to the depth of the node it returned to."""
        old, new, direction, where = ask
        if old is None and new is None:
            return []
        b = self.base.schema(True if old is None else old, where)
        h = self.head.schema(True if new is None else new, where)
        if b is h:  # the very same object: one document compared with itself
            return []
        if _same_leaf(b, h):
            return []
        key = (id(b), id(h), direction)
        if key in self._memo:
            return self._memo[key]
        if key in self._round:  # provisional: whoever uses it is provisional too
            self._cut = 0
            return self._round[key]
        if key in self._active:  # a cycle through $ref: the first visit reports everything
            self._cut = self._active[key]
            return []
        self._active[key] = depth or 1
        return key, self._compare(b, h, direction, where)

    def _finish(self, key: Key, found: list[Finding], *, complete: bool = True) -> list[Finding]:
        """Memoise a node's findings, each difference once, at the shortest path to it.

        A component reached along several paths (Address as .billing and .shipping, or a
        graph of components referring to each other) would otherwise repeat one change at
        every path, exponentially many in the worst case.
        """
        self._active.pop(key, None)
        shortest: dict[object, Finding] = {}
        file = None
        for each in found:
            # Found at this node (no origin yet), or below it.
            if each.origin:
                finding = each
            else:  # found at this node: remember which node, and its file when referenced
                if file is None:
                    file = self.head.file_of(key[1]) or self.base.file_of(key[0])
                where, kind, message, breaking, _, rule, _ = each
                origin = (key, where, rule)
                finding = new_tuple(Finding, (where, kind, message, breaking, origin, rule, file))
            seen = shortest.get(finding.origin)
            if seen is None or (len(finding.where), finding.where) < (len(seen.where), seen.where):
                shortest[finding.origin] = finding
        found = sorted(shortest.values(), key=_finding_order)
        if len(found) > MAX_FINDINGS:
            rest = found[MAX_FINDINGS:]
            found = [
                *found[:MAX_FINDINGS],
                Finding(
                    "",
                    "more-changes",
                    f"{len(rest)} more changes not listed",
                    any(f.breaking for f in rest),
                    rule="more-changes",
                ),
            ]
        (self._memo if complete else self._round)[key] = found
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
                    f"$ref changed from {external[0] or 'an inline schema'} to "
                    f"{external[1] or 'an inline schema'} (URLs are not followed)",
                    True,
                    rule="reference-changed",
                )
            ]
        if has_choice(b) != has_choice(h):
            # A plain schema became a oneOf/anyOf (or the reverse): compare it with the choices.
            return (yield from choice_findings(b, h, direction, where, (self.base, self.head)))
        labels = (self.base.label, self.head.label)
        old_types, new_types = types_of(b, labels[0], where), types_of(h, labels[1], where)
        found = [
            Finding("", kind, message, breaks(effect, direction), rule=rule)
            for kind, message, effect, rule in type_findings(old_types, new_types)
        ]
        if disjoint(old_types, new_types):
            return found  # string -> object: the details below the type are noise
        found += [
            Finding("", kind, message, breaks(effect, direction), rule=rule)
            for kind, message, effect, rule in constraint_findings(b, h, labels, where)
        ]
        found += [
            # A default never changes which values are valid: the level comes from rules.py.
            Finding("", kind, message, False, rule=rule)
            for kind, message, _, rule in default_findings(b, h, labels, where)
        ]
        found += yield from self._properties(b, h, direction, where)
        found += yield from self._nested(b, h, direction, where)
        found += yield from choice_findings(b, h, direction, where, (self.base, self.head))
        return found

    def _visible(
        self, schema: dict[str, Any], resolver: Resolver, direction: str, where: str
    ) -> tuple[dict[str, Any], set[str], set[str]]:
        """Properties clients see in this direction (readOnly ones are never sent, writeOnly
        ones never received), the names that must be present, and the hidden names."""
        props = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(props, dict):
            raise resolver.fail(where, "properties must be a mapping")
        if not isinstance(required, list):
            raise resolver.fail(where, "required must be a list")
        hidden_key = "readOnly" if direction == REQUEST else "writeOnly"
        visible: dict[str, Any] = {}
        for name, node in props.items():
            # Most properties are inline schemas: no $ref to follow, no place to name.
            is_ref = isinstance(node, dict) and "$ref" in node  # what deref would follow
            target = resolver.deref(node, f"{where}.{name}") if is_ref else node
            if not (isinstance(target, dict) and target.get(hidden_key) is True):
                visible[str(name)] = node
        hidden = {str(n) for n in props} - set(visible) if len(visible) < len(props) else set()
        names = {str(n) for n in required} - hidden
        return visible, names, hidden

    def _properties(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
        old, old_required, _ = self._visible(b, self.base, direction, where)
        new, new_required, new_hidden = self._visible(h, self.head, direction, where)
        found: list[Finding] = []
        for name in sorted(old.keys() | new.keys() | old_required | new_required):
            at = f".{name}"
            in_old = name in old or name in old_required
            in_new = name in new or name in new_required
            if not in_new and name in new_hidden:
                flag = "readOnly" if direction == REQUEST else "writeOnly"
                suffix = "read-only" if direction == REQUEST else "write-only"
                message = f"property made {flag}" + (
                    "" if direction == REQUEST else " (no longer in responses)"
                )
                found.append(
                    Finding(at, "property-removed", message, True, rule=f"property-became-{suffix}")
                )
                continue
            if not in_new:
                found.append(
                    Finding(
                        at, "property-removed", "property removed", True, rule="property-removed"
                    )
                )
                continue
            if not in_old:
                if direction == RESPONSE:
                    found.append(
                        Finding(
                            at, "property-added", "property added", False, rule="property-added"
                        )
                    )
                elif name in new_required:
                    found.append(
                        Finding(
                            at,
                            "property-added",
                            "required property added",
                            True,
                            rule="required-property-added",
                        )
                    )
                else:
                    found.append(
                        Finding(
                            at,
                            "property-added",
                            "optional property added",
                            False,
                            rule="property-added",
                        )
                    )
                continue
            if name in new_required and name not in old_required:
                message = "now required" if direction == REQUEST else "now always present"
                found.append(
                    Finding(
                        at,
                        "property-now-required",
                        f"property {message}",
                        direction == REQUEST,
                        rule="property-became-required",
                    )
                )
            elif name in old_required and name not in new_required:
                message = "now optional" if direction == REQUEST else "may now be absent"
                found.append(
                    Finding(
                        at,
                        "property-now-optional",
                        f"property {message}",
                        direction == RESPONSE,
                        rule="property-became-optional",
                    )
                )
            child = yield (old.get(name), new.get(name), direction, where + at)
            found += under(at, child)
        return found

    def _nested(self, b: dict[str, Any], h: dict[str, Any], direction: str, where: str) -> Step:
        found: list[Finding] = []
        if "items" in b or "items" in h:  # a missing side means "any item"
            child = yield (b.get("items", True), h.get("items", True), direction, where + "[]")
            found += under("[]", child)
        old_extra, new_extra = b.get("additionalProperties"), h.get("additionalProperties")
        if new_extra is False and old_extra is not False:
            found.append(
                Finding(
                    "",
                    "additional-properties",
                    "additional properties no longer allowed",
                    direction == REQUEST,
                    rule="additional-properties-forbidden",
                )
            )
        elif old_extra is False and new_extra is not False:
            # Clients ignore what they do not understand, so this never breaks a reader.
            found.append(
                Finding(
                    "",
                    "additional-properties",
                    "additional properties now allowed",
                    False,
                    rule="additional-properties-allowed",
                )
            )
        elif isinstance(old_extra, dict) and isinstance(new_extra, dict):
            child = yield (old_extra, new_extra, direction, where + ".*")
            found += under(".*", child)
        return found


_SCALARS = (str, int, float, bool, type(None))
_finding_order = operator.attrgetter("where", "kind", "message")


def _same_leaf(b: dict[str, Any], h: dict[str, Any]) -> bool:
    """Two schemas without nested schemas and with the same scalar (or list of scalars)
    keywords. Deliberately shallow: `==` on arbitrary values could walk a YAML alias bomb
    (2**40 paths through shared nodes) for ever."""
    if len(b) != len(h) or not _NESTING.isdisjoint(b):
        return False
    for key, value in b.items():
        other = h.get(key, b)  # b itself: a missing key never matches
        if value is other:
            continue
        if isinstance(value, _SCALARS):
            if not (type(value) is type(other) and value == other):
                return False
        elif isinstance(value, list) and isinstance(other, list) and len(value) == len(other):
            if not all(
                isinstance(x, _SCALARS) and type(x) is type(y) and x == y
                for x, y in zip(value, other, strict=True)
            ):
                return False
        else:
            return False
    return True
