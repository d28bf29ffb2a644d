"""relorch deploy --preview through the installed executable, with real git and ledger."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import (
    PYTHON,
    origin_records,
    setup_project,
    start,
    step_calls,
    step_env,
    wait_for,
)
from tests.gitrepo import Clone

APIM = '[apis.products.apim]\nservice = "apim-test"\n'


def production(extra: str = "") -> str:
    """A production environment whose step gets {mode}, and an APIM service for the URLs."""
    argv = f'[{PYTHON}, "step.py", "{{tag}}", "{{env}}", "{{mode}}"]'
    return f"{APIM}[environments.production]\ndeploy = {argv}\n{extra}\n"


def actions(repo: Clone) -> list[tuple[str, str, str]]:
    return [(r["action"], r["status"], r["tag"]) for r in origin_records(repo.origin)]


def status(repo: Clone) -> dict[str, object]:
    result = repo.relorch("status", "--json", "--env", "production")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["majors"]
    return dict(row)


def current_at_rev2(repo: Clone, tmp_path: Path, extra: str = "") -> None:
    setup_project(repo, production(extra), revisions=3)
    result = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_preview_goes_beside_the_current_revision_and_a_deploy_makes_it_current(
    repo: Clone, tmp_path: Path
) -> None:
    current_at_rev2(repo, tmp_path)

    preview = repo.relorch(
        "deploy", "v1@rev3", "--env", "production", "--preview", env=step_env(tmp_path)
    )

    assert preview.returncode == 0, preview.stderr
    call = step_calls(tmp_path)[-1]
    assert call["argv"] == ["v1-rev3", "production", "preview"]
    assert call["env"]["RELORCH_MODE"] == "preview"
    assert call["env"]["RELORCH_ACTION"] == "preview"
    assert "https://apim-test.azure-api.net/products/v1;rev=3" in preview.stderr
    row = status(repo)
    assert row["live"] == {"production": 2}
    assert row["previews"] == {"production": [3]}
    table = repo.relorch("status", "--env", "production").stderr.splitlines()
    assert table[0].split()[-2:] == ["production", "preview"]
    assert table[1].split()[-2:] == ["rev2", "rev3"]

    promote = repo.relorch("deploy", "v1@rev3", "--env", "production", env=step_env(tmp_path))

    assert promote.returncode == 0, promote.stderr
    assert "previewed since" in promote.stderr
    call = step_calls(tmp_path)[-1]
    assert (call["argv"][-1], call["env"]["RELORCH_MODE"]) == ("current", "current")
    row = status(repo)
    assert (row["live"], row["previews"]) == ({"production": 3}, {})
    assert actions(repo)[2:] == [
        ("preview", "started", "v1-rev3"),
        ("preview", "succeeded", "v1-rev3"),
        ("deploy", "started", "v1-rev3"),
        ("deploy", "succeeded", "v1-rev3"),
    ]
    started = origin_records(repo.origin)[-2]
    assert started["extra"]["mode"] == "current"
    assert "previewed_since" in started["extra"]


def test_the_rendered_manifest_of_a_preview_lists_it_beside_the_current_revision(
    repo: Clone, tmp_path: Path
) -> None:
    copy = tmp_path / "manifest.json"
    copier = f"import shutil, sys; shutil.copy(sys.argv[1] + '/manifest.json', {str(copy)!r})"
    block = (
        f'{APIM}[environments.production]\ndeploy = [{PYTHON}, "-c", "{copier}", "{{rendered}}"]\n'
    )
    setup_project(repo, block, revisions=3)
    repo.relorch("deploy", "v1@rev2", "--env", "production")

    result = repo.relorch("deploy", "v1@rev3", "--env", "production", "--preview")

    assert result.returncode == 0, result.stderr
    [major] = json.loads(copy.read_text())["apis"][0]["majors"]
    production = major["environments"]["production"]
    assert production["current"] == 2
    assert [(p["revision"], p["url"]) for p in production["previews"]] == [
        (3, "https://apim-test.azure-api.net/products/v1;rev=3")
    ]


def test_preview_at_or_below_the_current_revision_is_refused(repo: Clone, tmp_path: Path) -> None:
    current_at_rev2(repo, tmp_path)
    before = actions(repo)
    for ref in ("v1@rev2", "v1@rev1"):
        result = repo.relorch(
            "deploy", ref, "--env", "production", "--preview", env=step_env(tmp_path)
        )
        assert result.returncode == 3, result.stderr
        assert "at or below the current v1-rev2" in result.stderr
        assert "hint:" in result.stderr
    assert actions(repo) == before
    assert len(step_calls(tmp_path)) == 1


def test_preview_with_nothing_current_is_refused(repo: Clone, tmp_path: Path) -> None:
    setup_project(repo, production(), revisions=2)
    result = repo.relorch(
        "deploy", "v1", "--env", "production", "--preview", env=step_env(tmp_path)
    )
    assert result.returncode == 3
    assert "nothing of products v1 is current in production" in result.stderr
    assert origin_records(repo.origin) == []


def test_rollback_preview_withdraws_it_and_keeps_the_current_revision(
    repo: Clone, tmp_path: Path
) -> None:
    current_at_rev2(repo, tmp_path)
    repo.relorch("deploy", "v1@rev3", "--env", "production", "--preview", env=step_env(tmp_path))

    result = repo.relorch(
        "rollback", "--env", "production", "v1", "--preview", env=step_env(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    call = step_calls(tmp_path)[-1]
    assert (call["argv"], call["env"]["RELORCH_MODE"]) == (
        ["v1-rev3", "production", "withdraw"],
        "withdraw",
    )
    assert actions(repo)[-2:] == [
        ("withdraw", "started", "v1-rev3"),
        ("withdraw", "succeeded", "v1-rev3"),
    ]
    row = status(repo)
    assert (row["live"], row["previews"]) == ({"production": 2}, {})
    again = repo.relorch("rollback", "--env", "production", "v1", "--preview")
    assert again.returncode == 3
    assert "no preview in production" in again.stderr


def test_promote_from_preview_makes_current_only_what_was_previewed_there(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, production('promote_from = "preview"'), revisions=3)
    first = repo.relorch("deploy", "v1@rev1", "--env", "production", env=step_env(tmp_path))
    assert first.returncode == 0, first.stderr  # nothing current yet: nothing to preview beside

    refused = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert refused.returncode == 3
    assert "has not succeeded as a preview in production" in refused.stderr
    assert "--preview" in refused.stderr

    repo.relorch("deploy", "v1@rev2", "--env", "production", "--preview", env=step_env(tmp_path))
    promoted = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert promoted.returncode == 0, promoted.stderr
    assert status(repo)["live"] == {"production": 2}


def test_a_withdrawn_preview_no_longer_counts_for_promote_from_preview(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(repo, production('promote_from = "preview"'), revisions=2)
    repo.relorch("deploy", "v1@rev1", "--env", "production", env=step_env(tmp_path))
    repo.relorch("deploy", "v1@rev2", "--env", "production", "--preview", env=step_env(tmp_path))
    repo.relorch("rollback", "--env", "production", "--preview", env=step_env(tmp_path))
    refused = repo.relorch("deploy", "v1@rev2", "--env", "production", env=step_env(tmp_path))
    assert refused.returncode == 3, refused.stderr


def test_a_preview_holding_the_lock_makes_a_deploy_exit_5(repo: Clone, tmp_path: Path) -> None:
    current_at_rev2(repo, tmp_path)
    waiting = step_env(tmp_path, "wait")
    preview = start(repo, "deploy", "v1@rev3", "--env", "production", "--preview", env=waiting)
    wait_for(lambda: len(step_calls(tmp_path)) == 2)  # the preview's step runs: it holds the lock

    deploy = repo.relorch("deploy", "v1@rev1", "--env", "production", env=step_env(tmp_path))

    assert deploy.returncode == 5, deploy.stderr
    assert "locked by Test User's preview of v1-rev3" in deploy.stderr
    (tmp_path / "release").touch()
    _, err = preview.communicate(timeout=120)
    assert preview.returncode == 0, err
    assert [a for a in actions(repo) if a[0] != "deploy" or a[2] != "v1-rev2"] == [
        ("preview", "started", "v1-rev3"),
        ("preview", "succeeded", "v1-rev3"),
    ]


def test_a_deploy_holding_the_lock_makes_a_preview_exit_5(repo: Clone, tmp_path: Path) -> None:
    current_at_rev2(repo, tmp_path)
    deploy = start(repo, "deploy", "v1@rev1", "--env", "production", env=step_env(tmp_path, "wait"))
    wait_for(lambda: len(step_calls(tmp_path)) == 2)

    preview = repo.relorch(
        "deploy", "v1@rev3", "--env", "production", "--preview", env=step_env(tmp_path)
    )

    assert preview.returncode == 5, preview.stderr
    assert "locked by Test User's deploy of v1-rev1" in preview.stderr
    (tmp_path / "release").touch()
    _, err = deploy.communicate(timeout=120)
    assert deploy.returncode == 0, err
    assert not any(a[0] == "preview" for a in actions(repo))


def test_preview_dry_run_json_shows_the_mode_and_url(repo: Clone, tmp_path: Path) -> None:
    current_at_rev2(repo, tmp_path)
    result = repo.relorch(
        "deploy", "v1@rev3", "--env", "production", "--preview", "--dry-run", "--json"
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert (plan["action"], plan["mode"]) == ("preview", "preview")
    assert plan["preview_url"] == "https://apim-test.azure-api.net/products/v1;rev=3"
    assert plan["command"][-1] == "preview"
    assert len(origin_records(repo.origin)) == 2


def test_history_shows_previews_and_withdrawals(repo: Clone, tmp_path: Path) -> None:
    current_at_rev2(repo, tmp_path)
    repo.relorch("deploy", "v1@rev3", "--env", "production", "--preview", env=step_env(tmp_path))
    repo.relorch("rollback", "--env", "production", "--preview", env=step_env(tmp_path))
    result = repo.relorch("history", "--env", "production")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "withdraw" in lines[1] and "succeeded" in lines[1]
    assert any("preview" in line and "v1-rev3" in line for line in lines)
