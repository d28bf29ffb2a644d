"""relorch hold / unhold / history: objections recorded in the ledger and obeyed by deploy."""

from __future__ import annotations

import json

from tests.deploykit import env_block, origin_records, setup_project
from tests.gitrepo import Clone


def test_held_ref_stops_deploy_with_exit_6_and_the_reason(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    held = repo.relorch("hold", "v1", "--env", "production", "--reason", "contract tests red")
    assert held.returncode == 0, held.stderr

    result = repo.relorch("deploy", "v1@rev2", "--env", "production")

    assert result.returncode == 6
    assert "v1-rev2 is held in production by Test User" in result.stderr
    assert "contract tests red" in result.stderr
    assert "relorch unhold v1-rev2 --env production" in result.stderr
    assert [r["action"] for r in origin_records(repo.origin)] == ["hold"]


def test_hold_is_per_tag_and_environment(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False) + env_block("production", deploy=False))
    repo.relorch("hold", "v1@rev2", "--env", "production", "--reason", "no")
    assert repo.relorch("deploy", "v1@rev2", "--env", "staging").returncode == 0
    assert repo.relorch("deploy", "v1@rev1", "--env", "production").returncode == 0


def test_unhold_lets_the_deploy_through(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    repo.relorch("hold", "v1", "--env", "production", "--reason", "wait")
    lifted = repo.relorch("unhold", "v1", "--env", "production", "--json")
    assert lifted.returncode == 0, lifted.stderr
    assert json.loads(lifted.stdout)["recorded"] is True
    assert repo.relorch("deploy", "v1", "--env", "production").returncode == 0
    assert [(r["action"], r["status"]) for r in origin_records(repo.origin)[:2]] == [
        ("hold", "held"),
        ("unhold", "lifted"),
    ]


def test_hold_and_unhold_are_idempotent(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    repo.relorch("hold", "v1", "--env", "production", "--reason", "first")
    again = repo.relorch("hold", "v1", "--env", "production", "--reason", "second")
    assert again.returncode == 0
    assert "already held in production by Test User: first" in again.stderr
    repo.relorch("unhold", "v1", "--env", "production")
    none = repo.relorch("unhold", "v1", "--env", "production")
    assert none.returncode == 0
    assert "nothing to lift" in none.stderr
    assert len(origin_records(repo.origin)) == 2


def test_hold_needs_a_reason(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    result = repo.relorch("hold", "v1", "--env", "production", "--reason", "  ")
    assert result.returncode == 2
    assert "needs a reason" in result.stderr


def test_hold_dry_run_writes_nothing(repo: Clone) -> None:
    setup_project(repo, env_block("production", deploy=False))
    result = repo.relorch("hold", "v1", "--env", "production", "--reason", "x", "--dry-run")
    assert result.returncode == 0
    assert "would hold v1-rev2 in production" in result.stderr
    assert origin_records(repo.origin) == []


def test_history_lists_records_newest_first_filtered_by_environment(repo: Clone) -> None:
    setup_project(repo, env_block("staging", deploy=False) + env_block("production", deploy=False))
    repo.relorch("deploy", "v1@rev1", "--env", "staging")
    repo.relorch("hold", "v1@rev1", "--env", "production", "--reason", "multi\nline")

    everything = repo.relorch("history", "--json")
    staging = repo.relorch("history", "--env", "staging", "--json", "-n", "1")
    human = repo.relorch("history")

    assert everything.returncode == 0, everything.stderr
    assert [
        (r["env"], r["action"], r["status"]) for r in json.loads(everything.stdout)["records"]
    ] == [
        ("production", "hold", "held"),
        ("staging", "deploy", "succeeded"),
        ("staging", "deploy", "started"),
    ]
    assert [r["status"] for r in json.loads(staging.stdout)["records"]] == ["succeeded"]
    assert human.stdout == ""
    lines = human.stderr.splitlines()
    assert lines[0].split() == ["time", "env", "api", "tag", "action", "status", "actor", "reason"]
    assert "multi line" in lines[1]
    assert len(lines) == 4


def test_history_of_an_empty_ledger(repo: Clone) -> None:
    result = repo.relorch("history")
    assert result.returncode == 0, result.stderr
    assert "no records" in result.stderr
