"""`relorch flags check|render|due|schema` through the installed executable."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.flags.flagkit import CONFIG, ISSUE_YAML, evaluator, moment, with_flags
from tests.gitrepo import Clone

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "flags"
DAY = timedelta(days=1)

TWO_FLAGS = f"""\
new-search:
  description: Ranked search results
  owner: search-team
  expires: 2099-06-30
  release_at:
    staging: now
    production: {moment(3 * DAY)}
old-export:
  description: CSV export
  owner: data-team
  expires: 2020-01-01
  release_at:
    staging: {moment(20 * DAY)}
    production: never
"""


def test_check_passes_the_issue_example_and_lists_files(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    result = repo.relorch("flags", "check")
    assert result.returncode == 0, result.stderr
    assert "flags/products.yaml: 1 flags (relorch)" in result.stderr
    assert "flags ok" in result.stderr


def test_check_warns_about_an_expired_flag_and_fails_with_strict(repo: Clone) -> None:
    with_flags(repo, TWO_FLAGS)
    result = repo.relorch("flags", "check", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "relorch-flags-check/1" and report["ok"] is True
    assert {(f["flag"], f["level"]) for f in report["findings"]} == {("old-export", "warning")}
    assert "warning: products: old-export: expired on 2020-01-01" in result.stderr
    strict = repo.relorch("flags", "check", "--strict")
    assert strict.returncode == 3
    assert "error: 2 flag problem(s) found" in strict.stderr


def test_check_refuses_a_dangling_requires(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML.replace("v1@rev1", "v7@rev1"))
    result = repo.relorch("flags", "check")
    assert result.returncode == 3
    assert "requires products/v7@rev1: products has no revision of v7" in result.stderr


def test_check_warns_when_the_required_revision_is_not_released_yet(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML.replace("v1@rev1", "v1@rev2"))
    result = repo.relorch("flags", "check")
    assert result.returncode == 0
    assert "not released yet (latest v1@rev1)" in result.stderr


def test_check_refuses_an_owner_outside_flag_owners(repo: Clone) -> None:
    config = CONFIG.replace("[apis.products]\n", '[apis.products]\nflag_owners = ["core"]\n')
    with_flags(repo, ISSUE_YAML, config=config)
    result = repo.relorch("flags", "check")
    assert result.returncode == 3
    assert "owner 'search-team' is not one of core" in result.stderr


def test_check_without_flag_files_says_so(repo: Clone) -> None:
    repo.commit("config", {"relorch.toml": CONFIG})
    result = repo.relorch("flags", "check")
    assert result.returncode == 0
    assert "no flag files" in result.stderr


def test_render_writes_a_file_and_reports_its_digest(repo: Clone, tmp_path: Path) -> None:
    with_flags(
        repo,
        ISSUE_YAML.replace(
            "  requires: v1@rev1        # optional: a REF of this API, or other-api/v1@rev2\n", ""
        ),
    )
    out = tmp_path / "flags.json"
    result = repo.relorch("flags", "render", "--env", "staging", "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "relorch-flags-render/1"
    assert report["flags"] == 1 and report["digest"].startswith("sha256:")
    assert evaluator(out.read_text()).resolve_boolean_value("new-search", False).value is True
    again = repo.relorch("flags", "render", "--env", "staging")
    assert again.stdout == out.read_text()


def test_render_dry_run_writes_nothing(repo: Clone, tmp_path: Path) -> None:
    with_flags(repo, ISSUE_YAML)
    out = tmp_path / "flags.json"
    result = repo.relorch("flags", "render", "--env", "staging", "-o", str(out), "--dry-run")
    assert result.returncode == 0 and "would write 1 flags" in result.stderr
    assert not out.exists()


def test_render_refuses_an_unknown_environment(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    result = repo.relorch("flags", "render", "--env", "prod")
    assert result.returncode == 2
    assert "no environment named 'prod'" in result.stderr


def test_render_names_the_file_it_looked_for_when_there_is_none(repo: Clone) -> None:
    repo.commit("config", {"relorch.toml": CONFIG})
    result = repo.relorch("flags", "render", "--env", "staging")
    assert result.returncode == 2
    assert "products has no flag file in the working tree (flags/products.yaml" in result.stderr


def test_render_at_a_ref_reads_the_committed_file_and_names_the_commit(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    sha = repo.head()
    (repo.path / "flags" / "products.yaml").write_text("broken: [\n")
    result = repo.relorch("flags", "render", "--env", "production", "--ref", "HEAD")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metadata"]["sourceCommit"] == sha
    tree = repo.relorch("flags", "render", "--env", "production")
    assert tree.returncode == 2


def test_render_marks_a_modified_working_tree(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    (repo.path / "flags" / "products.yaml").write_text(ISSUE_YAML.replace("Ranked", "Better"))
    result = repo.relorch("flags", "render", "--env", "production")
    assert json.loads(result.stdout)["metadata"]["sourceModified"] is True


def test_render_golden_file(repo: Clone) -> None:
    """Regenerate with RELORCH_UPDATE_GOLDEN=1."""
    text = (
        "b-flag:\n  description: B\n  owner: team-b\n  expires: 2099-01-01\n"
        "  variants: {classic: classic, ranked: ranked}\n  default: classic\n  on: ranked\n"
        "  release_at: {production: 2030-01-15T09:00:00+01:00}\n"
        "  ramp: {start: 2030-01-15T09:00:00Z, end: 2030-01-22T09:00:00Z}\n"
        "  targeting: {in: [{var: country}, [GB]]}\n"
        "a-flag:\n  description: A\n  owner: team-a\n  expires: 2099-01-01\n"
        "  release_at: {production: never}\n"
    )
    with_flags(repo, text, tags=0)
    result = repo.relorch("flags", "render", "--env", "production", "--no-fetch")
    assert result.returncode == 0, result.stderr
    rendered = result.stdout.replace(repo.head(), "<commit>")
    golden = GOLDEN / "production.json"
    if os.environ.get("RELORCH_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered)
    assert rendered == golden.read_text()


def test_due_lists_what_switches_on_within_the_window(repo: Clone) -> None:
    with_flags(repo, TWO_FLAGS.replace("v1", "v1"))
    result = repo.relorch("flags", "due", "--within", "7d", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "relorch-flags-due/1"
    assert [(d["flag"], d["env"], d["event"]) for d in report["due"]] == [
        ("new-search", "production", "release")
    ]
    wider = repo.relorch("flags", "due", "--within", "4 weeks")
    assert "new-search" in wider.stderr and "old-export" in wider.stderr
    staging = repo.relorch("flags", "due", "--within", "4 weeks", "--env", "staging", "--json")
    assert [d["flag"] for d in json.loads(staging.stdout)["due"]] == ["old-export"]


def test_due_with_nothing_due_says_so(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    result = repo.relorch("flags", "due", "--within", "1d")
    assert result.returncode == 0 and "no flag switches on within 1d" in result.stderr


@pytest.mark.parametrize("bad", ["soon", "7 fortnights", ""])
def test_due_refuses_a_bad_window(repo: Clone, bad: str) -> None:
    with_flags(repo, ISSUE_YAML)
    result = repo.relorch("flags", "due", "--within", bad)
    assert result.returncode == 2 and "--within must be" in result.stderr


def test_schema_prints_the_shipped_source_schema(repo: Clone) -> None:
    result = repo.relorch("flags", "schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"].startswith("relorch flag file")
