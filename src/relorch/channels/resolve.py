"""Channel names in config → Channels with their URL and secret read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from relorch.channels.model import Channel
from relorch.config import ChannelConfig, Config
from relorch.errors import ConfigError
from relorch.masking import register, register_url

CONSOLE = ChannelConfig(name="console", kind="console")
HTTP_KINDS = ("slack", "teams", "webhook")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# Office 365 connectors for Teams were retired (Microsoft 365 roadmap 2024-2025); their
# URLs look like https://<tenant>.webhook.office.com/webhookb2/... or
# https://outlook.office.com/webhook/... and no longer take messages reliably.
_RETIRED_HOST_SUFFIXES = (".webhook.office.com",)
_RETIRED_OUTLOOK_HOSTS = {"outlook.office.com", "outlook.office365.com"}


def channel_config(config: Config, name: str) -> ChannelConfig:
    """The named channel's config; "console" is always there, even undeclared."""
    if name in config.channels:
        return config.channels[name]
    if name == "console":
        return CONSOLE
    known = ", ".join(sorted({*config.channels, "console"}))
    raise ConfigError(f"no channel named {name!r}", hint=f"channels: {known}")


def resolve_channels(
    config: Config, names: Sequence[str], environ: Mapping[str, str] | None = None
) -> list[Channel]:
    """Each named channel with its URL and secret from the environment, registered for masking.

    Raises ConfigError (exit 2) for an unknown channel, an unset variable, an unusable URL
    or a retired Teams connector URL, before anything is sent.
    """
    env = os.environ if environ is None else environ
    channels: list[Channel] = []
    for name in dict.fromkeys(names):  # each channel once, in the order given
        channels.append(_resolve(config, channel_config(config, name), env))
    return channels


def _resolve(config: Config, cfg: ChannelConfig, env: Mapping[str, str]) -> Channel:
    where = f"channel {cfg.name!r} ({cfg.kind})"
    url = secret = None
    if cfg.kind in HTTP_KINDS:
        url = _variable(env, cfg.url_env, where, "URL")
        register_url(url)
        _check_url(url, cfg, where)
    elif cfg.url_env:
        raise ConfigError(f"{where}: url_env only applies to slack, teams and webhook channels")
    if cfg.secret_env:
        if cfg.kind != "webhook":
            raise ConfigError(
                f"{where}: secret_env only applies to webhook channels",
                hint='remove secret_env, or make the channel kind = "webhook"',
            )
        secret = _variable(env, cfg.secret_env, where, "signing secret")
        register(secret)
    path = None
    if cfg.kind == "file":
        if not cfg.path:
            raise ConfigError(f"{where} needs path")
        path = config.root / cfg.path
    template = config.root / cfg.template if cfg.template else None
    if template is not None and not template.is_file():
        raise ConfigError(
            f"{where}: template {cfg.template} does not exist",
            hint="the path is relative to the repository root",
        )
    return Channel(
        name=cfg.name,
        kind=cfg.kind,
        url_env=cfg.url_env,
        url=url,
        secret=secret,
        path=path,
        template=template,
    )


def _variable(env: Mapping[str, str], name: str | None, where: str, what: str) -> str:
    if not name:
        raise ConfigError(f"{where} needs url_env (the variable that holds its {what})")
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{where}: environment variable {name} (its {what}) is not set",
            hint=f"export {name} (in CI: a masked secret variable); it never goes in a file",
        )
    return value


def _check_url(url: str, cfg: ChannelConfig, where: str) -> None:
    variable = f"${cfg.url_env}"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ConfigError(f"{where}: {variable} is not a URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigError(
            f"{where}: {variable} must hold an https:// URL", hint=f"check the value of {variable}"
        )
    if parts.scheme == "http" and host not in _LOOPBACK and cfg.kind != "webhook":
        raise ConfigError(
            f"{where}: {variable} uses plain http; the URL is a secret and must travel over https",
            hint="use the https:// URL the service gave you",
        )
    if cfg.kind == "teams" and _is_retired_connector(host, parts.path):
        raise ConfigError(
            f"{where}: {variable} holds a retired Office 365 connector URL "
            "(webhook.office.com / outlook.office.com), which Teams no longer serves",
            hint='create a Teams Workflows webhook (Teams: Workflows → "Post to a channel when '
            f'a webhook request is received") and put its URL in {variable}',
        )


def _is_retired_connector(host: str, path: str) -> bool:
    if host.endswith(_RETIRED_HOST_SUFFIXES) or host == "webhook.office.com":
        return True
    return host in _RETIRED_OUTLOOK_HOSTS and path.lower().startswith("/webhook")
