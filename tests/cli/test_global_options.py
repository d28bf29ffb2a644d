"""Global options (-C, --config, --json, --no-color) before and after the command, and
`--json` failures as `relorch-error/1` documents on stdout."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from relorch.cli import main
from tests.gitrepo import Clone, run_relorch


def test_chdir_and_json_before_the_command_equal_after_it(repo: Clone, tmp_path: Path) -> None:
    repo.tag("v1-rev1")
    before = run_relorch(tmp_path, "-C", str(repo.path), "--json", "status", "--no-fetch")
    after = run_relorch(tmp_path, "status", "--no-fetch", "-C", str(repo.path), "--json")
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert json.loads(before.stdout)["majors"][0]["latest"]["tag"] == "v1-rev1"


def test_config_before_the_command_is_read(repo: Clone, tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text("[apis.orders]\n")
    result = run_relorch(
        tmp_path, "-C", str(repo.path), "--config", str(tmp_path / "other.toml"), "plan", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert [a["api"] for a in json.loads(result.stdout)["apis"]] == ["orders"]


def test_option_after_the_command_wins_over_the_one_before(repo: Clone, tmp_path: Path) -> None:
    result = run_relorch(repo.path, "-C", str(tmp_path), "status", "-C", str(repo.path))
    assert result.returncode == 0, result.stderr


def test_json_failure_prints_an_error_document_on_stdout(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "--json", "status")
    assert result.returncode == 3
    assert json.loads(result.stdout) == {
        "schema": "relorch-error/1",
        "error": f"{tmp_path} is not inside a git repository",
        "hint": "run relorch inside a clone, or pass -C PATH",
        "exit_code": 3,
    }
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("release", "--revison", "--json"), 2),  # click's usage error, before any callback
        (("--json", "release", "--revision", "--major"), 2),  # relorch's UsageError
        (("deploy", "v1", "--json"), 2),  # a missing required option
    ],
)
def test_usage_errors_with_json_are_error_documents(
    repo: Clone, args: tuple[str, ...], code: int
) -> None:
    result = repo.relorch(*args)
    assert result.returncode == code
    data = json.loads(result.stdout)
    assert data["schema"] == "relorch-error/1" and data["exit_code"] == code
    assert data["error"] and data["hint"]


def test_json_without_a_command_is_an_error_document(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "--json")
    assert result.returncode == 2 and result.stderr.startswith("error: Missing command")
    assert json.loads(result.stdout)["error"] == "Missing command."


def test_config_error_with_json_names_the_key(repo: Clone) -> None:
    (repo.path / "relorch.toml").write_text("[apis.products]\ntag_fromat = 'x'\n")
    result = repo.relorch("status", "--json", "--no-fetch")
    assert result.returncode == 2
    assert "tag_fromat" in json.loads(result.stdout)["error"]


def test_without_json_a_failure_leaves_stdout_empty(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "status")
    assert result.returncode == 3 and result.stdout == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _stderr_on_a_terminal(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.chdir(cwd)
    err = _Terminal()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        main(list(args))
    return err.getvalue()


@pytest.mark.parametrize(
    "args", [("--no-color", "status"), ("status", "--no-color"), ("demo", "--no-color", "--bad")]
)
def test_no_color_before_or_after_the_command_turns_colours_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    without = [a for a in args if a != "--no-color"]
    assert "\x1b[" in _stderr_on_a_terminal(tmp_path, *without, monkeypatch=monkeypatch)
    plain = _stderr_on_a_terminal(tmp_path, *args, monkeypatch=monkeypatch)
    assert "error: " in plain and "\x1b[" not in plain
    # the setting lasts for one invocation only
    assert "\x1b[" in _stderr_on_a_terminal(tmp_path, *without, monkeypatch=monkeypatch)
    assert os.environ.get("NO_COLOR") is None
