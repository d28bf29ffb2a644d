"""oneOf/anyOf: comparing a choice of schemas with another choice (or a plain schema)."""

from __future__ import annotations

from typing import Any

from relorch.gate.findings import REQUEST, Finding, Step, under
from relorch.gate.load import Resolver

PLAIN = "(schema)"  # the plain side when only one side is a oneOf/anyOf
_RULE_WORD = {"oneOf": "one-of", "anyOf": "any-of"}


def choice_findings(
    b: dict[str, Any],
    h: dict[str, Any],
    direction: str,
    where: str,
    docs: tuple[Resolver, Resolver],
) -> Step:
    """oneOf/anyOf: choices matched by name are compared; an unmatched one is checked against
    every choice of the other side."""
    found: list[Finding] = []
    for keyword in ("oneOf", "anyOf"):
        old = _keyed(b, keyword, docs[0], where)
        new = _keyed(h, keyword, docs[1], where)
        if old is None and new is None:
            continue
        word = _RULE_WORD[keyword]
        # A plain schema on one side is a choice of one: itself.
        old = old if old is not None else {PLAIN: b}
        new = new if new is not None else {PLAIN: h}
        for key in sorted(old.keys() & new.keys()):
            at = f"<{keyword} {key}>"
            child = yield (old[key], new[key], direction, where + at)
            found += under(at, child)
        # Request: every old choice must still be accepted by some new one. Response: every
        # new choice must be something an old one could already produce.
        source, target = (old, new) if direction == REQUEST else (new, old)
        verb, other_verb = ("removed", "added") if direction == REQUEST else ("added", "removed")
        for key in sorted(source.keys() - target.keys()):
            covered = False
            for other in target.values():
                pair = (source[key], other) if direction == REQUEST else (other, source[key])
                if not any(f.breaking for f in (yield (*pair, direction, where))):
                    covered = True
                    break
            rule = f"{word}-variant-{verb}" + ("-covered" if covered else "")
            if key != PLAIN:
                message = f"{keyword} choice {verb}" + ("" if covered else " (no other fits)")
                if not covered and verb == "added" and "discriminator" in h:
                    rule = "discriminated-variant-added"
                    message = f"{keyword} choice added (a new {_discriminator(h)} value)"
                found.append(
                    Finding(
                        f"<{keyword} {key}>", f"variant-{verb}", message, not covered, rule=rule
                    )
                )
            elif not covered:
                message = f"the {'former' if direction == REQUEST else 'new'} schema fits no "
                message += f"{'new' if direction == REQUEST else 'former'} {keyword} choice"
                found.append(Finding("", f"variant-{verb}", message, True, rule=rule))
        for key in sorted(target.keys() - source.keys() - {PLAIN}):
            found.append(
                Finding(
                    f"<{keyword} {key}>",
                    f"variant-{other_verb}",
                    f"{keyword} choice {other_verb}",
                    False,
                    rule=f"{word}-variant-{other_verb}-covered",
                )
            )
        if keyword == "oneOf" and direction == REQUEST and PLAIN not in new:
            found += yield from _ambiguity(old, new, where)
    return found


def _ambiguity(old: dict[str, Any], new: dict[str, Any], where: str) -> Step:
    """A request value valid against exactly one branch before must not now match two: a
    oneOf rejects a value that matches several choices. A former choice (or the former plain
    schema) that fits two new choices whole has such values."""
    found: list[Finding] = []
    for key in sorted(old):
        fits = []
        for other_key in sorted(new):
            if not any(f.breaking for f in (yield (old[key], new[other_key], REQUEST, where))):
                fits.append(other_key)
            if len(fits) == 2:
                break
        # Two choices that both existed before: the ambiguity is not new.
        if len(fits) == 2 and not (set(fits) <= old.keys()):
            what = "the former schema" if key == PLAIN else f"former choice {key}"
            found.append(
                Finding(
                    "",
                    "variant-added",
                    f"{what} fits oneOf choices {fits[0]} and {fits[1]}: values matching both "
                    "are now rejected",
                    True,
                    rule="one-of-ambiguous",
                )
            )
    return found


def _discriminator(schema: dict[str, Any]) -> str:
    raw = schema.get("discriminator")
    name = raw.get("propertyName") if isinstance(raw, dict) else None
    return str(name) if name else "discriminator"


def has_choice(schema: dict[str, Any]) -> bool:
    """Whether the schema is a oneOf/anyOf."""
    return "oneOf" in schema or "anyOf" in schema


def _keyed(
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
