"""The source format's JSON Schema (shipped in the wheel) agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from relorch.config import parse_config
from relorch.errors import FlagFileError
from relorch.flags.source import parse_flags, source_schema
from relorch.flags.text import parse_text
from tests.flags.flagkit import ISSUE_YAML
from tests.flags.test_flags_hostile import CASES

CONFIG = parse_config(
    {"apis": {"products": {}}, "environments": {"staging": {}, "production": {}}},
    root=Path("."),
)
# Rules the schema cannot say (they need the config, the tags or arithmetic): only the loader.
LOADER_ONLY = {
    "unknown environment",
    "mixed variant types",
    "default not a variant",
    "bad requires",
    "requires moving ref",
    "requires unknown api",
    "ramp end before start",
    "ramp weights overflow flagd",
    "static fractional overflow",
    "deep JsonLogic",
    "flagd var that does not exist",
    "YAML alias bomb",
    "YAML syntax",
    "deep YAML",
    "python object tag",
    "ten thousand flags",
    "date without zone",
}


def validator() -> Draft202012Validator:
    schema = json.loads(source_schema())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_schema_is_shipped_inside_the_package() -> None:
    from importlib.resources import files

    assert files("relorch.flags").joinpath("source.schema.json").is_file()


def test_the_issue_example_is_valid_by_schema_and_loader() -> None:
    data: Any = parse_text(ISSUE_YAML, "x")
    assert list(validator().iter_errors(data)) == []
    assert parse_flags(data, "x", "products", CONFIG)[0].key == "new-search"


@pytest.mark.parametrize("case", sorted(set(CASES) - LOADER_ONLY))
def test_the_schema_refuses_what_the_loader_refuses(case: str) -> None:
    text, _ = CASES[case]
    data = parse_text(text, "x")
    assert list(validator().iter_errors(data)) != []
    with pytest.raises(FlagFileError):
        parse_flags(data, "x", "products", CONFIG)
