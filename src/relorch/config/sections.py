"""Validation of the per-name config tables: [apis.*], [channels.*], [environments.*]."""

from __future__ import annotations

import re

from relorch.config.gateways import parse_aws, parse_kubernetes
from relorch.config.model import (
    APIM_KEYS,
    CHANNEL_KINDS,
    DEPLOY_PLACEHOLDERS,
    PROMOTE_FROM_PREVIEW,
    SCHEMES,
    ApiConfig,
    ApimConfig,
    ChannelConfig,
    EnvironmentConfig,
)
from relorch.config.table import Table
from relorch.durations import Duration
from relorch.errors import ConfigError
from relorch.versions import (
    API_NAME,
    DEFAULT_BRANCH_FORMAT,
    DEFAULT_TAG_FORMAT,
    MULTI_BRANCH_FORMAT,
    SEMVER_LEGACY_TAGS,
    SEMVER_TAG_FORMAT,
    check_legacy_template,
    check_template,
)

_ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_apis(table: Table) -> dict[str, ApiConfig]:
    """[apis.<name>]: at least one; tag/branch templates checked; {api}/ prefix when several."""
    if not table.data:
        raise ConfigError(
            f"{table.source}: no API configured",
            hint="add a table such as [apis.products] (the API's name is all that is required)",
        )
    several = len(table.data) > 1
    apis: dict[str, ApiConfig] = {}
    for name, sub in table.each(API_NAME, required=True):
        if not API_NAME.fullmatch(name):
            raise ConfigError(
                f"{table.source}: API name {name!r} is not usable in tags and APIM names",
                hint="use lowercase letters, digits, - and _ (e.g. products, order-api)",
            )
        tag_format = sub.text("tag_format", DEFAULT_TAG_FORMAT) or DEFAULT_TAG_FORMAT
        if tag_format == "semver":
            tag_format = SEMVER_TAG_FORMAT
        if several and "{api}" not in tag_format:
            tag_format = "{api}/" + tag_format
        default_branch = MULTI_BRANCH_FORMAT if several else DEFAULT_BRANCH_FORMAT
        branch_format = sub.text("branch_format", default_branch) or default_branch
        for key, template, needs in (
            ("tag_format", tag_format, ("major", "revision")),
            ("branch_format", branch_format, ("major",)),
        ):
            problem = check_template(template, needs=needs, what=f"apis.{name}.{key}")
            if problem:
                raise ConfigError(f"{table.source}: {problem}")
        if several and "{api}" not in branch_format:
            raise ConfigError(
                f"{table.source}: apis.{name}.branch_format must contain {{api}} "
                "when the repository has several APIs",
                hint=f'e.g. branch_format = "{MULTI_BRANCH_FORMAT}"',
            )
        paths = sub.strings("paths", (".",)) or (".",)
        for path in paths:
            if path.startswith(("/", "-")) or ".." in path.split("/"):
                raise ConfigError(
                    f"{table.source}: apis.{name}.paths: {path!r} must stay in the repo"
                )
        apis[name] = ApiConfig(
            legacy_tags=_legacy_tags(sub, name, several),
            name=name,
            tag_format=tag_format,
            branch_format=branch_format,
            paths=paths,
            spec=sub.text("spec"),
            checks=sub.argv_lists("checks"),
            apim=parse_apim(sub.table("apim"), partial=False),  # type: ignore[arg-type]
            aws=parse_aws(sub.table("aws"), partial=False),  # type: ignore[arg-type]
            kubernetes=parse_kubernetes(  # type: ignore[arg-type]
                sub.table("kubernetes"), partial=False
            ),
            flags=_repo_path(sub.text("flags"), f"{table.source}: apis.{name}.flags"),
            flag_owners=sub.strings("flag_owners", ()) or (),
        )
        sub.done()
    return apis


def _legacy_tags(sub: Table, name: str, several: bool) -> tuple[str, ...]:
    """`legacy_tags`: "semver", or a list of templates with {major} and optional {minor},
    {patch} and {api}; with several APIs a template without {api} gets the `{api}/` prefix."""
    value = sub.strings_or_preset("legacy_tags", ("semver",))
    if value is None:
        return ()
    templates = SEMVER_LEGACY_TAGS if value == "semver" else tuple(value)
    if several:
        templates = tuple(t if "{api}" in t else "{api}/" + t for t in templates)
    for template in templates:
        problem = check_legacy_template(template, what=f"apis.{name}.legacy_tags")
        if problem:
            raise ConfigError(
                f"{sub.source}: {problem}",
                hint='e.g. legacy_tags = ["v{major}.{minor}.{patch}"] or legacy_tags = "semver"',
            )
    return templates


def parse_apim(table: Table, *, partial: bool) -> ApimConfig | dict[str, object]:
    """[apis.*.apim] (full, with defaults) or [environments.*.apim] (overrides only)."""
    values: dict[str, object] = {}
    defaults = ApimConfig()
    for key in sorted(set(table.data) & APIM_KEYS if partial else APIM_KEYS):
        default = getattr(defaults, key)
        if key == "versioning_scheme":
            values[key] = table.choice(key, SCHEMES, default)
        elif key == "protocols":
            protocols = table.strings(key, default) or default
            bad = [p for p in protocols if p not in {"http", "https", "ws", "wss"}]
            if bad or not protocols:
                raise ConfigError(f"{table.source}: {table.where}.protocols: unknown {bad}")
            values[key] = protocols
        elif key == "keep_revisions":
            values[key] = table.integer(key, default, minimum=2)
        elif key == "subscription_required":
            values[key] = table.flag(key, default)
        else:
            values[key] = table.text(key, default)
    table.done()
    return values if partial else ApimConfig(**values)  # type: ignore[arg-type]


def parse_channels(table: Table) -> dict[str, ChannelConfig]:
    """[channels.<name>]: kind plus the env variables that hold URL and secret."""
    channels: dict[str, ChannelConfig] = {}
    for name, sub in table.each():
        kind = sub.choice("kind", CHANNEL_KINDS, "console")
        url_env, secret_env = sub.text("url_env"), sub.text("secret_env")
        for key, value in (("url_env", url_env), ("secret_env", secret_env)):
            if value is not None and not _ENV_VAR.fullmatch(value):
                raise ConfigError(
                    f"{table.source}: channels.{name}.{key} must name an environment variable, "
                    f"got {value!r}",
                    hint="URLs and secrets never live in the config, only their variable names",
                )
        if "url" in sub.data:
            raise ConfigError(
                f"{table.source}: channels.{name}.url: webhook URLs are secrets, never in a file",
                hint=f'set url_env = "RELORCH_{name.upper()}_WEBHOOK" and export that variable',
            )
        channel = ChannelConfig(
            name=name,
            kind=kind,
            url_env=url_env,
            secret_env=secret_env,
            path=sub.text("path"),
            template=sub.text("template"),
        )
        if kind in {"slack", "teams", "webhook"} and not url_env:
            raise ConfigError(f"{table.source}: channels.{name} ({kind}) needs url_env")
        if kind == "file" and not channel.path:
            raise ConfigError(f"{table.source}: channels.{name} (file) needs path")
        sub.done()
        channels[name] = channel
    return channels


def parse_environments(
    table: Table, channels: dict[str, ChannelConfig]
) -> dict[str, EnvironmentConfig]:
    """[environments.<name>]: deploy argv, promotion, announcements, windows and timeouts."""
    envs: dict[str, EnvironmentConfig] = {}
    for name, sub in table.each(_ENV_NAME):
        if not _ENV_NAME.fullmatch(name):
            raise ConfigError(
                f"{table.source}: environment name {name!r} is not usable",
                hint="letters, digits, ., - and _",
            )
        deploy = sub.strings("deploy", None)
        if deploy is not None and not deploy:
            raise ConfigError(
                f"{table.source}: environments.{name}.deploy is an empty argv",
                hint="remove it for a record-only deploy, or list the program first",
            )
        checkout = sub.strings("checkout", ()) or ()
        bad = [p for p in checkout if not p.strip("/") or "\n" in p or p.startswith("!")]
        if bad:
            raise ConfigError(
                f"{table.source}: environments.{name}.checkout: {bad[0]!r} is not a usable path",
                hint='list the paths the deploy step needs, e.g. ["deploy/", "openapi.yaml"]',
            )
        for arg in deploy or ():
            for placeholder in _PLACEHOLDER.findall(arg):
                if placeholder not in DEPLOY_PLACEHOLDERS:
                    raise ConfigError(
                        f"{table.source}: environments.{name}.deploy: unknown placeholder "
                        f"{{{placeholder}}} in {arg!r}",
                        hint="placeholders: " + " ".join(f"{{{p}}}" for p in DEPLOY_PLACEHOLDERS),
                    )
        announce = sub.strings("announce", ()) or ()
        for channel in announce:
            if channel not in channels and channel != "console":
                raise ConfigError(
                    f"{table.source}: environments.{name}.announce: unknown channel {channel!r}",
                    hint="declare it as [channels." + channel + "]",
                )
        envs[name] = EnvironmentConfig(
            name=name,
            deploy=deploy,
            promote_from=sub.text("promote_from"),
            announce=announce,
            announce_previews=sub.flag("announce_previews", True),
            notice=sub.duration("notice", Duration()),
            announce_failure=sub.choice("announce_failure", ("block", "warn"), "block"),
            lock_timeout=sub.duration("lock_timeout", Duration(seconds=7200)),
            timeout=sub.duration("timeout", Duration(seconds=1800)),
            apim=parse_apim(sub.table("apim"), partial=True),  # type: ignore[arg-type]
            checkout=checkout,
            aws=parse_aws(sub.table("aws"), partial=True),  # type: ignore[arg-type]
            kubernetes=parse_kubernetes(  # type: ignore[arg-type]
                sub.table("kubernetes"), partial=True
            ),
            flags=_argv(sub.strings("flags", None), f"{table.source}: environments.{name}.flags"),
        )
        sub.done()
    for env in envs.values():
        if env.promote_from == PROMOTE_FROM_PREVIEW and PROMOTE_FROM_PREVIEW in envs:
            raise ConfigError(
                f"{table.source}: environments.{env.name}.promote_from = "
                f"{PROMOTE_FROM_PREVIEW!r} is ambiguous: an environment has that name",
                hint=f"rename the environment {PROMOTE_FROM_PREVIEW!r}; promote_from = "
                f"{PROMOTE_FROM_PREVIEW!r} means a preview in the same environment",
            )
        if env.promote_from == PROMOTE_FROM_PREVIEW:
            continue
        if env.promote_from is not None and env.promote_from not in envs:
            raise ConfigError(
                f"{table.source}: environments.{env.name}.promote_from names unknown "
                f"environment {env.promote_from!r}"
            )
    return envs


def _repo_path(path: str | None, where: str) -> str | None:
    if path is not None and (not path or path.startswith(("/", "-")) or ".." in path.split("/")):
        raise ConfigError(f"{where}: {path!r} must be a path inside the repository")
    return path


def _argv(argv: tuple[str, ...] | None, where: str) -> tuple[str, ...] | None:
    if argv is not None and not argv:
        raise ConfigError(f"{where} is an empty argv", hint="list the program first")
    return argv
