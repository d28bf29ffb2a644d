"""Validation of [apis.*.aws] / [apis.*.kubernetes] and their [environments.*] overrides."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from relorch.config.model import AwsConfig, KubernetesConfig
from relorch.config.table import Table
from relorch.errors import ConfigError

AWS_KEYS = frozenset(f.name for f in fields(AwsConfig))
KUBERNETES_KEYS = frozenset(f.name for f in fields(KubernetesConfig))
ENDPOINT_TYPES = ("REGIONAL", "EDGE", "PRIVATE")
# What API Gateway accepts as a stage name, and as a base path (letters, digits, -._~ and /).
_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_BASE_PATH = re.compile(r"[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
# RFC 7230 token (a header name), DNS-1123 subdomain (namespaces, gateways, hostnames).
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_HOSTNAME = re.compile(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill(template: str, **values: object) -> str:
    """`template` with {api}, {major}, {revision} filled in (unlike str.format: {0}, {a.b})."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def parse_aws(table: Table, *, partial: bool) -> AwsConfig | dict[str, Any] | None:
    """[apis.X.aws] (None when absent) or [environments.E.aws] (overrides only).

    A full table reads every key (absent ones at their defaults): the config's JSON Schema is
    recorded from those reads.
    """
    absent = not table.data
    defaults = AwsConfig()
    values: dict[str, Any] = {}
    for key in sorted(set(table.data) & AWS_KEYS if partial else AWS_KEYS):
        default = getattr(defaults, key)
        if key == "canary_percent":
            values[key] = table.number(key, default, 0, 100)
        elif key == "routing_priority":
            values[key] = table.integer(key, default, minimum=1)
        elif key == "keep_revisions":
            kept = table.integer(key, 0, minimum=0)  # 0: [apis.X.apim] keep_revisions
            if kept == 1:
                raise ConfigError(
                    f"{table.source}: {table.where}.keep_revisions must be at least 2 "
                    "(the current revision and one back)"
                )
            values[key] = kept or None
        elif key == "endpoint_type":
            values[key] = table.choice(key, ENDPOINT_TYPES, default)
        else:
            values[key] = table.text(key, default)
            _check_aws(table, key, values[key])
    table.done()
    if partial:
        return values
    if absent:
        return None
    aws = AwsConfig(**values)
    if aws.rest_api_name is not None and aws.rest_api_id is not None:
        raise ConfigError(
            f"{table.source}: {table.where} sets both rest_api_name and rest_api_id",
            hint="rest_api_name: relorch defines the API from the spec; "
            "rest_api_id: the API is defined elsewhere (Serverless, CDK). Keep one.",
        )
    return aws


def _check_aws(table: Table, key: str, value: str | None) -> None:
    if value is None:
        return
    where = f"{table.source}: {table.where}.{key}"
    if key in {"stage", "preview_stage"}:
        sample = fill(value, api="api", major=1, revision=1)
        if not _STAGE.fullmatch(sample):
            raise ConfigError(
                f"{where}: {value!r} does not make a stage name",
                hint="letters, digits, - and _ with {major} (and {revision} for preview_stage)",
            )
        needs = ("{major}", "{revision}") if key == "preview_stage" else ("{major}",)
        _needs(where, value, needs)
    elif key == "base_path":
        if not _BASE_PATH.fullmatch(fill(value, api="api", major=1)):
            raise ConfigError(
                f"{where}: {value!r} is not a base path",
                hint='segments of letters, digits, ".", "_", "~", "-", e.g. "catalog/v{major}"',
            )
        _needs(where, value, ("{major}",))
    elif key == "preview_header" and not _TOKEN.fullmatch(value):
        raise ConfigError(f"{where}: {value!r} is not an HTTP header name (under 40 characters)")
    elif key in {"domain_arn", "certificate_arn"} and not value.startswith("arn:"):
        raise ConfigError(f"{where}: {value!r} is not an ARN", hint="arn:aws:…")
    elif key in {"rest_api_name", "rest_api_id", "domain_name"} and not value.strip():
        raise ConfigError(f"{where} is empty")


def parse_kubernetes(table: Table, *, partial: bool) -> KubernetesConfig | dict[str, Any] | None:
    """[apis.X.kubernetes] (None when absent) or [environments.E.kubernetes] (overrides only).

    A full table reads every key, as parse_aws does; gateway and port are required in it.
    """
    absent = not table.data
    if not partial and not absent:
        for key in ("gateway", "port"):
            if key not in table.data:
                raise ConfigError(
                    f"{table.source}: {table.where} needs {key}",
                    hint='e.g. gateway = "public-gw" and port = 8080',
                )
    defaults = {f.name: f.default for f in fields(KubernetesConfig)}
    values: dict[str, Any] = {}
    for key in sorted(set(table.data) & KUBERNETES_KEYS if partial else KUBERNETES_KEYS):
        default = defaults[key]
        if key == "port":
            values[key] = table.integer(key, 1, minimum=1)
            if values[key] > 65535:
                raise ConfigError(f"{table.source}: {table.where}.port must be at most 65535")
        elif key == "canary_percent":
            values[key] = table.integer(key, 0, minimum=0)
            if values[key] > 100:
                raise ConfigError(f"{table.source}: {table.where}.canary_percent must be 0-100")
        elif key == "hostnames":
            values[key] = table.strings(key, ()) or ()
            for host in values[key]:
                if not _HOSTNAME.fullmatch(host) or len(host) > 253:
                    raise ConfigError(
                        f"{table.source}: {table.where}.hostnames: {host!r} is not a hostname",
                        hint="lowercase DNS name, optionally starting with *.",
                    )
        else:
            values[key] = table.text(key, default if isinstance(default, str) else None)
            _check_kubernetes(table, key, values[key])
    table.done()
    if partial:
        return values
    if absent:
        return None
    return KubernetesConfig(**values)


def _check_kubernetes(table: Table, key: str, value: str | None) -> None:
    if value is None:
        return
    where = f"{table.source}: {table.where}.{key}"
    if key in {"gateway", "gateway_namespace", "namespace", "section_name"}:
        if not _DNS_LABEL.fullmatch(value):
            raise ConfigError(
                f"{where}: {value!r} is not a Kubernetes name",
                hint="lowercase letters, digits and -, at most 63 characters",
            )
    elif key in {"backend", "name"}:
        needs = ("{major}", "{revision}") if key == "backend" else ("{major}",)
        _needs(where, value, needs)
        sample = fill(value, api="api", major=1, revision=1)  # longer numbers: checked later
        if not _DNS_LABEL.fullmatch(sample):
            raise ConfigError(
                f"{where}: {value!r} does not make a Kubernetes name",
                hint="lowercase letters, digits and - with {api}, {major}, {revision}",
            )
    elif key == "path":
        _needs(where, value, ("{major}",))
        sample = fill(value, api="api", major=1)
        if not sample.startswith("/") or "//" in sample or sample.endswith("/"):
            raise ConfigError(
                f"{where}: {value!r} is not an absolute path prefix",
                hint='e.g. "/v{major}" or "/catalog/v{major}" (no trailing /)',
            )
    elif key == "revision_header" and not _TOKEN.fullmatch(value):
        raise ConfigError(f"{where}: {value!r} is not an HTTP header name")


def _needs(where: str, template: str, needs: tuple[str, ...]) -> None:
    unknown = [m for m in _PLACEHOLDER.findall(template) if m not in {"api", "major", "revision"}]
    if unknown:
        raise ConfigError(
            f"{where}: unknown placeholder {{{unknown[0]}}}",
            hint="placeholders: {api}, {major}, {revision}",
        )
    missing = [n for n in needs if n not in template]
    if missing:
        raise ConfigError(f"{where}: {template!r} must contain {' and '.join(missing)}")
