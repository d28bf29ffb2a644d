"""The JSON Schema of relorch.toml, generated from what the loader reads (never written by hand).

`generate()` runs the loader (`load.parse_config`) on a probe config that reaches every table,
with a `Recorder` noting each typed read (key, type, default, choices) and each table of names
(`[apis.<name>]`); the schema is built from those notes, so a key added to the loader is in the
schema once the committed file is regenerated:

    python -m relorch.config.schema > src/relorch/schemas/relorch.toml.schema.json

tests/config/test_config_schema.py fails, printing that command, while the two differ.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from relorch.config.load import parse_config
from relorch.config.model import ApimConfig
from relorch.config.table import Recorder, TablePath
from relorch.durations import duration_pattern

SCHEMA_FILE = "relorch.toml.schema.json"

# What editors show when hovering a key. A key without an entry is still in the schema.
DESCRIPTIONS: dict[str, str] = {
    "main_branch": "Branch of the newest major (default: the remote's HEAD branch, else main).",
    "remote": "The remote holding tags and the ledger; no such remote = local-only mode.",
    "ledger_ref": "The ref of the deploy ledger, below refs/ (outside heads and tags).",
    "apis": "The APIs of the repository, by name (lowercase letters, digits, - and _).",
    "apis.*.tag_format": 'Revision tag template with {major} and {revision}; "semver" = '
    '"v{major}.{revision}.0". "{api}/" is prefixed when there are several APIs.',
    "apis.*.legacy_tags": "Tags from before relorch that count as revisions of their major: "
    'templates with {major} and optional {minor}, {patch}, {api}; "semver" = v1.2.3, 1.2.3, v1.2.',
    "apis.*.branch_format": "Release branch template with {major} (and {api} with several APIs).",
    "apis.*.paths": "What belongs to this API: commits touching these paths are its changes.",
    "apis.*.spec": "Path of the OpenAPI document: breaking-change gate and APIM import.",
    "apis.*.checks": "Gates run before tagging: argv lists, never a shell string.",
    "apis.*.apim": "How the API appears in Azure API Management (render arm).",
    "apis.*.aws": "The API in AWS API Gateway (render cloudformation); see docs/gateways.md.",
    "apis.*.aws.rest_api_name": "RestApi name prefix ({name}-v{N}); relorch defines the API "
    "from the spec. Not with rest_api_id.",
    "apis.*.aws.rest_api_id": "An API defined elsewhere (Serverless, CDK); {major} filled in.",
    "apis.*.aws.domain_name": "Custom domain: a base path mapping per major.",
    "apis.*.aws.domain_arn": "Custom domain given by ARN: BasePathMappingV2.",
    "apis.*.aws.certificate_arn": "Set: the template creates the domain, with routing rules on.",
    "apis.*.aws.canary_percent": "Above 0: the newest preview is the stage's canary.",
    "apis.*.kubernetes": "The API behind a Kubernetes Gateway (render httproute).",
    "apis.*.kubernetes.gateway": "The parent Gateway of the HTTPRoutes.",
    "apis.*.kubernetes.backend": "The Service of a revision, with {major} and {revision}.",
    "apis.*.kubernetes.port": "The Services' port.",
    "apis.*.flags": "The API's feature flag file (default flags/<api>.yaml, or .json for a "
    "plain flagd file).",
    "apis.*.flag_owners": "When set, the only owners a flag may name (relorch flags check).",
    "gate": "The breaking-change gate (docs/breaking-changes.md).",
    "gate.fail_on": "The level from which a change stops a revision release.",
    "gate.ignore_file": "Reviewed exceptions ([[ignore]] rule, location, reason, expires), "
    "read from git at HEAD.",
    "gate.rules": "A rule's level in this repository: rule id = breaking, "
    "potentially-breaking or compatible.",
    "support": "The support policy: how many past majors are kept and for how long.",
    "support.previous_majors": "How many majors before the newest stay supported.",
    "support.deprecation_period": "From a major's deprecation (its successor's release) "
    "to its sunset.",
    "support.reminder_before": "When the reminder notice goes out, before the sunset.",
    "support.migration_guide": 'URL sent as Link: <url>; rel="deprecation" and in notices.',
    "support.live_env": "The environment whose first deploy of a major releases it to "
    "consumers and starts its predecessor's deprecation (default production).",
    "channels": "Where announcements go, by name.",
    "channels.*.kind": "slack, teams, webhook, console (stderr) or file (JSON lines).",
    "channels.*.url_env": "Name of the environment variable holding the webhook URL (a secret).",
    "channels.*.secret_env": "webhook kind: variable holding the HMAC-SHA256 signing secret.",
    "channels.*.path": "file kind: the JSON-lines file.",
    "channels.*.template": "A Jinja template overriding the shipped message.",
    "environments": "Deploy targets, by name (letters, digits, ., - and _).",
    "environments.*.deploy": "The deploy step's argv; placeholders {api} {major} {revision} {tag}"
    " {sha} {env} {workdir} {rendered}. Absent: record-only deploys.",
    "environments.*.promote_from": "Only revisions that succeeded there may deploy here; "
    '"preview": only revisions previewed here first.',
    "environments.*.announce_previews": "false: previews (deploy --preview) and their "
    "withdrawals are not announced.",
    "environments.*.announce": "Channels announcing deploys before they start "
    '("console" always exists).',
    "environments.*.notice": "The notice window after the announcement, for objections (holds).",
    "environments.*.announce_failure": "block: a channel that cannot be reached stops the deploy.",
    "environments.*.lock_timeout": "Age after which --break-lock may break a deploy lock.",
    "environments.*.timeout": "The deploy step is killed after this long.",
    "environments.*.checkout": "Paths the deploy step needs (sparse worktree); empty = everything.",
    "environments.*.apim": "Per-environment overrides of [apis.*.apim].",
    "environments.*.aws": "Per-environment overrides of [apis.*.aws].",
    "environments.*.kubernetes": "Per-environment overrides of [apis.*.kubernetes].",
    "environments.*.flags": "The argv of `relorch flags publish`; placeholders {api} {env} {sha}"
    " {digest} {workdir} {rendered} ({rendered}/flags.json is the file).",
}


# Every key of the gateway tables with a valid value (an environment's reads only keys present).
AWS_PROBE: dict[str, Any] = {
    "rest_api_name": "x",
    "rest_api_id": "x",
    "domain_name": "x",
    "domain_arn": "arn:x",
    "certificate_arn": "arn:x",
    "endpoint_type": "REGIONAL",
    "base_path": "v{major}",
    "stage": "v{major}",
    "preview_stage": "v{major}-rev{revision}",
    "preview_header": "Api-Revision",
    "canary_percent": 0,
    "routing_priority": 1,
    "keep_revisions": 2,
}
KUBE_PROBE: dict[str, Any] = {
    "gateway": "x",
    "port": 80,
    "gateway_namespace": "x",
    "section_name": "x",
    "namespace": "x",
    "hostnames": ["x"],
    "backend": "x{major}-{revision}",
    "name": "x{major}",
    "path": "/v{major}",
    "revision_header": "Api-Revision",
    "canary_percent": 0,
}


def _probe() -> dict[str, Any]:
    """A valid config reaching every table (an environment's apim reads only keys present)."""
    apim: dict[str, Any] = {}
    for field in fields(ApimConfig):
        value = getattr(ApimConfig(), field.name)
        apim[field.name] = (
            "x" if value is None else list(value) if isinstance(value, tuple) else value
        )
    return {
        # A full [aws] / [kubernetes] table reads every key once it is there at all.
        "apis": {"probe": {"aws": {"domain_name": "x"}, "kubernetes": KUBE_PROBE}},
        "support": {},
        "channels": {"probe": {"kind": "console"}},
        "environments": {"probe": {"apim": apim, "aws": AWS_PROBE, "kubernetes": KUBE_PROBE}},
    }


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of relorch.toml."""
    recorder = Recorder()
    parse_config(_probe(), root=Path("."), recorder=recorder)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "relorch.toml",
        "description": "relorch's configuration (also [tool.relorch] in pyproject.toml). "
        "Unknown keys are errors.",
        **_table(recorder, ()),
        "$defs": {
            "duration": {
                "type": "string",
                "pattern": duration_pattern(),
                "description": 'A duration: "90s", "15m", "2h", "1h 30m", "4 weeks", "6 months".',
            }
        },
    }
    return schema


def _table(recorder: Recorder, path: TablePath) -> dict[str, Any]:
    node = recorder.tables[path]
    if node.get("values"):  # free names, each with a value of one kind ([gate.rules])
        return {"type": "object", "additionalProperties": node["values"]}
    names = node["names"]
    if names is not None:
        out: dict[str, Any] = {
            "type": "object",
            "additionalProperties": _table(recorder, (*path, "*")),
        }
        if names["pattern"]:
            out["propertyNames"] = {"pattern": f"^(?:{names['pattern']})$"}
        if names["required"]:
            out["minProperties"] = 1
        return out
    properties, required = {}, []
    for key, fragment in sorted(node["keys"].items()):
        sub_path = fragment.get("table")
        value = dict(_table(recorder, sub_path)) if sub_path else dict(fragment)
        description = DESCRIPTIONS.get(".".join((*path, key)))
        if description:
            value = {"description": description, **value}
        properties[key] = value
        if sub_path and (recorder.tables[sub_path]["names"] or {}).get("required"):
            required.append(key)
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def render() -> str:
    """The committed file's text."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
