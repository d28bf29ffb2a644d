"""The README and docs/ are the users' reference: they cover every command, config key, exit
code and global option, link only files that exist in the repository, and cite nothing outside
it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from relorch.cli.app import _command, _register
from relorch.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
EVERYTHING = README + "\n".join(DOCS.values())
CONFIG_SCHEMA = json.loads(
    (ROOT / "src" / "relorch" / "schemas" / "relorch.toml.schema.json").read_text()
)


def commands() -> list[str]:
    _register()
    group: Any = _command()
    return sorted(group.commands)


def config_keys(schema: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, sub in schema.get("properties", {}).items():
        keys.append(prefix + key)
        keys += config_keys(sub, f"{prefix}{key}.")
    entry = schema.get("additionalProperties")
    if isinstance(entry, dict):
        keys += config_keys(entry, f"{prefix}*.")
    return keys


def test_commands_are_what_typer_registered() -> None:
    assert {"release", "deploy", "completion"} <= set(commands())


@pytest.mark.parametrize("name", commands())
def test_readme_commands_table_lists_every_command(name: str) -> None:
    table = README.split("## Commands", 1)[1].split("\n\n", 2)[1]
    assert f"`relorch {name}" in table or f"/ `{name}`" in table, name


@pytest.mark.parametrize("key", config_keys(CONFIG_SCHEMA))
def test_every_config_key_is_documented(key: str) -> None:
    name = key.rsplit(".", 1)[-1]
    assert re.search(rf"(^|[\s`\[.]){re.escape(name)}( =|`|\])", EVERYTHING, re.MULTILINE), key


@pytest.mark.parametrize("code", [int(c) for c in ExitCode])
def test_every_exit_code_is_in_the_readme_table(code: int) -> None:
    assert re.search(rf"^\| {code} \| \w", README, re.MULTILINE)


@pytest.mark.parametrize("option", ["-C PATH", "--config FILE", "--json", "--no-color"])
def test_global_options_are_documented(option: str) -> None:
    assert f"`{option}`" in README


@pytest.mark.parametrize(
    "path",
    [ROOT / "README.md", *DOCS, *sorted((ROOT / "ci").rglob("*.yml"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_docs_cite_nothing_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "SPEC §" not in text and "SPEC.md" not in text
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
        if re.match(r"[a-z]+:", target):
            continue  # a URL
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{target} does not exist"
