"""Feature flags on the status site: a switch-on in the window is coming up (per environment)
and marked on the timeline; `never`, `now` and switch-ons past the window are not; the calendar
stays about sunsets and reminders."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gitrepo import Clone, run_relorch
from tests.report.sitekit import NOW, realistic_repo

FILES = ("index.html", "status.json", "calendar.ics", "summary.md")
FLAGS = """\
new-search:
  description: Ranked search results
  owner: search-team
  expires: 2027-06-30
  release_at:
    staging: now
    production: 2026-08-25T09:00:00Z
canary-pricing:
  description: New price rounding
  owner: pricing
  expires: 2027-06-30
  release_at:
    canary: 2026-09-01T00:00:00Z
    production: never
dark-launch:
  description: Kept off everywhere
  owner: core
  expires: 2027-06-30
  release_at:
    staging: never
    canary: never
    production: never
late-feature:
  description: After the window
  owner: core
  expires: 2027-06-30
  release_at:
    production: 2026-12-01T09:00:00Z
"""


def with_flags(tmp_path: Path) -> Clone:
    repo = realistic_repo(tmp_path)
    repo.commit("feat: flags", {"flags/products.yaml": FLAGS})
    repo.push("HEAD:main")
    return repo


def report(repo: Clone, out: Path, *extra: str) -> dict[str, object]:
    done = run_relorch(repo.path, "report", "-o", str(out), "--now", NOW, *extra)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "status.json").read_text())  # type: ignore[no-any-return]


def flag_items(upcoming: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(u["time"], u["api"], u["text"]) for u in upcoming if u["kind"] == "flag"]


def test_flag_switch_ons_in_the_window_are_coming_up_per_environment(tmp_path: Path) -> None:
    repo = with_flags(tmp_path)
    out = tmp_path / "site"
    data = report(repo, out)
    repository = data["repositories"][0]  # type: ignore[index]
    expected = [
        (
            "2026-08-25T09:00:00Z",
            "products",
            "new-search switches on in production at 2026-08-25T09:00:00Z (search-team)",
        ),
        (
            "2026-09-01T00:00:00Z",
            "products",
            "canary-pricing switches on in canary at 2026-09-01T00:00:00Z (pricing)",
        ),
    ]
    assert flag_items(repository["upcoming"]) == expected
    assert flag_items(data["upcoming"]) == expected  # type: ignore[arg-type]
    uids = [u["uid"] for u in repository["upcoming"] if u["kind"] == "flag"]
    assert uids[0] == f"flag-products-production-new-search-release@{repository['id']}.relorch"
    page = (out / "index.html").read_text()
    assert "new-search switches on in production at 2026-08-25T09:00:00Z" in page
    assert "canary-pricing switches on in canary" in page
    assert "<title>flag new-search on 2026-08-25</title>" in page  # the timeline mark
    assert "canary-pricing on" not in page  # never in production: no mark
    for absent in ("dark-launch", "late-feature"):
        assert absent not in page
        assert absent not in (out / "status.json").read_text()
    assert "new-search switches on" in (out / "summary.md").read_text()
    assert "new-search" not in (out / "calendar.ics").read_text()


def test_a_narrower_window_leaves_the_later_switch_on_out(tmp_path: Path) -> None:
    repo = with_flags(tmp_path)
    data = report(repo, tmp_path / "site", "--days", "7")
    repository = data["repositories"][0]  # type: ignore[index]
    assert [t for t, _, _ in flag_items(repository["upcoming"])] == ["2026-08-25T09:00:00Z"]
    page = (tmp_path / "site" / "index.html").read_text()
    assert "canary-pricing" not in page


def test_the_site_with_flags_is_the_same_bytes_for_the_same_now(tmp_path: Path) -> None:
    repo = with_flags(tmp_path)
    report(repo, tmp_path / "a", "--no-fetch")
    report(repo, tmp_path / "b", "--no-fetch")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_fleet_reads_the_flags_committed_on_the_default_branch(tmp_path: Path) -> None:
    repo = with_flags(tmp_path)
    repo.commit("feat: not pushed", {"flags/products.yaml": FLAGS.replace("08-25", "08-26")})
    data = report(
        repo, tmp_path / "site", "--repo", str(repo.origin), "--cache", str(tmp_path / "c")
    )
    repository = data["repositories"][0]  # type: ignore[index]
    assert [t for t, _, _ in flag_items(repository["upcoming"])] == [
        "2026-08-25T09:00:00Z",
        "2026-09-01T00:00:00Z",
    ]


def test_a_repository_without_flags_has_no_flag_items(tmp_path: Path) -> None:
    repo = realistic_repo(tmp_path)
    data = report(repo, tmp_path / "site")
    assert flag_items(data["upcoming"]) == []  # type: ignore[arg-type]
    assert "flag " not in (tmp_path / "site" / "index.html").read_text().split("<svg", 1)[1]


def test_a_flag_file_that_does_not_validate_stops_the_report_naming_the_flag(
    tmp_path: Path,
) -> None:
    repo = realistic_repo(tmp_path)
    repo.commit("feat: broken flags", {"flags/products.yaml": "x:\n  owner: a\n"})
    repo.push("HEAD:main")
    out = tmp_path / "site"
    done = run_relorch(repo.path, "report", "-o", str(out), "--now", NOW)
    assert done.returncode == 2
    assert "error: flags/products.yaml: x: description is required" in done.stderr
    assert "relorch flags check" in done.stderr
    assert not out.exists()
