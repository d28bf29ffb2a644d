"""OpenAPI documents: check the version, follow `$ref`s (into other files too), merge `allOf`.
The YAML or JSON text itself is parsed by gate/yamltext.py."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from relorch.gate.errors import SpecError
from relorch.gate.yamltext import parse_text

# allOf members that are themselves allOf, and so on: merged recursively, so bounded well
# below Python's recursion limit. Real inheritance chains are a handful deep.
MAX_ALLOF_DEPTH = 100
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
# The JSON Schema booleans. Shared objects, because schema.py memoises comparisons by id().
ANY: dict[str, Any] = {}
NEVER: dict[str, Any] = {"enum": []}


MAX_FILES = 1000  # referenced files per document: a bound for hostile chains of files


def parse_document(text: str, label: str) -> dict[str, Any]:
    """The document in `text` (YAML or JSON); SpecError naming `label` when it is not OpenAPI."""
    data = parse_text(text, label)
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
    """One parsed document at one revision: follows its `$ref`s (local, and into other files
    of the repository read at the same revision through `read`), merges `allOf`, cycle-safe."""

    def __init__(
        self,
        doc: dict[str, Any],
        label: str,
        *,
        path: str = "",
        read: Callable[[str], Any] | None = None,
        revision: str = "",
    ) -> None:
        self.doc = doc
        self.label = label
        self.path = path  # the document's path in the repository; "" when it has none
        self.revision = revision
        self._read = read
        self._files: dict[str, Any] = {path: doc}
        self._owner: dict[int, str] = {}  # id(node) -> referenced file it was read from
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

    def parsed_files(self) -> list[str]:
        """Every referenced file read so far (not the document itself), sorted."""
        return sorted(f for f in self._files if f != self.path)

    def file_of(self, node_id: int) -> str:
        """The referenced file a schema node was read from; "" for the document itself."""
        return self._owner.get(node_id, "")

    def deref(self, node: Any, where: str) -> Any:
        """`node` with its chain of `$ref`s followed (3.0 semantics: siblings of $ref ignored)."""
        chain: list[str] = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise self.fail(where, "$ref must be a string")
            file, pointer = self._split(ref, self._owner.get(id(node), self.path), where)
            if file is None:
                # A URL: not followed (the gate reads git only); compared by its address.
                return self._external.setdefault(ref, {"$external": ref})
            step = f"{file}#{pointer}" if file != self.path else f"#{pointer}"
            if step in chain:
                raise self.fail(where, "circular $ref " + " -> ".join([*chain, step]))
            chain.append(step)
            node = self._target(ref, self._file(file, ref, where), pointer, where)
        return node

    def _split(self, ref: str, base: str, where: str) -> tuple[str | None, str]:
        """(repository path of the file, JSON pointer) a $ref names, relative to `base`."""
        if "://" in ref.split("#", 1)[0] or ref.startswith("//"):
            return None, ""
        address, _, pointer = ref.partition("#")
        if not address:
            return base, pointer
        file = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(address)))
        if file.startswith("../") or file == ".." or posixpath.isabs(file):
            raise self.fail(where, f"$ref {ref!r} points outside the repository")
        return file, pointer

    def _file(self, file: str, ref: str, where: str) -> Any:
        """The parsed content of a referenced file, read at this document's revision."""
        if file in self._files:
            return self._files[file]
        if self._read is None:
            raise self.fail(where, f"$ref {ref!r} names another file, and none can be read here")
        if len(self._files) > MAX_FILES:
            raise self.fail(where, f"more than {MAX_FILES} referenced files")
        content = self._read(file)
        if content is None:
            at = f" at {self.revision}" if self.revision else ""
            raise SpecError(
                f"{self.label}: {where}: $ref {ref!r}: {file} does not exist{at}",
                hint=f"commit {file} (the target of $ref {ref!r}) or fix the $ref; "
                f"the gate reads every referenced file from git{at}",
            )
        self._files[file] = content
        self._own(content, file)
        return content

    def _own(self, content: Any, file: str) -> None:
        """Remember which file every mapping of a referenced file came from: its relative
        `$ref`s are relative to it, and changes in it are located by it."""
        stack, seen = [content], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:  # YAML aliases share nodes: visit each once
                continue
            seen.add(id(node))
            if isinstance(node, dict):
                self._owner[id(node)] = file
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    def _target(self, ref: str, doc: Any, pointer: str, where: str) -> Any:
        node: Any = doc
        for raw in pointer.split("/")[1:] if pointer else []:
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
