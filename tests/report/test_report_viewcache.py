"""The ledger view kept in <git dir>/relorch/ by the report: used while the ledger's tip stays,
never once a record moved it, ignored when damaged; a new tag shows whatever it holds."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from relorch.ledger.records import Record, new_record
from relorch.ledger.state import replay
from relorch.report import viewcache
from relorch.report.ledgerview import pointed_at, view_of
from tests.gitrepo import Clone, git, make_origin, run_relorch
from tests.report.sitekit import CONFIG, NOW, Writer, at, tag_at


def small_repo(tmp_path: Path) -> Clone:
    repo = make_origin(tmp_path, CONFIG)
    tag_at(repo, "v1-rev1", "2026-02-01", "v1-rev1: first")
    repo.commit("feat: more")
    repo.push("HEAD:main")
    tag_at(repo, "v1-rev2", "2026-03-01", "v1-rev2: second")
    w = Writer(repo)
    w.deploy("staging", "v1-rev1", "2026-02-02T10:00:00")
    w.deploy("production", "v1-rev1", "2026-02-03T10:00:00")
    w.hold("staging", "v1-rev2", "2026-03-02T10:00:00", "partner sign-off")
    return repo


def report(repo: Clone, out: Path) -> dict:  # type: ignore[type-arg]
    done = run_relorch(repo.path, "report", "-o", str(out), "--now", NOW, "--no-fetch")
    assert done.returncode == 0, done.stderr
    data: dict = json.loads((out / "status.json").read_text())  # type: ignore[type-arg]
    return data["repositories"][0]  # type: ignore[no-any-return]


def kept(repo: Clone) -> Path:
    return repo.path / ".git" / "relorch" / viewcache.FILE


def tamper_count(repo: Clone, count: int) -> None:
    """Change what the kept entry says while keeping its key: shows whether it is read."""
    data = json.loads(kept(repo).read_text())
    data["view"]["count"] = count
    kept(repo).write_text(json.dumps(data))


def tip(repo: Clone) -> str:
    return git(repo.path, "rev-parse", "refs/relorch/ledger")


def test_report_keeps_the_ledger_view_under_the_ledger_tip(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    report(repo, tmp_path / "site")
    data = json.loads(kept(repo).read_text())
    assert data["key"][2:] == [tip(repo), "production"]
    assert data["view"]["count"] == 5


def test_report_reads_the_kept_view_while_the_ledger_tip_stays(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    assert report(repo, tmp_path / "a")["ledger_records"] == 5
    tamper_count(repo, 12345)
    assert report(repo, tmp_path / "b")["ledger_records"] == 12345


def test_a_new_ledger_record_is_shown_although_a_view_was_kept(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    report(repo, tmp_path / "a")
    tamper_count(repo, 12345)
    Writer(repo).deploy("production", "v1-rev2", "2026-03-05T10:00:00")
    shown = report(repo, tmp_path / "b")
    assert shown["ledger_records"] == 7
    production = shown["live"][0]["environments"]["production"]
    assert (production["state"], production["revision"]) == ("deployed", 2)
    assert json.loads(kept(repo).read_text())["key"][2] == tip(repo)


def test_a_new_tag_is_shown_with_a_kept_view(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    assert report(repo, tmp_path / "a")["live"][0]["latest"] == "v1-rev2"
    repo.commit("feat: third")
    repo.push("HEAD:main")
    tag_at(repo, "v1-rev3", "2026-04-01", "v1-rev3: third")
    assert report(repo, tmp_path / "b")["live"][0]["latest"] == "v1-rev3"


def test_a_damaged_kept_view_is_ignored_and_rewritten(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    report(repo, tmp_path / "fresh")
    for damage in (b"\x00not json", b'{"key": 1}', b"[]", json.dumps({"key": None}).encode()):
        kept(repo).write_bytes(damage)
        report(repo, tmp_path / "again")
        for name in ("index.html", "status.json", "calendar.ics", "summary.md"):
            assert (tmp_path / "again" / name).read_bytes() == (
                tmp_path / "fresh" / name
            ).read_bytes()
        assert json.loads(kept(repo).read_text())["key"][2] == tip(repo)


def test_a_kept_view_with_a_damaged_body_is_not_used(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    report(repo, tmp_path / "fresh")
    data = json.loads(kept(repo).read_text())
    data["view"]["recent"] = [{"id": "x"}]  # a record without its fields
    kept(repo).write_text(json.dumps(data))
    assert report(repo, tmp_path / "again")["ledger_records"] == 5


def test_a_fleet_member_keeps_its_view_in_its_cache_repository(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    cache = tmp_path / "cache"
    done = run_relorch(
        tmp_path, "report", "-o", str(tmp_path / "site"), "--cache", str(cache), "--now", NOW,
        "--repo", str(repo.origin),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (entry,) = cache.glob(f"*.git/relorch/{viewcache.FILE}")
    assert json.loads(entry.read_text())["view"]["count"] == 5


def records() -> list[dict]:  # type: ignore[type-arg]
    common = {"api": "products", "actor": "ana", "major": 1, "tag": "v1-rev1", "revision": 1}
    made = [
        new_record(env="production", action="deploy", status="started", now=at("2026-01-02T10:00:00"), **common),  # type: ignore[arg-type]  # noqa: E501
        new_record(env="production", action="deploy", status="succeeded", now=at("2026-01-02T10:05:00"), run_url="https://ci.example.com/1", **common),  # type: ignore[arg-type]  # noqa: E501
        new_record(env="canary", action="hold", status="held", now=at("2026-01-03T10:00:00"), reason="wait", **common),  # type: ignore[arg-type]  # noqa: E501
        new_record(env="*", action="notice", status="sent", now=at("2026-01-04T10:00:00"), extra={"key": "deprecation:products:v1"}, **common),  # type: ignore[arg-type]  # noqa: E501
    ]  # fmt: skip
    made[1] = replace(made[1], lock=made[0].id)
    return [json.loads(r.to_line()) for r in made]


def test_kept_view_reads_back_equal(tmp_path: Path) -> None:
    lines = records()
    state = replay(Record.from_data(r) for r in lines)
    view = view_of(lines, "production", pointed_at(state))
    assert view.by_id and view.last_finished and view.notices and view.production_days
    path = viewcache.cache_file(tmp_path)
    viewcache.store(path, "a" * 40, "production", state, view)
    assert viewcache.load(path, "a" * 40, "production") == (state, view)
    assert viewcache.load(path, "b" * 40, "production") is None
    assert viewcache.load(path, "a" * 40, "prod") is None


def test_view_reads_records_of_a_newer_writer_as_record_does() -> None:
    """An unknown top-level field lands in Record.extra (a `key` there names a notice); a
    finished deploy without a major, and a started one, are not anyone's last deploy."""
    lines = records()
    newer = {**lines[3], "id": "n2", "extra": {}, "key": "reminder:products:v1", "seen": 3}
    no_major = {**lines[1], "id": "m0", "major": None}
    started = {**lines[0], "id": "s2", "time": "2026-01-05T10:00:00Z"}
    view = view_of([*lines, newer, no_major, started], "production", {"n2"})
    assert Record.from_data(newer).extra == {"key": "reminder:products:v1", "seen": "3"}
    assert view.notices == {
        "deprecation:products:v1": at("2026-01-04T10:00:00"),
        "reminder:products:v1": at("2026-01-04T10:00:00"),
    }
    assert view.last_finished[("products", "production", 1)].id == lines[1]["id"]
    assert view.by_id == {"n2": Record.from_data(newer)}
    assert [r.id for r in view.recent][-3:] == ["n2", "m0", "s2"]
    assert view.count == 7
