"""`render cloudformation`: AWS API Gateway REST APIs, deployments, stages, domains, previews."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from relorch.config import ApiConfig, AwsConfig
from relorch.config.gateways import fill
from relorch.errors import ConfigError
from relorch.model.history import RevisionInfo
from relorch.render.arm import version_description
from relorch.render.cfndomain import Job, custom_domain, logical_name, mapping, routing_rule
from relorch.render.context import ApiModel, RenderModel, SpecSource
from relorch.render.live import LiveMajor, deprecation_variables, live_majors
from relorch.render.specs import parse_spec

FORMAT_VERSION = "2010-09-09"
# API Gateway's rule for stage variable values: a Link outside it cannot be passed on.
_STAGE_VALUE = re.compile(r"[A-Za-z0-9\-._~:/?#&=,]+")


@dataclass(frozen=True)
class CloudFormationTemplate:
    """The rendered template and what was left out of it, and why."""

    text: str
    notes: tuple[str, ...]


def render_cloudformation(
    model: RenderModel, env: str, spec_source: SpecSource
) -> CloudFormationTemplate:
    """The CloudFormation template of `env`: what the ledger says is current, and previews."""
    model.config.environment(env)
    job = Job(model, env, spec_source)
    configured = 0
    for api in model.apis:
        aws = model.config.aws_for(api.config, env)
        if aws is None:
            job.notes.append(f"{api.name} has no [apis.{api.name}.aws]: left out")
            continue
        configured += 1
        _api(job, api, aws)
    if not configured:
        raise ConfigError(
            "no API is configured for AWS API Gateway",
            hint='add [apis.NAME.aws] with rest_api_name = "..." (see docs/gateways.md)',
        )
    document: dict[str, Any] = {
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": f"relorch: API Gateway REST APIs of {env}",
        "Metadata": {"relorch": {"environment": env, "generator": "relorch"}},
        # A template needs a resource: an environment with nothing deployed gets a no-op one.
        "Resources": job.resources
        or {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
    }
    if job.outputs:
        document["Outputs"] = job.outputs
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return CloudFormationTemplate(text, tuple(job.notes))


def _api(job: Job, api: ApiModel, aws: AwsConfig) -> None:
    keep = aws.keep_revisions or job.model.apim(api.config, job.env).keep_revisions
    majors = live_majors(job.model, api, job.env, keep, job.notes)
    domain = custom_domain(job, aws, api.name) if majors else None
    for live in majors:
        _major(job, api, aws, live, domain)


def _major(
    job: Job, api: ApiModel, aws: AwsConfig, live: LiveMajor, domain: dict[str, Any] | None
) -> None:
    n = live.major
    prefix = f"{logical_name(api.name)}V{n}"
    canary = aws.canary_percent > 0 and bool(live.previews)
    # Body mode: the API's definition is the current revision's spec (the newest preview's
    # under a canary: the canary deployment must capture it, the stage keeps the current one).
    body_rev = live.previews[-1] if canary else live.current
    if aws.rest_api_id:
        api_id: Any = fill(aws.rest_api_id, api=api.name, major=n)
    else:
        name = f"{aws.rest_api_name or api.name}-v{n}"
        _rest_api(job, api=api.config, aws=aws, logical=f"{prefix}RestApi", name=name, rev=body_rev)
        api_id = {"Ref": f"{prefix}RestApi"}
    for rev in live.kept + (live.previews[-1:] if canary else ()):
        _deployment(job, api.name, f"{prefix}Rev{rev.revision}Deployment", api_id, rev)
    variables = _variables(job, live)
    stage: dict[str, Any] = {
        "Description": version_description(live.model),
        "DeploymentId": {"Ref": f"{prefix}Rev{live.current.revision}Deployment"},
        "RestApiId": api_id,
        "StageName": fill(aws.stage, api=api.name, major=n),
    }
    if variables:
        stage["Variables"] = variables
    if canary:
        newest = live.previews[-1]
        stage["CanarySetting"] = {
            "DeploymentId": {"Ref": f"{prefix}Rev{newest.revision}Deployment"},
            "PercentTraffic": aws.canary_percent,
        }
        for rev in live.previews[:-1]:
            job.notes.append(
                f"{api.name} v{n}: canary traffic goes to the newest preview only; "
                f"rev{rev.revision} is left out"
            )
    job.add(f"{prefix}Stage", "AWS::ApiGateway::Stage", stage, api.name)
    if not aws.rest_api_id:
        job.output(f"{prefix}Url", f"{prefix}RestApi", stage["StageName"], f"{api.name} v{n}")
    base_path = fill(aws.base_path, api=api.name, major=n)
    if domain is not None:
        mapping(
            job,
            owner=api.name,
            logical=f"{prefix}BasePathMapping",
            domain=domain,
            base_path=base_path,
            api_id=api_id,
            stage=f"{prefix}Stage",
        )
    if not canary:
        for rev in live.previews:
            _preview(
                job,
                api=api,
                aws=aws,
                live=live,
                rev=rev,
                domain=domain,
                base_path=base_path,
                variables=variables,
            )


def _rest_api(
    job: Job,
    *,
    api: ApiConfig,
    aws: AwsConfig,
    logical: str,
    name: str,
    rev: RevisionInfo,
) -> None:
    props: dict[str, Any] = {
        "Description": f"{rev.tag} ({rev.sha[:12]})",
        "EndpointConfiguration": {"Types": [aws.endpoint_type]},
        "Name": name,
    }
    if api.spec is None:
        job.notes.append(f"{api.name} has no spec: {name} is created without a definition")
    else:
        text = job.spec_source(rev.sha, api.spec)
        if text is None:
            job.notes.append(f"{rev.tag} has no {api.spec}: {name} has no definition")
        else:
            props["Body"] = parse_spec(text, f"{api.spec} at {rev.tag}")
    job.add(logical, "AWS::ApiGateway::RestApi", props, api.name)


def _deployment(job: Job, owner: str, logical: str, api_id: Any, rev: RevisionInfo) -> None:
    # The description never changes for a revision, so CloudFormation keeps the deployment
    # (the snapshot taken when it was created) for as long as the revision is kept.
    props = {"Description": f"{rev.tag} ({rev.sha[:12]})", "RestApiId": api_id}
    job.add(logical, "AWS::ApiGateway::Deployment", props, owner)


def _variables(job: Job, live: LiveMajor) -> dict[str, str]:
    link = job.model.config.support.migration_guide
    values = deprecation_variables(live, link)
    if "link" in values and not _STAGE_VALUE.fullmatch(values["link"]):
        raise ConfigError(
            f"[support] migration_guide {link!r} cannot be an API Gateway stage variable",
            hint="stage variable values may only hold letters, digits and -._~:/?#&=,",
        )
    return values


def _preview(
    job: Job,
    *,
    api: ApiModel,
    aws: AwsConfig,
    live: LiveMajor,
    rev: RevisionInfo,
    domain: dict[str, Any] | None,
    base_path: str,
    variables: dict[str, str],
) -> None:
    n, r = live.major, rev.revision
    prefix = f"{logical_name(api.name)}V{n}Rev{r}"
    if aws.rest_api_id:
        # The API is defined elsewhere: its preview deployment is taken of that definition.
        api_id: Any = fill(aws.rest_api_id, api=api.name, major=n)
    else:
        # A preview gets an API of its own, so its deployment captures its definition while
        # the major's API keeps the current one.
        name = f"{aws.rest_api_name or api.name}-v{n}-rev{r}"
        _rest_api(job, api=api.config, aws=aws, logical=f"{prefix}RestApi", name=name, rev=rev)
        api_id = {"Ref": f"{prefix}RestApi"}
    _deployment(job, api.name, f"{prefix}Deployment", api_id, rev)
    stage: dict[str, Any] = {
        "Description": f"preview of {rev.tag}",
        "DeploymentId": {"Ref": f"{prefix}Deployment"},
        "RestApiId": api_id,
        "StageName": fill(aws.preview_stage, api=api.name, major=n, revision=r),
    }
    if variables:
        stage["Variables"] = variables
    job.add(f"{prefix}Stage", "AWS::ApiGateway::Stage", stage, api.name)
    if not aws.rest_api_id:
        job.output(f"{prefix}Url", f"{prefix}RestApi", stage["StageName"], f"preview {rev.tag}")
    if domain is None:
        return
    routing_rule(
        job,
        owner=api.name,
        aws=aws,
        logical=f"{prefix}RoutingRule",
        domain=domain,
        priority=aws.routing_priority + n * 10_000 + r,
        conditions=(base_path, str(r)),
        target=(api_id, f"{prefix}Stage"),
    )
