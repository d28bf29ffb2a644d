"""validate_channels: everything that can be checked before a deploy starts is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from relorch.channels.announcer import validate_channels
from relorch.channels.model import RetryPolicy
from relorch.channels.resolve import resolve_channels
from relorch.config import Config, parse_config
from relorch.errors import ConfigError, ExitCode
from relorch.masking import mask


def config_with(root: Path, **channel: str) -> Config:
    return parse_config({"apis": {"products": {}}, "channels": {"c": channel}}, root=root)


def test_console_is_always_available_even_undeclared(tmp_path: Path) -> None:
    config = parse_config({"apis": {"products": {}}}, root=tmp_path)
    validate_channels(config, ["console"], environ={})
    (channel,) = resolve_channels(config, ["console"], environ={})
    assert channel.kind == "console" and channel.target == "stderr"


def test_unknown_channel_is_a_config_error_listing_the_known_ones(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="console")
    with pytest.raises(ConfigError, match="no channel named 'platfrom'") as caught:
        validate_channels(config, ["platfrom"], environ={})
    assert caught.value.hint == "channels: c, console"
    assert caught.value.exit_code == ExitCode.USAGE


def test_missing_url_variable_is_a_config_error_naming_the_variable(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="slack", url_env="RELORCH_SLACK_WEBHOOK")
    with pytest.raises(ConfigError, match=r"RELORCH_SLACK_WEBHOOK .* is not set") as caught:
        validate_channels(config, ["c"], environ={"RELORCH_SLACK_WEBHOOK": "  "})
    assert "export RELORCH_SLACK_WEBHOOK" in caught.value.hint


def test_missing_signing_secret_variable_is_a_config_error(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="webhook", url_env="U", secret_env="S")
    with pytest.raises(ConfigError, match="environment variable S"):
        validate_channels(config, ["c"], environ={"U": "https://hooks.example.net/x"})


def test_secret_env_on_a_slack_channel_is_refused(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="slack", url_env="U", secret_env="S")
    with pytest.raises(ConfigError, match="secret_env only applies to webhook channels"):
        validate_channels(config, ["c"], environ={"U": "https://hooks.slack.com/x", "S": "abcdefg"})


@pytest.mark.parametrize(
    "url",
    [
        "https://contoso.webhook.office.com/webhookb2/0a1b@2c3d/IncomingWebhook/4e5f/6a7b",
        "https://outlook.office.com/webhook/0a1b@2c3d/IncomingWebhook/4e5f/6a7b",
        "https://outlook.office365.com/webhook/0a1b@2c3d/IncomingWebhook/4e5f/6a7b",
    ],
)
def test_teams_retired_connector_urls_are_refused_with_a_workflows_hint(
    tmp_path: Path, url: str
) -> None:
    config = config_with(tmp_path, kind="teams", url_env="TEAMS_URL")
    with pytest.raises(ConfigError, match="retired Office 365 connector") as caught:
        validate_channels(config, ["c"], environ={"TEAMS_URL": url})
    assert "Workflows" in caught.value.hint
    assert "0a1b@2c3d" not in str(caught.value) + caught.value.hint
    assert "4e5f/6a7b" not in mask(url)


def test_teams_workflows_url_is_accepted(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="teams", url_env="TEAMS_URL")
    url = (
        "https://prod-12.westeurope.logic.azure.com:443/workflows/0123abcd/triggers/manual/"
        "paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
        "&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    )
    validate_channels(config, ["c"], environ={"TEAMS_URL": url})
    assert "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" not in mask(f"failed: {url.split('?')[1]}")


@pytest.mark.parametrize(
    "url", ["hooks.slack.com/services/x", "ftp://hooks.slack.com/x", "https://"]
)
def test_a_value_that_is_not_an_http_url_is_refused(tmp_path: Path, url: str) -> None:
    config = config_with(tmp_path, kind="slack", url_env="U")
    with pytest.raises(ConfigError, match=r"\$U must hold an https:// URL"):
        validate_channels(config, ["c"], environ={"U": url})


def test_plain_http_to_a_remote_slack_host_is_refused(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="slack", url_env="U")
    with pytest.raises(ConfigError, match="plain http"):
        validate_channels(config, ["c"], environ={"U": "http://hooks.slack.com/services/x"})


def test_template_override_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    config = config_with(tmp_path, kind="console", template="tmpl/missing.j2")
    with pytest.raises(ConfigError, match=r"template tmpl/missing\.j2 does not exist"):
        validate_channels(config, ["c"], environ={})


def test_template_override_that_fails_for_some_event_kind_is_refused_up_front(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.j2").write_text("{% if kind == 'held' %}{{ reason.nope }}{% endif %}ok")
    config = config_with(tmp_path, kind="console", template="t.j2")
    with pytest.raises(ConfigError, match="'held' announcement"):
        validate_channels(config, ["c"], environ={})


def test_retry_tuning_variables_are_validated() -> None:
    assert RetryPolicy.from_environment(
        {"RELORCH_ANNOUNCE_ATTEMPTS": "2", "RELORCH_ANNOUNCE_BACKOFF": "0"}
    ) == RetryPolicy(attempts=2, backoff=0)
    with pytest.raises(ConfigError, match="RELORCH_ANNOUNCE_ATTEMPTS"):
        RetryPolicy.from_environment({"RELORCH_ANNOUNCE_ATTEMPTS": "many"})
