"""YAML to plain data straight from libyaml's events: twice as fast as PyYAML's constructor on
flag files of thousands of flags, and strict where YAML 1.1 surprises (only true/false are
booleans, dates stay text, no Python tags, duplicate keys refused)."""

from __future__ import annotations

import re
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# A float to YAML 1.1 readers too (PyYAML): a dot, and a sign on any exponent.
_FLOAT_11 = re.compile(r"(?:[-+]?[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?")
# An int with a leading zero: octal or text to YAML 1.1, decimal to YAML 1.2.
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_SPECIAL = {
    ".inf": float("inf"),
    "-.inf": float("-inf"),
    "+.inf": float("inf"),
    ".nan": float("nan"),
}
_TAGS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
}


class YamlProblem(ValueError):
    """Something the YAML says that a flag file may not."""


def load(text: str) -> Any:
    """The single document of `text` as dicts, lists, str, int, float, bool and None."""
    stack: list[Any] = []  # open containers; a mapping's pending key rides as (dict, key)
    anchors: dict[str, Any] = {}
    result: Any = None
    documents = 0

    def add(value: Any, anchor: str | None) -> None:
        nonlocal result
        if value is _MERGE and not (
            stack and isinstance(stack[-1], _Open) and stack[-1].key is _NO_KEY
        ):
            value = "<<"  # a plain << anywhere but a key is text
        if anchor:
            anchors[anchor] = value
        if not stack:
            result = value
            return
        top = stack[-1]
        if not isinstance(top, _Open):
            top.append(value)
        elif top.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise YamlProblem("a mapping key must be a plain value")
            top.key = value
        else:
            mapping, key = top.mapping, top.key
            if key is _MERGE and not isinstance(value, dict | list):
                key = "<<"  # `<<: 3` merges nothing: a key like any other
            if key is _MERGE:
                top.merges.append(value)  # applied when the mapping ends: its own keys win
            elif key in mapping:
                raise YamlProblem(f"key {key!r} appears twice in one mapping")
            else:
                mapping[key] = value
            top.key = _NO_KEY

    event: Any
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            add(_scalar(event), event.anchor)
        elif kind is yaml.MappingStartEvent:
            _container_tag(event.tag, "map")
            mapping: dict[Any, Any] = {}
            add(mapping, event.anchor)
            stack.append(_Open(mapping))
        elif kind is yaml.SequenceStartEvent:
            _container_tag(event.tag, "seq")
            sequence: list[Any] = []
            add(sequence, event.anchor)
            stack.append(sequence)
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            done = stack.pop()
            if isinstance(done, _Open):
                done.merge()
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise YamlProblem(f"alias *{event.anchor} names no anchor")
            add(anchors[event.anchor], None)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem("one YAML document per flag file")
    return result


class _Merge:
    __slots__ = ()


_MERGE = _Merge()


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


class _Open:
    """A mapping being read, and the key waiting for its value."""

    __slots__ = ("key", "mapping", "merges")

    def __init__(self, mapping: dict[Any, Any]) -> None:
        self.mapping = mapping
        self.key: Any = _NO_KEY
        self.merges: list[Any] = []

    def merge(self) -> None:
        """`<<: *a` or `<<: [*a, *b]`: keys the mapping lacks, the earlier source first."""
        for value in self.merges:
            for source in value if isinstance(value, list) else [value]:
                for k, v in source.items() if isinstance(source, dict) else ():
                    self.mapping.setdefault(k, v)


def _container_tag(tag: str | None, kind: str) -> None:
    if tag not in (None, "!", f"tag:yaml.org,2002:{kind}"):
        raise YamlProblem(f"tag {tag} is not allowed in a flag file")


def _ambiguous(value: str, number: str) -> YamlProblem:
    """PyYAML writes the text "0E0" or "08" unquoted and reads it back as text (or as an
    octal number); YAML 1.2 readers such as flagd's see a decimal number. Neither reading is
    safe to pick, so the file must say which it means."""
    return YamlProblem(
        f"{value} is read differently by YAML 1.1 and YAML 1.2 readers: quote it ('{value}') "
        f"if it is text, or write it as {number} if it is a number"
    )


def _scalar(event: Any) -> Any:
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if event.style or not event.implicit[0]:
            return value  # quoted (or block) scalars are text
        if value == "<<":
            return _MERGE  # only a plain << key merges; '<<' is a key like any other
        if value in _NULL:
            return None
        if value in _BOOL:
            return _BOOL[value]
        if _INT.fullmatch(value):
            if _LEADING_ZERO.fullmatch(value):
                raise _ambiguous(value, str(int(value)))
            return int(value)
        if _FLOAT.fullmatch(value):
            if not _FLOAT_11.fullmatch(value):
                raise _ambiguous(value, repr(float(value)))
            return float(value)
        return _SPECIAL.get(value.lower(), value)
    if tag in _TAGS:
        try:
            return _TAGS[tag](value)
        except ValueError:
            raise YamlProblem(f"{value!r} is not a {tag.rsplit(':', 1)[-1]}") from None
    raise YamlProblem(f"tag {tag} is not allowed in a flag file")
