"""What a client depends on in an OpenAPI document: operations, parameters, bodies, responses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from relorch.gate.errors import SpecError
from relorch.gate.load import Resolver, check_version, mapping

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"
_TEMPLATE = re.compile(r"\{([^{}]*)\}")
# OpenAPI 3: "If in is header and the name field is Accept, Content-Type or Authorization,
# the parameter definition SHALL be ignored" (they are described by content and security).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
_SWAGGER_NOT_SCHEMA = frozenset(
    {"name", "in", "required", "description", "allowEmptyValue", "collectionFormat", "schema"}
)
# How each style puts an array on the wire: Swagger 2 collectionFormat and OpenAPI 3 style.
_SWAGGER_WIRE = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|", "multi": "multi"}
_OAS3_WIRE = {
    "simple": ",",
    "spaceDelimited": " ",
    "pipeDelimited": "|",
    "label": ".",
    "matrix": ";",
    "deepObject": "deepObject",
}
_FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")

ParamKey = tuple[str, str]


@dataclass(frozen=True)
class Parameter:
    """A parameter; `style` is how an array or object value is serialised, as written, and
    `wire` the same in a form comparable across OpenAPI 3 and Swagger 2 ("," for csv)."""

    where: str  # path | query | header | cookie (Swagger 2 also: body | formData)
    name: str
    required: bool
    schema: Any
    style: str
    wire: str


@dataclass(frozen=True)
class Body:
    """A request body: whether it must be sent, and its schema per media type."""

    required: bool
    content: dict[str, Any]


@dataclass(frozen=True)
class Header:
    """A response header: its name as written, whether it is always sent, its schema."""

    name: str
    required: bool
    schema: Any


# Security: alternatives (any one will do), each a set of schemes with the scopes each needs.
Requirement = dict[str, frozenset[str]]


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    title: str  # "GET /products/{id}"
    parameters: dict[ParamKey, Parameter]
    body: Body | None
    responses: dict[str, dict[str, Any]]  # status -> media type -> schema (None: undescribed)
    deprecated: bool
    headers: dict[str, dict[str, Header]] = field(default_factory=dict)  # status -> lower name
    security: list[Requirement] = field(default_factory=list)  # [] = no requirement
    security_from: str = "document"  # where the requirements are written: document | operation


@dataclass(frozen=True)
class Spec:
    """A document reduced to its operations, with the resolver that reads its schemas."""

    resolver: Resolver
    paths: dict[str, str]  # path with parameter names blanked ("/products/{}") -> as written
    operations: dict[tuple[str, str], Operation]  # (blanked path, METHOD)


def read_spec(doc: dict[str, Any], label: str, resolver: Resolver | None = None) -> Spec:
    """Reduce an OpenAPI 3.x or Swagger 2.0 document; SpecError (naming `label`) when malformed.

    `resolver` reads the document's other files; without one only local `$ref`s resolve."""
    version = check_version(doc, label)
    resolver = resolver or Resolver(doc, label)
    reader = _Oas3(resolver) if version == "3" else _Swagger2(resolver)
    raw_paths = mapping(doc.get("paths"), label, "paths")
    paths: dict[str, str] = {}
    operations: dict[tuple[str, str], Operation] = {}
    for path in raw_paths:
        if not isinstance(path, str):
            raise SpecError(f"{label}: paths: key {path!r} is not a string")
    for path in sorted(raw_paths):
        if path.startswith("x-"):
            continue
        # /products/{id} and /products/{productId} are the same URL to a client.
        key = _TEMPLATE.sub("{}", path)
        if key in paths:  # two templates differing only in names (invalid OpenAPI): keep apart
            key = path
        paths[key] = path
        where = f"paths.{path}"
        item = mapping(resolver.deref(raw_paths[path], where), label, where)
        shared = reader.parameters(item.get("parameters"), path, f"{where}.parameters")
        for method in HTTP_METHODS:
            if method in item:
                op_where = f"{where}.{method}"
                op = mapping(resolver.deref(item[method], op_where), label, op_where)
                operation = reader.operation(op, path, method, shared, op_where)
                operations[key, method.upper()] = reader.finish(operation, op, op_where)
    return Spec(resolver, paths, operations)


def _requirements(raw: Any, label: str, where: str) -> list[Requirement]:
    """Security requirement objects as comparable data; None and [] both mean none."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SpecError(f"{label}: {where} must be a list of security requirements")
    found: list[Requirement] = []
    for index, item in enumerate(raw):
        requirement = mapping(item, label, f"{where}[{index}]")
        scopes: Requirement = {}
        for scheme, values in requirement.items():
            if not isinstance(values, list | None):
                raise SpecError(f"{label}: {where}[{index}].{scheme} must be a list of scopes")
            scopes[str(scheme)] = frozenset(str(v) for v in values or [])
        found.append(scopes)
    return found


def media_key(media: object) -> str:
    """A media type as matched between revisions: lower case, parameters (charset) dropped."""
    return str(media).split(";", 1)[0].strip().lower()


def _param_key(where: str, name: str, path: str) -> ParamKey:
    if where == "path":
        names = _TEMPLATE.findall(path)
        if name in names:  # path parameters are identified by position, not by their name
            return where, f"{{{names.index(name)}}}"
    return where, name.lower() if where == "header" else name


class _Reader:
    """The parts shared by both document versions."""

    places: tuple[str, ...] = ()

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self.label = resolver.label

    def parameters(self, raw: Any, path: str, where: str) -> dict[ParamKey, Parameter]:
        if raw is None:
            return {}
        if not isinstance(raw, list):
            raise SpecError(f"{self.label}: {where} must be a list")
        found: dict[ParamKey, Parameter] = {}
        for index, item in enumerate(raw):
            at = f"{where}[{index}]"
            raw_param = mapping(self.r.deref(item, at), self.label, at)
            name, place = raw_param.get("name"), raw_param.get("in")
            if not isinstance(name, str) or place not in self.places:
                raise SpecError(
                    f"{self.label}: {at}: a parameter needs a string `name` and `in` "
                    f"({', '.join(self.places)})"
                )
            param = self.parameter(raw_param, name, place, at)
            if param is not None:
                found[_param_key(param.where, param.name, path)] = param
        return found

    def parameter(self, raw: dict[str, Any], name: str, place: str, where: str) -> Parameter | None:
        raise NotImplementedError

    def operation(
        self,
        op: dict[str, Any],
        path: str,
        method: str,
        shared: dict[ParamKey, Parameter],
        where: str,
    ) -> Operation:
        raise NotImplementedError

    def finish(self, operation: Operation, op: dict[str, Any], where: str) -> Operation:
        """The operation with its response headers and effective security requirements."""
        headers: dict[str, dict[str, Header]] = {}
        for code, response in self.status_codes(op, where).items():
            raw = mapping(response.get("headers"), self.label, f"{where}.responses.{code}.headers")
            found: dict[str, Header] = {}
            for name, value in raw.items():
                at = f"{where}.responses.{code}.headers.{name}"
                header = mapping(self.r.deref(value, at), self.label, at)
                if str(name).lower() != "content-type":  # described by the media type
                    found[str(name).lower()] = self.header(str(name), header, at)
            headers[code] = found
        source = "operation" if "security" in op else "document"
        raw_security = op["security"] if "security" in op else self.r.doc.get("security")
        security = _requirements(raw_security, self.label, f"{where}.security")
        return replace(operation, headers=headers, security=security, security_from=source)

    def header(self, name: str, raw: dict[str, Any], where: str) -> Header:
        raise NotImplementedError

    def status_codes(self, op: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
        """Each response object by status code as text (YAML reads an unquoted 200 as a number)."""
        found: dict[str, dict[str, Any]] = {}
        for status, raw in mapping(op.get("responses"), self.label, f"{where}.responses").items():
            code = str(status).upper()
            if not code.startswith("X-"):
                at = f"{where}.responses.{code}"
                found[code] = mapping(self.r.deref(raw, at), self.label, at)
        return found


class _Oas3(_Reader):
    places = ("path", "query", "header", "cookie")

    def header(self, name: str, raw: dict[str, Any], where: str) -> Header:
        schema = raw.get("schema")
        if schema is None and raw.get("content") is not None:
            content = self.content(raw.get("content"), f"{where}.content")
            schema = content[min(content)] if content else None
        return Header(name, raw.get("required") is True, schema)

    def parameter(self, raw: dict[str, Any], name: str, place: str, where: str) -> Parameter | None:
        if place == "header" and name.lower() in _IGNORED_HEADERS:
            return None
        schema = raw.get("schema")
        if schema is None and raw.get("content") is not None:
            content = self.content(raw.get("content"), f"{where}.content")
            schema = content[min(content)] if content else None
        style = raw.get("style", _DEFAULT_STYLE[place])
        explode = raw.get("explode", style == "form") is True
        if style == "form":
            wire = "multi" if explode else ","
        else:
            wire = _OAS3_WIRE.get(str(style), str(style)) + ("*" if explode else "")
        return Parameter(
            place,
            name,
            raw.get("required") is True or place == "path",
            schema,
            f"style={style}, explode={str(explode).lower()}",
            wire,
        )

    def content(self, raw: Any, where: str) -> dict[str, Any]:
        content: dict[str, Any] = {}
        for media, obj in sorted(
            mapping(raw, self.label, where).items(), key=lambda kv: str(kv[0])
        ):
            described = mapping(obj, self.label, f"{where}.{media}")
            content.setdefault(media_key(media), described.get("schema"))
        return content

    def operation(
        self,
        op: dict[str, Any],
        path: str,
        method: str,
        shared: dict[ParamKey, Parameter],
        where: str,
    ) -> Operation:
        params = {**shared, **self.parameters(op.get("parameters"), path, f"{where}.parameters")}
        body = None
        if op.get("requestBody") is not None:
            at = f"{where}.requestBody"
            raw_body = mapping(self.r.deref(op["requestBody"], at), self.label, at)
            body = Body(raw_body.get("required") is True, self.content(raw_body.get("content"), at))
        responses = {
            code: self.content(response.get("content"), f"{where}.responses.{code}.content")
            for code, response in self.status_codes(op, where).items()
        }
        return Operation(
            f"{method.upper()} {path}", params, body, responses, op.get("deprecated") is True
        )


class _Swagger2(_Reader):
    places = ("path", "query", "header", "body", "formData")

    def header(self, name: str, raw: dict[str, Any], where: str) -> Header:
        # Swagger 2 headers have no `required`: OpenAPI 3 translations read them as optional.
        return Header(name, False, {k: v for k, v in raw.items() if k != "description"})

    def parameter(self, raw: dict[str, Any], name: str, place: str, where: str) -> Parameter | None:
        if place == "body":
            schema = raw.get("schema")
        else:  # Swagger 2 puts type, format, enum, items, maximum... on the parameter itself
            schema = {k: v for k, v in raw.items() if k not in _SWAGGER_NOT_SCHEMA}
        style = raw.get("collectionFormat", "csv")
        wire = _SWAGGER_WIRE.get(str(style), str(style))
        return Parameter(
            place,
            name,
            raw.get("required") is True or place == "path",
            schema,
            f"collectionFormat={style}",
            wire,
        )

    def media(self, op: dict[str, Any], key: str, where: str) -> list[str]:
        raw = op.get(key, self.r.doc.get(key))
        if raw is None:
            return [JSON]
        if not isinstance(raw, list):
            raise SpecError(f"{self.label}: {where}.{key} must be a list of media types")
        return sorted({media_key(m) for m in raw}) or [JSON]

    def operation(
        self,
        op: dict[str, Any],
        path: str,
        method: str,
        shared: dict[ParamKey, Parameter],
        where: str,
    ) -> Operation:
        every = {**shared, **self.parameters(op.get("parameters"), path, f"{where}.parameters")}
        params = {k: p for k, p in every.items() if p.where not in ("body", "formData")}
        consumes = self.media(op, "consumes", where)
        body = None
        for param in every.values():
            if param.where == "body":
                body = Body(param.required, dict.fromkeys(consumes, param.schema))
        form = [p for p in every.values() if p.where == "formData"]
        if form:
            schema = {
                "type": "object",
                "properties": {p.name: p.schema for p in form},
                "required": [p.name for p in form if p.required],
            }
            kinds = [m for m in consumes if m in _FORM_MEDIA] or [_FORM_MEDIA[0]]
            body = Body(any(p.required for p in form), dict.fromkeys(kinds, schema))
        produces = self.media(op, "produces", where)
        responses = {
            code: dict.fromkeys(produces, response["schema"]) if "schema" in response else {}
            for code, response in self.status_codes(op, where).items()
        }
        return Operation(
            f"{method.upper()} {path}", params, body, responses, op.get("deprecated") is True
        )
