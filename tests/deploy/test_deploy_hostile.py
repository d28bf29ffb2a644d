"""Hostile values reach the deploy step as single literal arguments; secrets reach nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploykit import PYTHON, STEP, origin_records, step_calls, step_env
from tests.gitrepo import Clone

HOSTILE = [
    "--force",
    "-rf",
    "a b",
    "it's",
    'say "hi"',
    "x;touch pwned1",
    "$(touch pwned2)",
    "`touch pwned3`",
    "line1\nline2",
    "{not_a_placeholder",
    "%s %d",
    "*",
]
HOSTILE_TAG_FORMAT = "x'\";$(id>pwned4)`id>pwned5`&|v{major}-rev{revision}"


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def test_hostile_config_values_and_tag_names_arrive_as_literal_arguments(
    repo: Clone, tmp_path: Path
) -> None:
    argv = [json.loads(PYTHON), "step.py", *HOSTILE, "{tag}", "prefix-{tag}-{env}"]
    config = (
        f"[apis.products]\ntag_format = {json.dumps(HOSTILE_TAG_FORMAT)}\n"
        f"[environments.staging]\ndeploy = {toml_list(argv)}\n"
    )
    repo.commit("config", {"relorch.toml": config, "step.py": STEP})
    repo.push("HEAD:main")
    tag = HOSTILE_TAG_FORMAT.format(major=1, revision=1)
    repo.tag(tag)

    result = repo.relorch("deploy", "v1", "--env", "staging", env=step_env(tmp_path))

    assert result.returncode == 0, result.stderr
    [call] = step_calls(tmp_path)
    assert call["argv"] == [*HOSTILE, tag, f"prefix-{tag}-staging"]
    assert call["env"]["RELORCH_TAG"] == tag
    assert origin_records(repo.origin)[-1]["tag"] == tag
    history = repo.relorch("history", "--json")
    assert json.loads(history.stdout)["records"][0]["tag"] == tag


def test_unknown_placeholder_in_deploy_argv_is_a_config_error(repo: Clone) -> None:
    config = '[apis.products]\n[environments.staging]\ndeploy = ["deploy", "{tga}"]\n'
    repo.commit("config", {"relorch.toml": config})
    repo.push("HEAD:main")
    repo.tag("v1-rev1")
    result = repo.relorch("deploy", "v1", "--env", "staging")
    assert result.returncode == 2
    assert "unknown placeholder {tga}" in result.stderr


def test_environment_names_with_shell_characters_are_refused_by_config(repo: Clone) -> None:
    config = '[apis.products]\n[environments."prod; rm -rf ~"]\n'
    repo.commit("config", {"relorch.toml": config})
    result = repo.relorch("history", "--env", "prod; rm -rf ~")
    assert result.returncode == 2
    assert "is not usable" in result.stderr


def test_credentials_in_the_remote_url_never_appear_in_output(repo: Clone) -> None:
    repo.commit("config", {"relorch.toml": "[apis.products]\n[environments.staging]\n"})
    repo.git("remote", "set-url", "origin", "https://deployer:s3cr3t-pw@127.0.0.1:9/api.git")
    for args in (
        ["deploy", "v1", "--env", "staging"],
        ["history"],
        ["hold", "v1", "--env", "staging", "--reason", "x"],
    ):
        result = repo.relorch(*args, env={"GIT_TERMINAL_PROMPT": "0"})
        assert result.returncode == 1, result.stderr
        assert "s3cr3t" not in result.stderr + result.stdout
        assert "error:" in result.stderr


def test_secret_values_never_reach_the_ledger_or_the_step_output(
    repo: Clone, tmp_path: Path
) -> None:
    token = "tok-9f8e7d6c5b4a"
    config = f'[apis.products]\n[environments.staging]\ndeploy = [{PYTHON}, "step.py"]\n'
    repo.commit("config", {"relorch.toml": config, "step.py": STEP})
    repo.push("HEAD:main")
    repo.tag("v1-rev1")
    secrets = {
        "RELORCH_TEST_TOKEN": token,
        "STEP_ECHO": token,
        "RELORCH_RUN_URL": "https://ci:hunter22@ci.example.net/run/1",
    }

    deploy = repo.relorch("deploy", "v1", "--env", "staging", env={**step_env(tmp_path), **secrets})
    hold = repo.relorch(
        "hold", "v1", "--env", "staging", "--reason", f"leaked {token}", env=secrets
    )

    assert deploy.returncode == 0, deploy.stderr
    assert hold.returncode == 0, hold.stderr
    assert "step output for v1-rev1 ***" in deploy.stderr
    for text in (deploy.stderr, hold.stderr, json.dumps(origin_records(repo.origin))):
        assert token not in text
        assert "hunter22" not in text
    records = origin_records(repo.origin)
    assert records[-1]["reason"] == "leaked ***"
    assert records[0]["run_url"] == "https://***@ci.example.net/run/1"
