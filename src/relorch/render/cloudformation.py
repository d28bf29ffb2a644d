"""`render cloudformation`: AWS API Gateway REST APIs, deployments, stages, domains, previews."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from relorch.config import ApiConfig, AwsConfig
from relorch.config.gateways import fill
from relorch.errors import ConfigError
from relorch.model.history import RevisionInfo
from relorch.render.arm import version_description
from relorch.render.context import ApiModel, RenderModel, SpecSource
from relorch.render.live import LiveMajor, deprecation_variables, live_majors
from relorch.render.specs import parse_spec

FORMAT_VERSION = "2010-09-09"
ROUTING_MODE = "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
# API Gateway's rule for stage variable values: a Link outside it cannot be passed on.
_STAGE_VALUE = re.compile(r"[A-Za-z0-9\-._~:/?#&=,]+")
MAX_PRIORITY = 1_000_000
DOMAIN_ARN = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/domainnames/"


@dataclass(frozen=True)
class CloudFormationTemplate:
    """The rendered template and what was left out of it, and why."""

    text: str
    notes: tuple[str, ...]


@dataclass
class _Job:
    model: RenderModel
    env: str
    spec_source: SpecSource
    notes: list[str] = field(default_factory=list)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    priorities: dict[tuple[str, int], str] = field(default_factory=dict)
    mappings: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, logical: str, kind: str, properties: dict[str, Any], owner: str) -> None:
        if logical in self.resources:
            raise ConfigError(
                f"two resources would be named {logical} (API names differing only in - or _?)",
                hint=f"rename one API, or render them separately ({owner})",
            )
        self.resources[logical] = {"Type": kind, "Properties": properties}


def render_cloudformation(
    model: RenderModel, env: str, spec_source: SpecSource
) -> CloudFormationTemplate:
    """The CloudFormation template of `env`: what the ledger says is current, and previews."""
    model.config.environment(env)
    job = _Job(model, env, spec_source)
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


def _api(job: _Job, api: ApiModel, aws: AwsConfig) -> None:
    keep = aws.keep_revisions or job.model.apim(api.config, job.env).keep_revisions
    majors = live_majors(job.model, api, job.env, keep, job.notes)
    domain = _domain(job, aws, api.name) if majors else None
    for live in majors:
        _major(job, api, aws, live, domain)


def _domain(job: _Job, aws: AwsConfig, owner: str) -> dict[str, Any] | None:
    """How mappings and rules name the domain; the domain resource when the template owns it."""
    if aws.domain_arn:
        return {"DomainNameArn": aws.domain_arn, "arn": aws.domain_arn, "managed": False}
    if not aws.domain_name:
        return None
    if not aws.certificate_arn:
        # Public custom domains have no ARN attribute to read: it is built from the name.
        arn = {"Fn::Sub": DOMAIN_ARN + aws.domain_name}
        return {"DomainName": aws.domain_name, "arn": arn, "managed": False}
    logical = "Domain" + logical_name(aws.domain_name)
    props = {
        "DomainName": aws.domain_name,
        "EndpointConfiguration": {"Types": [aws.endpoint_type]},
        "RegionalCertificateArn": aws.certificate_arn,
        "RoutingMode": ROUTING_MODE,
        "SecurityPolicy": "TLS_1_2",
    }
    if aws.endpoint_type == "EDGE":
        props["CertificateArn"] = props.pop("RegionalCertificateArn")
    existing = job.resources.get(logical)
    if existing is None:
        job.add(logical, "AWS::ApiGateway::DomainName", props, owner)
    elif existing["Properties"] != props:
        raise ConfigError(
            f"APIs sharing the domain {aws.domain_name} configure it differently",
            hint="give certificate_arn and endpoint_type the same values in both",
        )
    return {
        "DomainName": {"Ref": logical},
        "arn": {"Fn::GetAtt": [logical, "DomainNameArn"]},
        "managed": True,
    }


def _major(
    job: _Job, api: ApiModel, aws: AwsConfig, live: LiveMajor, domain: dict[str, Any] | None
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
        _output(job, f"{prefix}Url", f"{prefix}RestApi", stage["StageName"], f"{api.name} v{n}")
    base_path = fill(aws.base_path, api=api.name, major=n)
    if domain is not None:
        _mapping(
            job,
            owner=api.name,
            logical=f"{prefix}BasePathMapping",
            domain=domain,
            base_path=base_path,
            api_id=api_id,
            prefix=prefix,
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
    job: _Job,
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


def _deployment(job: _Job, owner: str, logical: str, api_id: Any, rev: RevisionInfo) -> None:
    # The description never changes for a revision, so CloudFormation keeps the deployment
    # (the snapshot taken when it was created) for as long as the revision is kept.
    props = {"Description": f"{rev.tag} ({rev.sha[:12]})", "RestApiId": api_id}
    job.add(logical, "AWS::ApiGateway::Deployment", props, owner)


def _variables(job: _Job, live: LiveMajor) -> dict[str, str]:
    link = job.model.config.support.migration_guide
    values = deprecation_variables(live, link)
    if "link" in values and not _STAGE_VALUE.fullmatch(values["link"]):
        raise ConfigError(
            f"[support] migration_guide {link!r} cannot be an API Gateway stage variable",
            hint="stage variable values may only hold letters, digits and -._~:/?#&=,",
        )
    return values


def _mapping(
    job: _Job,
    *,
    owner: str,
    logical: str,
    domain: dict[str, Any],
    base_path: str,
    api_id: Any,
    prefix: str,
) -> None:
    key = (json.dumps(domain["arn"], sort_keys=True), base_path)
    if key in job.mappings:
        raise ConfigError(
            f"{owner} and {job.mappings[key]} both map base path {base_path!r} on one domain",
            hint='give one of them another base_path, e.g. "orders/v{major}"',
        )
    job.mappings[key] = owner
    props: dict[str, Any] = {"BasePath": base_path, "RestApiId": api_id}
    props["Stage"] = {"Ref": f"{prefix}Stage"}
    if "DomainNameArn" in domain:
        props["DomainNameArn"] = domain["DomainNameArn"]
        job.add(logical, "AWS::ApiGateway::BasePathMappingV2", props, owner)
    else:
        props["DomainName"] = domain["DomainName"]
        job.add(logical, "AWS::ApiGateway::BasePathMapping", props, owner)


def _preview(
    job: _Job,
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
        _output(job, f"{prefix}Url", f"{prefix}RestApi", stage["StageName"], f"preview {rev.tag}")
    if domain is None:
        return
    priority = aws.routing_priority + n * 10_000 + r
    if priority > MAX_PRIORITY:
        raise ConfigError(
            f"{api.name}: routing rule priority {priority} is above {MAX_PRIORITY}",
            hint="lower [apis.NAME.aws] routing_priority",
        )
    arn_key = json.dumps(domain["arn"], sort_keys=True)
    if (arn_key, priority) in job.priorities:
        raise ConfigError(
            f"{api.name} and {job.priorities[(arn_key, priority)]} would both use routing "
            f"priority {priority} on one domain",
            hint="give one API another routing_priority (e.g. 5000)",
        )
    job.priorities[(arn_key, priority)] = api.name
    if not domain["managed"]:
        job.notes.append(
            f"{rev.tag}: the preview's routing rule needs routing mode {ROUTING_MODE} "
            f"on {aws.domain_arn or aws.domain_name} (set certificate_arn to manage the domain)"
        )
    rule = {
        "Actions": [
            {
                "InvokeApi": {
                    "ApiId": api_id,
                    "Stage": {"Ref": f"{prefix}Stage"},
                    "StripBasePath": True,
                }
            }
        ],
        "Conditions": [
            {"MatchBasePaths": {"AnyOf": [base_path]}},
            {"MatchHeaders": {"AnyOf": [{"Header": aws.preview_header, "ValueGlob": str(r)}]}},
        ],
        "DomainNameArn": domain["arn"],
        "Priority": priority,
    }
    job.add(f"{prefix}RoutingRule", "AWS::ApiGatewayV2::RoutingRule", rule, api.name)


def _output(job: _Job, logical: str, rest_api: str, stage: str, what: str) -> None:
    url = f"https://${{{rest_api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}"
    job.outputs[logical] = {"Description": f"invoke URL of {what}", "Value": {"Fn::Sub": url}}


def logical_name(text: str) -> str:
    """`order-api` -> `OrderApi`: CloudFormation logical ids are letters and digits."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts)
    return name if name[:1].isalpha() else "Api" + name
