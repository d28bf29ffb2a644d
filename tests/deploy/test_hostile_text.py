"""Text from the ledger (hold reasons, actors) is anybody's: printed with control characters
escaped and CI workflow commands neutralised; secrets masked in every record written."""

from __future__ import annotations

import re

from tests.deploykit import env_block, origin_records, setup_project
from tests.gitrepo import Clone

EVIL = (
    "red\x1b]0;pwned\x07\x1b[2J\n::add-mask::v1-rev2\n  ::stop-commands::tok\n"
    "##vso[task.setvariable]x"
)
ACTOR = "mallory\x1b[31m\n::error::fake"
CI_COMMAND = re.compile(r"^\s*(::|##vso\[|##\[)", re.M)


def assert_harmless(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    # relorch's own annotation is the one workflow command allowed, on one line.
    own = [line for line in text.splitlines() if line.startswith("::error title=relorch::")]
    rest = "\n".join(line for line in text.splitlines() if line not in own)
    assert not CI_COMMAND.search(rest), text


def test_hostile_hold_reason_and_actor_are_escaped_everywhere_they_are_printed(
    repo: Clone,
) -> None:
    setup_project(repo, env_block("production", deploy=False))
    held = repo.relorch(
        "hold", "v1", "--env", "production", "--reason", EVIL, env={"RELORCH_ACTOR": ACTOR}
    )
    assert held.returncode == 0, held.stderr
    outputs = [
        repo.relorch("deploy", "v1@rev2", "--env", "production", env={"GITHUB_ACTIONS": "true"}),
        repo.relorch("status"),
        repo.relorch("history"),
        repo.relorch("hold", "v1", "--env", "production", "--reason", "again"),
    ]
    assert outputs[0].returncode == 6
    for result in outputs:
        assert_harmless(result.stdout)
        assert_harmless(result.stderr)
    assert "\\x1b]0;pwned\\x07" in outputs[0].stderr  # shown, as an escape
    assert origin_records(repo.origin)[0]["reason"] == EVIL  # the ledger keeps the exact text


def test_hold_reason_quoting_a_webhook_url_is_masked_in_the_ledger(repo: Clone) -> None:
    channel = '[channels.hook]\nkind = "webhook"\nurl_env = "RELORCH_HOOK_URL"\n'
    setup_project(repo, channel + env_block("production", deploy=False))
    url = "https://hooks.example.com/services/T0/B0/k3y"
    result = repo.relorch(
        "hold",
        "v1",
        "--env",
        "production",
        "--reason",
        f"posting to {url} fails; token k3y revoked",
        env={"RELORCH_HOOK_URL": url},
    )
    assert result.returncode == 0, result.stderr
    reason = origin_records(repo.origin)[0]["reason"]
    assert "k3y" not in reason and "hooks.example.com/services" not in reason
    assert reason == "posting to *** fails; token *** revoked"
