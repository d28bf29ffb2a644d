"""Config values that used to end in tracebacks or in invalid files: each an `error:` with the
file and key, exit 2; `init` never writes invalid TOML nor through a symlink."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.gitrepo import Clone


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ('[apis.products]\n[support]\ndeprecation_period = "999999 years"\n', "1000 years"),
        ('[apis.products]\n[environments.prod]\nnotice = "999999 weeks"\n', "1000 years"),
        ('main_branch = "ma\\u0000in"\n[apis.products]\n', "NUL"),
        ('[apis.products]\n[environments.prod]\ndeploy = ["echo", "a\\u0000b"]\n', "NUL"),
        ('[apis.products]\n[support]\nmigration_guide = "javascript:alert(1)"\n', "http(s)"),
    ],
    ids=["years", "weeks", "nul-branch", "nul-argv", "javascript-guide"],
)
def test_hostile_config_values_are_usage_errors_naming_the_key(
    repo: Clone, config: str, words: str
) -> None:
    (repo.path / "relorch.toml").write_text(config)
    result = repo.relorch("status", "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "relorch.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_quotes_an_odd_branch_name_into_valid_toml(repo: Clone) -> None:
    repo.git("switch", "-q", "-c", 'we"ird#branch')
    (repo.path / "relorch.toml").unlink()
    result = repo.relorch("init")
    assert result.returncode == 0, result.stderr
    data = tomllib.loads((repo.path / "relorch.toml").read_text())
    assert data["main_branch"] == 'we"ird#branch'


def test_init_refuses_to_follow_a_dangling_symlink_out_of_the_repository(
    repo: Clone, tmp_path: Path
) -> None:
    (repo.path / "relorch.toml").unlink()
    outside = tmp_path / "outside.toml"
    (repo.path / "relorch.toml").symlink_to(outside)
    result = repo.relorch("init")
    assert result.returncode == 3, result.stderr
    assert "symbolic link" in result.stderr
    assert not outside.exists()


@pytest.mark.parametrize(
    "content",
    [b"[project\nname = 1", b"tool = 1\n", b"\xff\xfe[tool]\n"],
    ids=["bad-toml", "tool-not-a-table", "not-utf8"],
)
def test_init_pyproject_on_a_broken_pyproject_is_an_error_and_writes_nothing(
    repo: Clone, content: bytes
) -> None:
    (repo.path / "pyproject.toml").write_bytes(content)
    result = repo.relorch("init", "--pyproject")
    assert result.returncode == 2, result.stderr
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert (repo.path / "pyproject.toml").read_bytes() == content
