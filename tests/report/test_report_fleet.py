"""A fleet read through git alone (ls-remote and shallow fetches into a cache, no clone): three
local bare origins, one of them unreachable, on one page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.gitrepo import Clone, git, make_origin, run_relorch
from tests.report.conftest import Built
from tests.report.sitekit import NOW, tag_at

SIMPLE = "[apis.orders]\n\n[environments.production]\n"


def origin_in(root: Path, config: str = SIMPLE) -> Clone:
    root.mkdir()
    return make_origin(root, config)


def fleet(built: Built, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The realistic origin, a second small one, and a third that is gone."""
    other = origin_in(tmp_path / "orders")
    tag_at(other, "v1-rev1", "2026-02-01", "v1-rev1: first")
    gone = origin_in(tmp_path / "gone")
    shutil.rmtree(gone.origin)
    return built.repo.origin, other.origin, gone.origin


def test_fleet_of_three_shows_the_unreachable_one_and_renders_the_others(
    built: Built, tmp_path: Path
) -> None:
    first, second, gone = fleet(built, tmp_path)
    out, cache = tmp_path / "site", tmp_path / "cache"
    done = run_relorch(
        tmp_path,
        "report",
        "-o",
        str(out),
        "--now",
        NOW,
        "--cache",
        str(cache),
        "--repo",
        str(first),
        "--repo",
        str(second),
        "--repo",
        str(gone),
    )
    assert done.returncode == 0, done.stderr
    assert f"warning: {gone} is unreachable" in done.stderr
    data = json.loads((out / "status.json").read_text())
    assert [r["reachable"] for r in data["repositories"]] == [True, True, False]
    assert [r["error"] is None for r in data["repositories"]] == [True, True, False]
    assert "does not appear to be a git repository" in data["repositories"][2]["error"]
    products = data["repositories"][0]
    assert products["environments"] == ["staging", "canary", "production"]
    assert products["live"][0]["environments"]["production"]["state"] == "failed"
    assert data["repositories"][1]["live"][0]["latest"] == "v1-rev1"
    assert "could not be read" not in (out / "summary.md").read_text()
    page = (out / "index.html").read_text()
    assert "API fleet status" in page and "Unreachable" in page
    assert page.count("<caption>What is live where: ") == 2
    # the fleet-wide coming-up list names the repository of each item
    assert [u["kind"] for u in data["upcoming"]] == ["hold", "reminder", "sunset"]
    assert {u["repository"] for u in data["upcoming"]} == {products["name"]}


def test_fleet_cache_is_shallow_and_not_a_clone(built: Built, tmp_path: Path) -> None:
    first = built.repo.origin
    out, cache = tmp_path / "site", tmp_path / "cache"
    done = run_relorch(
        tmp_path, "report", "-o", str(out), "--cache", str(cache), "--repo", str(first)
    )
    assert done.returncode == 0, done.stderr
    (repo,) = list(cache.iterdir())
    assert git(repo, "rev-parse", "--is-bare-repository") == "true"
    assert git(repo, "rev-parse", "--is-shallow-repository") == "true"
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/remotes/") == ""
    cached = int(git(repo, "rev-list", "--all", "--count"))
    assert cached < int(git(first, "rev-list", "--all", "--count"))


def test_fleet_rerun_follows_new_and_deleted_tags(built: Built, tmp_path: Path) -> None:
    work = origin_in(tmp_path / "o")
    tag_at(work, "v1-rev1", "2026-02-01", "v1-rev1: first")
    tag_at(work, "v1-rev2", "2026-02-02", "v1-rev2: second")
    cache = tmp_path / "cache"

    def latest() -> str:
        out = tmp_path / "site"
        done = run_relorch(
            tmp_path, "report", "-o", str(out), "--cache", str(cache), "--repo", str(work.origin)
        )
        assert done.returncode == 0, done.stderr
        return json.loads((out / "status.json").read_text())["repositories"][0]["live"][0]["latest"]

    assert latest() == "v1-rev2"
    git(work.origin, "tag", "-d", "v1-rev2")
    assert latest() == "v1-rev1"
    work.commit("feat: more")
    work.push("HEAD:main")
    tag_at(work, "v1-rev3", "2026-02-03", "v1-rev3: third")
    assert latest() == "v1-rev3"


def test_fleet_masks_credentials_of_an_unreachable_url(tmp_path: Path) -> None:
    url = "http://deploy-bot:s3cr3t-t0ken@127.0.0.1:9/acme/products.git"
    fleet_file = tmp_path / "fleet.txt"
    fleet_file.write_text(f"# our APIs\n\n{url}\n")
    out = tmp_path / "site"
    done = run_relorch(
        tmp_path,
        "report",
        "-o",
        str(out),
        "--fleet",
        str(fleet_file),
        "--cache",
        str(tmp_path / "c"),
    )
    assert done.returncode == 1  # nothing could be read: an error, but the site says why
    assert "s3cr3t-t0ken" not in done.stderr + done.stdout
    for path in [*out.iterdir(), *(tmp_path / "c").rglob("*")]:
        assert "s3cr3t-t0ken" not in path.name
        if path.is_file():
            assert b"s3cr3t-t0ken" not in path.read_bytes(), path
    data = json.loads((out / "status.json").read_text())
    assert data["repositories"][0]["name"] == "http://***@127.0.0.1:9/acme/products.git"
    assert data["repositories"][0]["reachable"] is False
