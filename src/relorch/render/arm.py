"""`render arm`: an ARM deployment template of API Management version sets, revisions, releases."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from relorch.config import ApiConfig, ApimConfig
from relorch.errors import ConfigError
from relorch.model.history import RevisionInfo
from relorch.policy.support import CURRENT
from relorch.render.context import (
    ApiModel,
    MajorModel,
    RenderModel,
    SpecSource,
    api_path,
    kept_revisions,
    service_url,
)
from relorch.render.headers import deprecation_headers, policy_xml

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
API_VERSION = "2024-05-01"
VERSION_SET = "Microsoft.ApiManagement/service/apiVersionSets"
API = "Microsoft.ApiManagement/service/apis"
RELEASE = "Microsoft.ApiManagement/service/apis/releases"
POLICY = "Microsoft.ApiManagement/service/apis/policies"
# Azure's rule for API Management service names (1-50 characters, letter first).
_SERVICE_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?")


@dataclass(frozen=True)
class ArmTemplate:
    """The rendered template and what was left out of it, and why."""

    text: str
    notes: tuple[str, ...]


def render_arm(
    model: RenderModel, env: str, spec_source: SpecSource, *, service: str | None = None
) -> ArmTemplate:
    """The ARM template that makes `env`'s current revisions current in API Management.

    `service` overrides every API's apim.service. Resource names are literal strings
    (`service/api-v2;rev=3`), never ARM expressions: see docs/rendering.md.
    """
    model.config.environment(env)
    job = _Job(model, env, spec_source, service, [])
    resources: list[dict[str, Any]] = []
    for api in model.apis:
        resources += _api_resources(job, api)
    document = {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "relorch", "environment": env},
        "resources": resources,
    }
    return ArmTemplate(json.dumps(document, indent=2, sort_keys=True) + "\n", tuple(job.notes))


@dataclass(frozen=True)
class _Job:
    """One rendering: its inputs and the notes it collects."""

    model: RenderModel
    env: str
    spec_source: SpecSource
    service: str | None
    notes: list[str]


def _api_resources(job: _Job, api: ApiModel) -> list[dict[str, Any]]:
    model, env, notes = job.model, job.env, job.notes
    apim = model.apim(api.config, env)
    live: list[tuple[MajorModel, int]] = []
    for major in api.majors:
        current = model.current_revision(api.name, env, major.major)
        if not major.support.supported:
            notes.append(f"{api.name} v{major.major} is retired ({major.support.reason}): left out")
        elif current is None:
            notes.append(f"{api.name} v{major.major} was never deployed to {env}: left out")
        else:
            live.append((major, current))
    if not live:
        return []
    svc = _service(api.config, apim, env, job.service)
    version_set = _resource(VERSION_SET, [svc, api.name], _version_set_properties(api.config, apim))
    out = [version_set]
    for major, current in live:
        out += _major_resources(job, api, major, current=current, svc=svc)
    return out


def _service(api: ApiConfig, apim: ApimConfig, env: str, override: str | None) -> str:
    name = override or apim.service
    if name is None:
        raise ConfigError(
            f"no API Management service for {api.name} in {env}",
            hint=(
                f"set service in [apis.{api.name}.apim] or [environments.{env}.apim], "
                "or pass --service NAME"
            ),
        )
    if not _SERVICE_NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is not an API Management service name",
            hint="1-50 letters, digits and hyphens, starting with a letter",
        )
    return name


def _version_set_properties(api: ApiConfig, apim: ApimConfig) -> dict[str, Any]:
    props: dict[str, Any] = {
        "displayName": literal(apim.display_name or api.name),
        "versioningScheme": apim.versioning_scheme,
    }
    if apim.description:
        props["description"] = literal(apim.description)
    if apim.versioning_scheme == "Header":
        props["versionHeaderName"] = apim.version_header
    elif apim.versioning_scheme == "Query":
        props["versionQueryName"] = apim.version_query
    return props


def _major_resources(
    job: _Job, api: ApiModel, major: MajorModel, *, current: int, svc: str
) -> list[dict[str, Any]]:
    apim = job.model.apim(api.config, job.env)
    api_id = f"{api.name}-v{major.major}"
    version_set_id = resource_id(VERSION_SET, svc, api.name)
    locked = _locked_properties(api.config, apim, major, version_set_id)
    kept = kept_revisions(major.info, current, apim.keep_revisions)
    head = kept[-1]  # the current revision: the API itself, not a ;rev= copy
    root_id = resource_id(API, svc, api_id)
    resources = [
        _resource(
            API,
            [svc, api_id],
            {**locked, **_revision_properties(job, api.config, head)},
            [version_set_id],
        )
    ]
    chain = [root_id]
    previews = job.model.previews_of(api.name, job.env, major)
    # Oldest first, one after the other (each depends on the previous); then every preview:
    # a non-current revision that only `;rev=N` reaches, and no release makes current.
    others = [(rev, False) for rev in kept[:-1]] + [(p.info, True) for p in previews]
    for rev, preview in others:
        name = f"{api_id};rev={rev.revision}"
        props = {
            **locked,
            **_revision_properties(job, api.config, rev, preview=preview),
            "sourceApiId": root_id,
        }
        resources.append(_resource(API, [svc, name], props, [chain[-1]]))
        chain.append(resource_id(API, svc, name))
    release = f"{api_id}-rev{current}"
    resources.append(
        _resource(
            RELEASE,
            [svc, api_id, release],
            {
                "apiId": resource_id(API, svc, f"{api_id};rev={current}"),
                "notes": literal(f"{head.tag} is current in {job.env}"),
            },
            chain,
        )
    )
    headers = deprecation_headers(major.support, job.model.config.support.migration_guide)
    if major.support.state != CURRENT and headers:
        resources.append(
            _resource(
                POLICY,
                [svc, api_id, "policy"],
                {"format": "rawxml", "value": literal(policy_xml(headers))},
                [resource_id(RELEASE, svc, api_id, release)],
            )
        )
    return resources


def _locked_properties(
    api: ApiConfig, apim: ApimConfig, major: MajorModel, version_set_id: str
) -> dict[str, Any]:
    """What APIM locks on non-current revisions: the same for every revision of a major."""
    props: dict[str, Any] = {
        "apiVersion": f"v{major.major}",
        "apiVersionDescription": literal(version_description(major)),
        "apiVersionSetId": version_set_id,
        "displayName": literal(apim.display_name or api.name),
        "path": literal(api_path(api, apim)),
        "protocols": list(apim.protocols),
        "subscriptionRequired": apim.subscription_required,
    }
    if apim.description:
        props["description"] = literal(apim.description)
    backend = service_url(apim, major.major)
    if backend:
        props["serviceUrl"] = literal(backend)
    return props


def version_description(major: MajorModel) -> str:
    """One line for the developer portal: supported, or deprecated with its sunset date."""
    state = major.support
    if state.state == CURRENT:
        return f"v{major.major}: current major version"
    sunset = state.effective_sunset
    when = f"; sunset {sunset.date().isoformat()}" if sunset else ""
    return f"v{major.major}: deprecated, use v{state.successor}{when}"


def _revision_properties(
    job: _Job, api: ApiConfig, rev: RevisionInfo, *, preview: bool = False
) -> dict[str, Any]:
    role = f", in preview in {job.env}" if preview else ""
    props: dict[str, Any] = {
        "apiRevision": str(rev.revision),
        "apiRevisionDescription": literal(f"{rev.tag} ({rev.sha[:12]}){role}"),
    }
    if api.spec:
        text = job.spec_source(rev.sha, api.spec)
        if text is None:
            job.notes.append(f"{rev.tag} has no {api.spec}: that revision is not imported")
        else:
            props["format"] = spec_format(api.spec, text)
            props["value"] = literal(text)
    return props


def spec_format(path: str, text: str) -> str:
    """APIM's import format: "openapi+json" for a JSON document, "openapi" for YAML."""
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        return "openapi+json"
    return "openapi"


def _resource(
    kind: str, name: list[str], properties: dict[str, Any], depends: list[str] | None = None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "name": "/".join(name),
        "properties": properties,
        "type": kind,
    }
    if depends:
        resource["dependsOn"] = depends
    return resource


def resource_id(kind: str, *segments: str) -> str:
    """An ARM resourceId() expression over literal segments."""
    return "[resourceId(" + ", ".join(_arm_string(s) for s in (kind, *segments)) + ")]"


def _arm_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def literal(text: str) -> str:
    """`text` as an ARM string literal: "[...]" would be read as an expression, "[[...]" is not."""
    return "[" + text if text.startswith("[") and text.endswith("]") else text
