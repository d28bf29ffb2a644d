"""Shell completion: the scripts `relorch completion SHELL` prints, and bash completing a
command and an environment name read from the config, in a real bash."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import RELORCH, Clone, run_relorch

CONFIG = "[apis.products]\n[environments.staging]\n[environments.production]\n"


def _bash_complete(cwd: Path, *words: str) -> list[str]:
    """Source the completion script in bash, complete the last word, return the candidates."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in ("relorch", *words))
    script = (
        "source <(relorch completion bash)\n"
        f"COMP_WORDS=({quoted})\n"
        f"COMP_CWORD={len(words)}\n"
        "_relorch_completion relorch\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    path = f"{Path(RELORCH).parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATH": path},
        timeout=60,
    )
    return [line for line in proc.stdout.splitlines() if line]


def test_bash_completes_a_command(tmp_path: Path) -> None:
    assert _bash_complete(tmp_path, "rol") == ["rollback"]
    assert {"deploy", "history"} <= set(_bash_complete(tmp_path, ""))


def test_bash_completes_environment_names_from_the_config(repo: Clone) -> None:
    repo.commit("config", {"relorch.toml": CONFIG})
    assert _bash_complete(repo.path, "deploy", "v1", "--env", "") == ["production", "staging"]
    assert _bash_complete(repo.path, "rollback", "-e", "st") == ["staging"]


def test_bash_completes_environments_of_the_repository_given_with_C(
    repo: Clone, tmp_path: Path
) -> None:
    repo.commit("config", {"relorch.toml": CONFIG})
    words = ("-C", str(repo.path), "deploy", "v1", "--env", "pro")
    assert _bash_complete(tmp_path, *words) == ["production"]


def test_environment_completion_outside_a_repository_offers_nothing(tmp_path: Path) -> None:
    assert _bash_complete(tmp_path, "deploy", "v1", "--env", "") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(tmp_path: Path, shell: str) -> None:
    result = run_relorch(tmp_path, "completion", shell)
    assert result.returncode == 0, result.stderr
    assert "_RELORCH_COMPLETE" in result.stdout and "relorch" in result.stdout
    if shutil.which(shell) and shell != "fish":
        # the script parses in its own shell (fish has no syntax-only mode before 3.7)
        checked = subprocess.run([shell, "-n"], input=result.stdout, text=True, check=False)
        assert checked.returncode == 0


def test_completion_of_an_unknown_shell_is_a_usage_error(tmp_path: Path) -> None:
    result = run_relorch(tmp_path, "completion", "tcsh")
    assert result.returncode == 2 and "tcsh" in result.stderr
