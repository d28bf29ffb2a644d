"""Findings inside schemas, and whether each breaks clients.

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
from typing import Any, NamedTuple

from relorch.gate.constraints import Effect

REQUEST = "request"
RESPONSE = "response"


class Finding(NamedTuple):
    """One difference inside a schema; `where` is relative to it (".items[].price").

    A NamedTuple: a big revision yields tens of thousands of findings, each re-created at
    every level above it, and tuples are several times cheaper to build than dataclasses."""

    where: str
    kind: str
    message: str
    breaking: bool
    origin: object = None  # where it was found (SchemaDiff._finish)
    rule: str = ""  # the rule id without its context ("enum-value-added"); rules.py
    file: str = ""  # the referenced file the change is in, when not the document itself


def under(prefix: str, findings: list[Finding]) -> list[Finding]:
    """A child schema's findings seen from its parent. Built directly rather than with
    `_replace` (which goes through keyword arguments and `_make`), and not through the
    class's own `__new__` (a Python function taking each field by name, a tenth of a big
    comparison's time): a big revision re-creates every finding at every level above it,
    over a hundred thousand times."""
    return [new_tuple(Finding, (prefix + w, k, m, b, o, r, f)) for w, k, m, b, o, r, f in findings]


# `new_tuple(Finding, fields)`: a Finding from its seven fields in order, without `__new__`.
new_tuple = tuple.__new__


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
