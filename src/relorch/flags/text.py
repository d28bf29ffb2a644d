"""Reading a flag file's text into plain data: YAML without surprises, JSON, bounded in size."""

from __future__ import annotations

import json
from typing import Any

import yaml

from relorch.errors import FlagFileError
from relorch.flags.yamlevents import load as load_yaml

MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 500_000  # values after aliases are expanded: an alias bomb stops here
MAX_DEPTH = 64


def parse_text(text: str, where: str, *, json_only: bool = False) -> Any:
    """The data of a flag file; FlagFileError naming `where` for anything unreadable or huge."""
    if len(text) > MAX_BYTES:
        raise FlagFileError(
            f"{where}: {len(text)} bytes is more than a flag file may hold ({MAX_BYTES})",
            hint="split the flags by API, or remove flags whose code is gone",
        )
    try:
        data = json.loads(text) if json_only else load_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:300]
        raise FlagFileError(
            f"{where}: not valid {'JSON' if json_only else 'YAML'}: {detail}",
            hint="fix the syntax; `relorch flags check` validates the file",
        ) from None
    except RecursionError:
        raise FlagFileError(f"{where}: nested too deeply to read") from None
    check_size(data, where)
    return data


def check_size(data: Any, where: str) -> None:
    """Walk the value once (iteratively), counting nodes as aliases expand them, and its depth."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise FlagFileError(
                f"{where}: expands to more than {MAX_NODES:,} values (YAML aliases?)",
                hint="write the flags out; anchors and aliases may not multiply the file",
            )
        if depth > MAX_DEPTH:
            raise FlagFileError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise FlagFileError(
                        f"{where}: key {key!r} is not text",
                        hint="quote keys that YAML would read as numbers or null",
                    )
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif not (value is None or isinstance(value, str | bool | int | float)):
            raise FlagFileError(f"{where}: unsupported YAML value of type {type(value).__name__}")
