"""The JSON Schema of relorch.toml: generated from the loader, committed and shipped, and in
step with it — every config of the docs and tests validates, unknown keys are refused by both."""

from __future__ import annotations

import ast
import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from relorch.config import parse_config
from relorch.config.schema import SCHEMA_FILE, render
from relorch.demo import DEMO_CONFIG
from relorch.errors import ConfigError
from tests.gitrepo import Clone

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "src" / "relorch" / "schemas" / SCHEMA_FILE
SCHEMA = json.loads(COMMITTED.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def loader_accepts(data: dict[str, Any]) -> bool:
    try:
        parse_config(copy.deepcopy(data), root=ROOT)
    except ConfigError:
        return False
    return True


def schema_errors(data: dict[str, Any]) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(data)]


def configs_in_docs() -> list[tuple[str, dict[str, Any]]]:
    """Every ```toml block of the README and docs/ (fragments get an API to stand on)."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for n, block in enumerate(re.findall(r"```toml\n(.*?)```", text, re.DOTALL)):
            data = tomllib.loads(block)
            data = data.get("tool", {}).get("relorch", data)
            data.setdefault("apis", {"products": {}})
            found.append((f"{path.name}#{n}", data))
    return found


def configs_in_tests() -> list[tuple[str, dict[str, Any]]]:
    """Every string literal in tests/ that is a TOML document with an [apis.*] table."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "[apis." not in node.value and "[tool.relorch" not in node.value:
                    continue
                try:
                    data = tomllib.loads(node.value)
                except tomllib.TOMLDecodeError:
                    continue
                data = data.get("tool", {}).get("relorch", data)
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", data))
    return found


def test_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "regenerate it: .venv/bin/python -m relorch.config.schema > "
        f"src/relorch/schemas/{SCHEMA_FILE}"
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(("where", "data"), configs_in_docs(), ids=lambda v: str(v)[:40])
def test_every_config_in_the_docs_loads_and_validates(where: str, data: dict[str, Any]) -> None:
    assert loader_accepts(data), where
    assert schema_errors(data) == [], where


def test_the_demo_and_the_starter_config_validate(repo: Clone) -> None:
    demo = tomllib.loads(DEMO_CONFIG.format(python='"python3"'))
    assert loader_accepts(demo) and schema_errors(demo) == []
    result = repo.relorch("init", "--dry-run", "--json", "--force")
    assert result.returncode == 0, result.stderr
    starter = tomllib.loads(json.loads(result.stdout)["config"])
    assert loader_accepts(starter) and schema_errors(starter) == []


def test_every_config_the_loader_accepts_in_the_tests_validates() -> None:
    configs = configs_in_tests()
    assert len(configs) > 20
    accepted = [(where, data) for where, data in configs if loader_accepts(data)]
    assert accepted
    for where, data in accepted:
        assert schema_errors(data) == [], where


def _tables(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for key, value in data.items():
        if isinstance(value, dict):
            paths += _tables(value, (*prefix, key))
    return paths


def _with_key(data: dict[str, Any], path: tuple[str, ...], key: str) -> dict[str, Any]:
    mutated = copy.deepcopy(data)
    table = mutated
    for part in path:
        table = table[part]
    table[key] = "x"
    return mutated


def test_an_unknown_key_in_any_table_is_refused_by_loader_and_schema() -> None:
    configs = [data for _, data in configs_in_docs() + configs_in_tests() if loader_accepts(data)]
    checked = 0
    for data in configs:
        for path in _tables(data):
            if path and path[-1] in {"apis", "channels", "environments", "rules"}:
                continue  # tables of names: a new API/channel/environment/gate rule id
            mutated = _with_key(data, path, "not_a_relorch_key")
            with pytest.raises(ConfigError, match="unknown key"):
                parse_config(mutated, root=ROOT)
            assert schema_errors(mutated), (path, data)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "data",
    [
        {},  # no API
        {"apis": {}},
        {"apis": {"Bad Name": {}}},
        {"apis": {"products": {"apim": {"keep_revisions": 1}}}},
        {"apis": {"products": {"apim": {"versioning_scheme": "Path"}}}},
        {"apis": {"products": {}}, "environments": {"prod": {"notice": "soon"}}},
        {"apis": {"products": {}}, "environments": {"prod": {"timeout": 15}}},
        {"apis": {"products": {}}, "channels": {"team": {"kind": "slack", "url": "https://x"}}},
        {"apis": {"products": {"checks": [[]]}}},
        {"apis": {"products": {"paths": "src"}}},
    ],
    ids=str,
)
def test_values_the_loader_refuses_for_their_type_the_schema_refuses_too(
    data: dict[str, Any],
) -> None:
    assert not loader_accepts(data)
    assert schema_errors(data)


@pytest.mark.parametrize("text", ["90s", "15m", "1h 30m", "4 weeks", "6 Months", "1 YEAR"])
def test_the_schema_accepts_every_duration_spelling_the_loader_accepts(text: str) -> None:
    data = {"apis": {"products": {}}, "environments": {"prod": {"notice": text}}}
    assert loader_accepts(data) and schema_errors(data) == []
