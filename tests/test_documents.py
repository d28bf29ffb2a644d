"""JSON documents: every kind registered once, with a valid schema file and a docs/json.md
section; emitted documents carry their `schema` field."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from relorch.documents import KINDS, json_schema, schema_id
from relorch.output import emit_json
from tests.jsondocs import validate_document

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "src" / "relorch" / "schemas" / "json"
DOCS = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_valid_schema_pinning_its_schema_field(kind: str) -> None:
    schema = json_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"] == {"const": schema_id(kind)}
    assert "schema" in schema["required"]
    assert schema["title"].startswith(schema_id(kind) + ": ")


def test_every_schema_file_is_a_registered_kind() -> None:
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_docs_json_md_documents_every_kind_and_links_its_schema(kind: str) -> None:
    heading = re.search(rf"^##+ .*`{re.escape(schema_id(kind))}`", DOCS, re.MULTILINE)
    assert heading, f"docs/json.md has no section for {schema_id(kind)}"
    assert f"(../src/relorch/schemas/json/{kind}.json)" in DOCS


def test_emit_json_adds_the_schema_field_and_refuses_an_unregistered_kind() -> None:
    out = io.StringIO()
    emit_json("error", {"error": "boom", "hint": None, "exit_code": 1}, out)
    assert validate_document(json.loads(out.getvalue()))["schema"] == "relorch-error/1"
    with pytest.raises(ValueError, match="unregistered"):
        emit_json("nonsense", {}, io.StringIO())


def test_validator_rejects_a_document_breaking_its_schema() -> None:
    with pytest.raises(AssertionError, match="exit_code"):
        validate_document({"schema": "relorch-error/1", "error": "x", "hint": None, "exit_code": 7})
    with pytest.raises(AssertionError, match="not a registered kind"):
        validate_document({"schema": "relorch-error/9"})


def test_emit_json_writes_a_report_bigger_than_its_chunks_whole_and_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Written a megabyte at a time: the secret straddles the first boundary, and is masked
    # because the mask runs over the whole text before it is cut.
    monkeypatch.setenv("DEPLOY_API_KEY", "s3cr3t-value")
    filler = "x" * ((1 << 20) - len('{"changes":["') - 8)
    data = {"changes": [filler + " s3cr3t-value", "y" * 1500000]}
    out = io.StringIO()
    emit_json("diff", data, out, compact=True)
    text = out.getvalue()
    assert "s3cr3t" not in text
    assert text.endswith("\n") and text.count("\n") == 1
    assert json.loads(text)["changes"] == [filler + " ***", "y" * 1500000]
