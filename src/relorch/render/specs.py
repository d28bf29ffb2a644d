"""An OpenAPI document read from git as plain JSON values, for gateways that embed it."""

from __future__ import annotations

from typing import Any

import yaml

from relorch.errors import PreconditionError


class _PlainLoader(yaml.SafeLoader):
    """YAML without the implicit timestamp type: `2026-01-01` stays the string it is in JSON."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_spec(text: str, shown: str) -> dict[str, Any]:
    """The document as JSON values (keys as strings: YAML's `200:` is the key "200")."""
    try:
        document = yaml.load(text, Loader=_PlainLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PreconditionError(
            f"{shown} is not valid YAML or JSON: {str(exc).splitlines()[0]}",
            hint="fix the spec in a new revision; relorch embeds it as the API's definition",
        ) from None
    if not isinstance(document, dict):
        raise PreconditionError(f"{shown} is not an OpenAPI document (not a mapping)")
    return {str(k): _plain(v) for k, v in document.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes | bytearray | set):
        raise PreconditionError("an OpenAPI document holds binary or set values")
    return value
