"""A team's gate policy end to end: fail_on, [gate.rules], the ignore file, plan and release."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from relorch.config import parse_config
from relorch.errors import ConfigError
from relorch.gate.verdict import check_rules, judge, parse_ignores
from tests.gitrepo import Clone, make_origin
from tests.jsondocs import validate_document

BASE = """\
openapi: 3.0.3
info: {title: Products, version: "1"}
paths:
  /products/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: one product
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [active, paused]}
                  legacy: {type: string}
"""
NEW_ENUM = BASE.replace("[active, paused]", "[active, paused, archived]")
NO_LEGACY = BASE.replace("                  legacy: {type: string}\n", "")
IGNORE = """\
[[ignore]]
rule = "response-body-property-removed"
location = "GET /products/{id} response 200 body .legacy"
reason = "unused since 2024 according to the access logs"
expires = 2099-12-31
"""


def project(tmp_path: Path, gate: str = "") -> Clone:
    config = '[apis.products]\nspec = "openapi.yaml"\n' + gate
    clone = make_origin(tmp_path, config, {"openapi.yaml": BASE})
    clone.tag("v1-rev1")
    return clone


def test_potentially_breaking_passes_by_default_and_fails_on_request(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("feat: archived", {"openapi.yaml": NEW_ENUM})
    result = clone.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "potentially-breaking (1):" in lines
    assert (
        '  GET /products/{id} response 200 body .status: enum values added: "archived" '
        "[response-body-enum-value-added]" in lines
    )
    assert "nothing at or above breaking" in lines
    strict = clone.relorch("diff", "v1-rev1", "HEAD", "--fail-on", "potentially-breaking")
    assert strict.returncode == 3
    assert "error: 1 change at or above potentially-breaking" in strict.stderr
    bad = clone.relorch("diff", "v1-rev1", "HEAD", "--fail-on", "minor")
    assert bad.returncode == 2 and "hint: use breaking or potentially-breaking" in bad.stderr


def test_config_fail_on_and_rule_levels(tmp_path: Path) -> None:
    gate = (
        '[gate]\nfail_on = "potentially-breaking"\n'
        '[gate.rules]\nresponse-body-enum-value-added = "compatible"\n'
    )
    clone = project(tmp_path, gate)
    clone.commit("feat: archived", {"openapi.yaml": NEW_ENUM})
    result = clone.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 0, result.stderr
    data = validate_document(json.loads(result.stdout))
    assert data["fail_on"] == "potentially-breaking"
    assert [(c["rule"], c["level"]) for c in data["changes"]] == [
        ("response-body-enum-value-added", "compatible")
    ]


def test_unknown_rule_id_in_config_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    clone = project(tmp_path, '[gate.rules]\nenum-value-added = "compatible"\n')
    clone.commit("feat: archived", {"openapi.yaml": NEW_ENUM})
    result = clone.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 2
    assert "unknown rule id 'gate.rules.enum-value-added'" in result.stderr
    assert "did you mean" in result.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[gate]\nfail_on = "compatible"\n', "gate.fail_on must be one of"),
        ('[gate]\nfail = "breaking"\n', "unknown key 'gate.fail'"),
        ('[gate.rules]\npath-removed = "fatal"\n', "gate.rules.path-removed must be one of"),
        ('[gate]\nignore_file = "../x.toml"\n', "must stay in the repo"),
    ],
)
def test_gate_config_is_validated_at_load(text: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=words.replace(".", r"\.")):
        parse_config(
            __import__("tomllib").loads('[apis.products]\nspec = "o.yaml"\n' + text), root=tmp_path
        )


def test_config_rules_reach_the_gate(tmp_path: Path) -> None:
    config = parse_config(
        __import__("tomllib").loads(
            '[apis.p]\n[gate.rules]\n"request-body-default-changed" = "breaking"\n'
        ),
        root=tmp_path,
    )
    assert check_rules(config.gate) == {"request-body-default-changed": "breaking"}


def test_ignore_file_excuses_a_reviewed_change_and_release_notes_list_it(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("feat!: drop legacy", {"openapi.yaml": NO_LEGACY})
    refused = clone.relorch("diff", "v1-rev1", "HEAD")
    assert refused.returncode == 3
    assert "record a reviewed exception in .relorch-gate-ignore.toml" in refused.stderr
    clone.commit("chore: accept the legacy removal", {".relorch-gate-ignore.toml": IGNORE})
    result = clone.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 0, result.stderr
    data = validate_document(json.loads(result.stdout))
    assert data["failing"] == [] and data["ok"] is True
    (ignored,) = data["ignored"]
    assert ignored["change"]["rule"] == "response-body-property-removed"
    assert ignored["exception"]["reason"] == "unused since 2024 according to the access logs"
    assert "ignored by reviewed exceptions (1):" in result.stderr
    clone.push()
    released = clone.relorch("release", "--revision")
    assert released.returncode == 0, released.stderr
    assert (
        "breaking-change gate passed (1 breaking, 0 potentially-breaking, 0 compatible; "
        "fail_on = breaking); 1 reviewed exception(s) used" in released.stderr
    )
    notes = clone.git("tag", "-l", "--format=%(contents)", "v1-rev2")
    assert "Breaking-change gate exceptions used" in notes
    assert (
        "- response-body-property-removed at GET /products/{id} response 200 body .legacy: "
        "unused since 2024 according to the access logs (until 2099-12-31)" in notes
    )


def test_ignore_file_is_read_from_git_not_the_working_tree(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("feat!: drop legacy", {"openapi.yaml": NO_LEGACY})
    (clone.path / ".relorch-gate-ignore.toml").write_text(IGNORE, encoding="utf-8")
    assert clone.relorch("diff", "v1-rev1", "HEAD").returncode == 3


def test_expired_exceptions_no_longer_apply() -> None:
    (entry,) = parse_ignores(IGNORE.replace("2099-12-31", "2020-01-01"), "ignore.toml")
    from relorch.gate.changes import change

    removed = change(
        "GET /products/{id} response 200 body .legacy", "response-body-property-removed", "gone"
    )
    verdict = judge("products", [removed], "breaking", [entry], date(2026, 1, 1))
    assert verdict.failing == [removed] and verdict.expired == [entry]
    other_api = parse_ignores(IGNORE + 'api = "orders"\n', "ignore.toml")
    assert judge("products", [removed], "breaking", other_api, date(2026, 1, 1)).failing
    pattern = parse_ignores(IGNORE.replace("body .legacy", "body .*"), "ignore.toml")
    assert not judge("products", [removed], "breaking", pattern, date(2026, 1, 1)).failing
    item = change("GET /p response 200 body .items[].sku", "response-body-property-removed", "x")
    exact = parse_ignores(
        IGNORE.replace(
            "GET /products/{id} response 200 body .legacy", "GET /p response 200 body .items[].sku"
        ),
        "ignore.toml",
    )
    assert not judge("products", [item], "breaking", exact, date(2026, 1, 1)).failing
    starred = parse_ignores(
        IGNORE.replace("GET /products/{id} response 200 body .legacy", "GET /p * .items[].*"),
        "ignore.toml",
    )
    assert not judge("products", [item], "breaking", starred, date(2026, 1, 1)).failing


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[ignore]]\nrule = "path-removed"\nlocation = "/a"\n', "reason must be a non-empty"),
        ('[[ignore]]\nrule = "no-such"\nlocation = "/a"\nreason = "x"\n', "unknown rule id"),
        (
            '[[ignore]]\nrule = "path-removed"\nlocation = "/a"\nreason = "x"\nwhy = 1\n',
            "unknown key",
        ),
        (
            '[[ignore]]\nrule = "path-removed"\nlocation = "/a"\nreason = "x"\nexpires = "soon"\n',
            "expires must be a date",
        ),
        ("ignore = 3\n", "array of tables"),
        ("[[ignore]\n", "not valid TOML"),
    ],
)
def test_bad_ignore_files_are_errors_naming_the_entry(text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_ignores(text, "ignore.toml")


def test_plan_reports_the_gate_verdict_as_a_blocker_and_exits_3(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("feat!: drop legacy", {"openapi.yaml": NO_LEGACY})
    clone.push()
    result = clone.relorch("plan", "--json")
    assert result.returncode == 3, result.stderr
    data = validate_document(json.loads(result.stdout))
    assert data["gate_refused"] is True
    assert any("breaking-change gate" in b and ".legacy" in b for b in data["blockers"])
    assert "error: the breaking-change gate would refuse the release" in result.stderr
    refused = clone.relorch("release", "--revision")
    assert refused.returncode == 3 and "relorch release --major" in refused.stderr
    assert clone.git("tag", "-l", "v1-rev2") == ""
    major = clone.relorch("release", "--major")
    assert major.returncode == 0, major.stderr
    assert "the first revision of a major, no earlier revision to compare with" in major.stderr


def test_plan_exits_3_when_the_gate_cannot_run(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("wip", {"openapi.yaml": "openapi: 3.0.3\npaths: [\n"})
    clone.push()
    result = clone.relorch("plan")
    assert result.returncode == 3
    assert "gate cannot run" in result.stderr and "openapi.yaml at" in result.stderr


def test_plan_passes_a_compatible_change(tmp_path: Path) -> None:
    clone = project(tmp_path)
    clone.commit("feat: archived", {"openapi.yaml": NEW_ENUM})
    clone.push()
    result = clone.relorch("plan", "--json")
    assert result.returncode == 0, result.stderr
    assert validate_document(json.loads(result.stdout))["gate_refused"] is False
