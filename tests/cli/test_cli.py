"""The front door: --version, --help, usage errors, plan, status, init, demo."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gitrepo import Clone, make_origin, run_relorch


def test_version_and_help(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.startswith("relorch ")
    result = run_relorch(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("release", "plan", "status", "init", "demo", "deploy", "render", "diff"):
        assert command in result.stdout


def test_unknown_option_is_usage_error_without_traceback(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "release", "--revison")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
    assert "Traceback" not in result.stderr and "locals" not in result.stderr


def test_python_dash_m_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "relorch", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "relorch" in result.stdout


def test_plan_shows_next_revision_without_writing(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("fix: a")
    repo.push()
    before = repo.remote_refs()
    result = repo.relorch("plan", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["apis"][0]["next"]["tag"] == "v1-rev2" and data["blockers"] == []
    assert "next release of products: v1-rev2" in result.stderr
    assert repo.remote_refs() == before


def test_plan_works_on_detached_pr_build_with_target_branch(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.git("switch", "-q", "--detach")
    repo.commit("fix: in a PR")
    result = repo.relorch("plan", "--json", env={"GITHUB_BASE_REF": "main"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["branch"] == "main" and data["apis"][0]["next"]["tag"] == "v1-rev2"
    assert data["blockers"]  # the PR head is not main's tip: release would refuse


def test_plan_detached_without_hint_asks_for_branch(repo: Clone) -> None:
    repo.git("switch", "-q", "--detach")
    result = repo.relorch("plan")
    assert result.returncode == 3 and "--branch" in result.stderr


def test_status_lists_majors_with_lines_and_semver(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.commit("feat!: v2")
    repo.push()
    assert repo.relorch("release", "--major").returncode == 0
    result = repo.relorch("status", "--json")
    assert result.returncode == 0, result.stderr
    majors = json.loads(result.stdout)["majors"]
    assert [(m["major"], m["line"], m["latest"]["tag"]) for m in majors] == [
        (2, "main", "v2-rev1"),
        (1, "release/v1", "v1-rev1"),
    ]
    assert majors[0]["latest"]["semver"] == "2.1.0"
    table = repo.relorch("status", "--semver").stderr
    assert "2.1.0" in table and "release/v1" in table


def test_status_with_unknown_env_is_usage_error(repo: Clone) -> None:
    result = repo.relorch("status", "--env", "prod")
    assert result.returncode == 2 and "no environment named 'prod'" in result.stderr


def test_init_writes_commented_config_that_loads(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, "", {"openapi.yaml": "openapi: 3.0.0\n"})
    (repo.path / "relorch.toml").unlink()
    result = repo.relorch("init", "--api", "products")
    assert result.returncode == 0, result.stderr
    text = (repo.path / "relorch.toml").read_text()
    assert "[apis.products]" in text and 'spec = "openapi.yaml"' in text and "# " in text
    assert repo.relorch("status").returncode == 0
    again = repo.relorch("init")
    assert again.returncode == 3 and "--force" in again.stderr


def test_init_detects_semver_tags_and_writes_pyproject(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, "", {"pyproject.toml": '[project]\nname = "x"  # keep me\n'})
    (repo.path / "relorch.toml").unlink()
    repo.tag("v1.0.0")
    repo.tag("v1.1.0")
    result = repo.relorch("init", "--pyproject", "--api", "things")
    assert result.returncode == 0, result.stderr
    text = (repo.path / "pyproject.toml").read_text()
    assert "# keep me" in text and 'tag_format = "semver"' in text
    assert repo.relorch("status").returncode == 0


def test_demo_runs_the_lifecycle(tmp_path: Path) -> None:
    # a bound for a hang, not a timing goal: the whole lifecycle, on a busy 2-core CI machine
    result = run_relorch(tmp_path, "demo", timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    for expected in ("released v1-rev1", "released v2-rev1", "release/v1", "demo finished"):
        assert expected in result.stderr
    assert "kind: HTTPRoute" in result.stdout + result.stderr  # a gateway kind beyond APIM
    # A preview tried at its ;rev=N URL, then made current.
    assert "try it at https://apim-demo.azure-api.net/products/v2;rev=4" in result.stderr
    assert "previewed since" in result.stderr
    # v1 stays current while v2 is only tagged, and is deprecated once v2 is live in production.
    before, after = result.stderr.split("v2 is live in production", 1)
    status_before = before.rsplit("$ relorch status", 1)[1]
    assert "current" in status_before and "deprecated" not in status_before
    assert "deprecated" in after.split("v1 stays live side by side", 1)[0]


def test_init_dry_run_json_writes_nothing(tmp_path: Path) -> None:
    repo = make_origin(tmp_path, "")
    (repo.path / "relorch.toml").unlink()
    result = repo.relorch("init", "--api", "products", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["written"] is False and "[apis.products]" in data["config"]
    assert not (repo.path / "relorch.toml").exists()


def test_render_dry_run_writes_no_file(repo: Clone) -> None:
    repo.tag("v1-rev1")
    result = repo.relorch("render", "manifest", "-o", "out.json", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would write manifest" in result.stderr and not (repo.path / "out.json").exists()


def test_running_main_many_times_in_one_process_registers_each_command_once() -> None:
    """The demo and in-process callers run main() over and over: the app must not grow."""
    import contextlib
    import io

    from relorch.cli import main
    from relorch.cli.app import app

    def sizes() -> tuple[int, int]:
        return len(app.registered_commands), len(app.registered_groups)

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["--version"])
        first = sizes()
        for _ in range(3):
            main(["--version"])
    assert sizes() == first
    assert first[0] > 10


def test_a_run_builds_only_the_command_it_names_and_help_still_lists_all() -> None:
    from relorch.cli.app import _command, _register

    _register()
    everything = set(_command().commands)
    assert {"release", "deploy", "flags", "status"} <= everything
    assert set(_command(["-C", "x", "--config", "release", "status", "--json"]).commands) == {
        "status"
    }
    assert set(_command(["flags", "render"]).commands) == {"flags"}
    for args in (["--help"], ["nosuchcommand"], [], ["-C", "deploy"]):
        assert set(_command(args).commands) == everything, args
