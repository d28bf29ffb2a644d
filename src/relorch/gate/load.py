"""OpenAPI documents: parse YAML/JSON text, follow local `$ref`s, merge `allOf`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import yaml

from relorch.errors import UsageError

# libyaml is about ten times faster on large documents; fall back to the pure-Python loader.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# allOf members that are themselves allOf, and so on: merged recursively, so bounded well
# below Python's recursion limit. Real inheritance chains are a handful deep.
MAX_ALLOF_DEPTH = 100
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
# The JSON Schema booleans. Shared objects, because schema.py memoises comparisons by id().
ANY: dict[str, Any] = {}
NEVER: dict[str, Any] = {"enum": []}


class SpecError(UsageError):
    """An OpenAPI document that cannot be read or compared (exit 2)."""

    default_hint = (
        "fix the OpenAPI document at that revision (it must be valid OpenAPI 3.x or Swagger 2.0)"
    )


def parse_document(text: str, label: str) -> dict[str, Any]:
    """The document in `text` (YAML or JSON); SpecError naming `label` when it is not OpenAPI."""
    data: Any = None
    try:
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = yaml.load(text, Loader=_LOADER)  # a YAML flow mapping is not JSON
        else:
            data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(
            f"{label}: not valid YAML or JSON: {exc.problem or exc.context}{where}"
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # PyYAML raises ValueError for impossible timestamps such as 2020-13-45.
        raise SpecError(f"{label}: not valid YAML or JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{label}: not an OpenAPI document (the top level is not a mapping)")
    check_version(data, label)
    return data


def check_version(data: dict[str, Any], label: str) -> str:
    """The document's version, "3" (OpenAPI 3.x) or "2" (Swagger 2.0); SpecError for others."""
    if "openapi" in data:
        if str(data["openapi"]).startswith("3."):
            return "3"
        raise SpecError(
            f"{label}: unsupported OpenAPI version {data['openapi']!r} (3.x is supported)"
        )
    if "swagger" in data:
        if str(data["swagger"]) == "2.0":
            return "2"
        raise SpecError(
            f"{label}: unsupported Swagger version {data['swagger']!r} (2.0 is supported)"
        )
    raise SpecError(f"{label}: not an OpenAPI document (no `openapi` or `swagger` version key)")


def mapping(value: Any, label: str, where: str) -> dict[str, Any]:
    """`value` when it is a mapping (None counts as empty); SpecError otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"{label}: {where} must be a mapping, got {type(value).__name__}")
    return value


class Resolver:
    """One parsed document: follows its local `$ref`s and merges `allOf`, cycle-safe."""

    def __init__(self, doc: dict[str, Any], label: str) -> None:
        self.doc = doc
        self.label = label
        # Keyed by id(); the node is kept in the value so the id cannot be reused meanwhile.
        self._merged: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._merging: set[int] = set()
        self._external: dict[str, dict[str, Any]] = {}
        # Merged property schemas (see _both); members stay referenced, so ids stay unique.
        self._combined: dict[frozenset[int], dict[str, Any]] = {}
        self._members_of: dict[int, list[Any]] = {}

    def fail(self, where: str, problem: str) -> SpecError:
        """A SpecError naming this document and the place in it."""
        return SpecError(f"{self.label}: {where}: {problem}")

    def deref(self, node: Any, where: str) -> Any:
        """`node` with its chain of `$ref`s followed (3.0 semantics: siblings of $ref ignored)."""
        chain: list[str] = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise self.fail(where, "$ref must be a string")
            if ref in chain:
                raise self.fail(where, "circular $ref " + " -> ".join([*chain, ref]))
            chain.append(ref)
            node = self._target(ref, where)
        return node

    def _target(self, ref: str, where: str) -> Any:
        if not ref.startswith("#"):
            # Another file or a URL: not followed; compared by its address (see schema.py).
            return self._external.setdefault(ref, {"$external": ref})
        node: Any = self.doc
        for raw in ref[1:].split("/")[1:] if ref != "#" else []:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                if part in node:
                    node = node[part]
                elif part.isdigit() and len(part) < 10 and int(part) in node:  # YAML: 200
                    node = node[int(part)]
                else:
                    raise self.fail(where, f"$ref {ref!r} points to nothing")
            elif isinstance(node, list) and part.isdigit() and int(part[:10]) < len(node):
                node = node[int(part)]
            else:
                raise self.fail(where, f"$ref {ref!r} points to nothing")
        return node

    def schema(self, node: Any, where: str) -> dict[str, Any]:
        """The schema `node` stands for: $refs followed, `allOf` merged, booleans as mappings."""
        node = self.deref(node, where)
        if node is True:
            return ANY
        if node is False:
            return NEVER
        if not isinstance(node, dict):
            raise self.fail(where, f"a schema must be a mapping, got {type(node).__name__}")
        if "allOf" not in node:
            return node
        key = id(node)
        if key in self._merged:
            return self._merged[key][1]
        if key in self._merging:  # A allOf [B], B allOf [A]: the inner A adds nothing new
            return {k: v for k, v in node.items() if k != "allOf"}
        if len(self._merging) >= MAX_ALLOF_DEPTH:
            raise self.fail(where, f"allOf nested deeper than {MAX_ALLOF_DEPTH} levels")
        self._merging.add(key)
        try:
            merged = self._merge_all(node, where)
        finally:
            self._merging.discard(key)
        self._merged[key] = (node, merged)
        return merged

    def _merge_all(self, node: dict[str, Any], where: str) -> dict[str, Any]:
        parts = node["allOf"]
        if not isinstance(parts, list):
            raise self.fail(where, "allOf must be a list")
        merged = {k: v for k, v in node.items() if k != "allOf"}
        for index, part in enumerate(parts):
            self._merge(merged, self.schema(part, f"{where} allOf[{index}]"))
        return merged

    def _merge(self, into: dict[str, Any], part: dict[str, Any]) -> None:
        """Fold one `allOf` member into the merged schema: both sets of constraints apply."""
        for key, value in part.items():
            if key not in into:
                into[key] = value
            elif key == "properties" and isinstance(into[key], dict) and isinstance(value, dict):
                props = dict(into[key])
                for name, schema in value.items():
                    props[name] = self._both(props[name], schema) if name in props else schema
                into[key] = props
            else:
                _narrow(into, key, value)

    def _both(self, first: Any, second: Any) -> Any:
        """Both property schemas at once, as one `allOf` of the original nodes. The same set
        of nodes always gives the same object: schema.py memoises by id(), and a recursive
        schema merged with itself must meet its own merge again to stop."""
        members = list(self._members(first))
        members += [m for m in self._members(second) if not any(m is n for n in members)]
        if len(members) == 1:
            return members[0]
        key = frozenset(id(m) for m in members)
        if key not in self._combined:
            combined = {"allOf": members}
            self._combined[key] = combined
            self._members_of[id(combined)] = members
        return self._combined[key]

    def _members(self, node: Any) -> list[Any]:
        """The original nodes a merged property schema stands for."""
        return self._members_of.get(id(node), [node])


def _narrow(into: dict[str, Any], key: str, value: Any) -> None:
    """Keywords other than properties that two `allOf` members both set."""
    if key == "required" and isinstance(into[key], list) and isinstance(value, list):
        into[key] = into[key] + [name for name in value if name not in into[key]]
    elif key in UPPER_BOUNDS and _both_numbers(into[key], value):
        into[key] = min(into[key], value)
    elif key in LOWER_BOUNDS and _both_numbers(into[key], value):
        into[key] = max(into[key], value)


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))
