"""`relorch report` through the installed executable: refusals, hostile ledger text, sizes."""

from __future__ import annotations

import json
from pathlib import Path

from relorch.ledger.records import new_record
from tests.gitrepo import Clone, run_relorch
from tests.report.sitekit import NOW, Writer, at, realistic_repo, tag_at


def test_report_in_a_fresh_repository_says_nothing_is_released(repo: Clone, tmp_path: Path) -> None:
    done = repo.relorch("report", "-o", str(tmp_path / "site"), "--now", NOW)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "index.html").read_text()
    assert "No revision released yet." in page
    assert (
        json.loads((tmp_path / "site" / "status.json").read_text())["repositories"][0]["live"] == []
    )


def test_bad_now_is_a_usage_error_and_writes_nothing(repo: Clone, tmp_path: Path) -> None:
    done = repo.relorch("report", "-o", str(tmp_path / "site"), "--now", "next tuesday")
    assert done.returncode == 2
    assert "error: --now 'next tuesday' is not an ISO 8601 time" in done.stderr
    assert "hint: " in done.stderr
    assert not (tmp_path / "site").exists()


def test_output_that_is_a_file_is_a_usage_error(repo: Clone, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine\n")
    done = repo.relorch("report", "-o", str(target), "--now", NOW)
    assert done.returncode == 2
    assert "is not a directory" in done.stderr
    assert target.read_text() == "mine\n"


def test_outside_a_repository_without_repo_is_a_precondition_error(tmp_path: Path) -> None:
    done = run_relorch(tmp_path, "report", "-o", str(tmp_path / "site"))
    assert done.returncode == 3
    assert "not inside a git repository" in done.stderr


def test_fleet_file_with_two_words_on_a_line_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "fleet.txt").write_text("/srv/a.git /srv/b.git\n")
    done = run_relorch(tmp_path, "report", "-o", "site", "--fleet", "fleet.txt")
    assert done.returncode == 2
    assert "fleet.txt:1: one repository URL a line" in done.stderr


def test_hostile_ledger_and_tag_text_is_shown_as_text(tmp_path: Path) -> None:
    repo = realistic_repo(tmp_path)
    repo.commit("feat: hostile")
    repo.push("HEAD:main")
    tag_at(
        repo,
        "v2-rev5",
        "2026-06-12",
        "v2-rev5: </pre><script>alert('tag')</script>\n\n"
        "- <img src=x onerror=alert(1)> | pipes | `ticks` [link](javascript:alert(1))",
    )
    w = Writer(repo)
    w.add(
        new_record(
            api="products",
            env="production",
            action="hold",
            status="held",
            now=at("2026-06-02T00:00:00"),
            actor="<b>mallory</b>",
            major=2,
            revision=5,
            tag="v2-rev5",
            reason="<script>alert('hold')</script>",
            run_url="javascript:alert(1)",
        )
    )
    out = tmp_path / "site"
    done = run_relorch(repo.path, "report", "-o", str(out), "--now", NOW)
    assert done.returncode == 0, done.stderr
    page = (out / "index.html").read_text()
    assert "<script" not in page and "<img" not in page and "<b>mallory" not in page
    assert "&lt;script&gt;alert(&#39;hold&#39;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    summary = (out / "summary.md").read_text()
    assert "<script" not in summary and "&lt;script&gt;alert('hold')" in summary


def test_many_revisions_collapse_into_counts(tmp_path: Path) -> None:
    from tests.gitrepo import make_origin

    repo = make_origin(tmp_path, "[apis.products]\n[environments.production]\n")
    for number in range(1, 13):
        repo.git("tag", "-a", f"v1-rev{number}", "-m", f"v1-rev{number}: change {number}")
    repo.git("push", "-q", "origin", "--tags")
    out = tmp_path / "site"
    done = repo.relorch("report", "-o", str(out), "--now", NOW)
    assert done.returncode == 0, done.stderr
    notes = json.loads((out / "status.json").read_text())["repositories"][0]["notes"]
    assert [r["tag"] for r in notes[0]["revisions"]] == [f"v1-rev{n}" for n in (12, 11, 10, 9, 8)]
    assert notes[0]["older"] == 7
    # the messages of the shown tags are read by name, each its own
    assert [r["subject"] for r in notes[0]["revisions"]] == [
        f"v1-rev{n}: change {n}" for n in (12, 11, 10, 9, 8)
    ]
    page = (out / "index.html").read_text()
    assert "7 older revisions (v1-rev1 onwards)" in page
    assert "v1-rev7:" not in page


def test_json_prints_the_report_document_on_stdout(repo: Clone, tmp_path: Path) -> None:
    from tests.jsondocs import validate_document

    repo.tag("v1-rev1")
    done = repo.relorch("report", "-o", str(tmp_path / "site"), "--now", NOW, "--json")
    assert done.returncode == 0, done.stderr
    printed = validate_document(json.loads(done.stdout))
    written = json.loads((tmp_path / "site" / "status.json").read_text())
    assert printed == written
