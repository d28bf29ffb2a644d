"""CloudFormation parts on the custom domain: the domain, base path mappings, routing rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from relorch.config import AwsConfig
from relorch.errors import ConfigError
from relorch.render.context import RenderModel, SpecSource

ROUTING_MODE = "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
MAX_PRIORITY = 1_000_000
DOMAIN_ARN = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/domainnames/"


@dataclass
class Job:
    """One rendering: its inputs, the resources and outputs so far, and the notes."""

    model: RenderModel
    env: str
    spec_source: SpecSource
    notes: list[str] = field(default_factory=list)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    priorities: dict[tuple[str, int], str] = field(default_factory=dict)
    mappings: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, logical: str, kind: str, properties: dict[str, Any], owner: str) -> None:
        """Add a resource; two under one logical id is a config error, never an overwrite."""
        if logical in self.resources:
            raise ConfigError(
                f"two resources would be named {logical} (API names differing only in - or _?)",
                hint=f"rename one API, or render them separately ({owner})",
            )
        self.resources[logical] = {"Type": kind, "Properties": properties}

    def output(self, logical: str, rest_api: str, stage: str, what: str) -> None:
        """An output with the invoke URL of a stage of a RestApi defined in the template."""
        url = f"https://${{{rest_api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}"
        self.outputs[logical] = {"Description": f"invoke URL of {what}", "Value": {"Fn::Sub": url}}


def custom_domain(job: Job, aws: AwsConfig, owner: str) -> dict[str, Any] | None:
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


def mapping(
    job: Job,
    *,
    owner: str,
    logical: str,
    domain: dict[str, Any],
    base_path: str,
    api_id: Any,
    stage: str,
) -> None:
    """The base path mapping of a major's stage (V2 on a domain given by ARN)."""
    key = (json.dumps(domain["arn"], sort_keys=True), base_path)
    if key in job.mappings:
        raise ConfigError(
            f"{owner} and {job.mappings[key]} both map base path {base_path!r} on one domain",
            hint='give one of them another base_path, e.g. "orders/v{major}"',
        )
    job.mappings[key] = owner
    props: dict[str, Any] = {"BasePath": base_path, "RestApiId": api_id, "Stage": {"Ref": stage}}
    if "DomainNameArn" in domain:
        props["DomainNameArn"] = domain["DomainNameArn"]
        job.add(logical, "AWS::ApiGateway::BasePathMappingV2", props, owner)
    else:
        props["DomainName"] = domain["DomainName"]
        job.add(logical, "AWS::ApiGateway::BasePathMapping", props, owner)


def routing_rule(
    job: Job,
    *,
    owner: str,
    aws: AwsConfig,
    logical: str,
    domain: dict[str, Any],
    priority: int,
    conditions: tuple[str, str],
    target: tuple[Any, str],
) -> None:
    """A rule sending `base path` + `preview_header: revision` to a preview's API and stage."""
    if priority > MAX_PRIORITY:
        raise ConfigError(
            f"{owner}: routing rule priority {priority} is above {MAX_PRIORITY}",
            hint="lower [apis.NAME.aws] routing_priority",
        )
    arn_key = json.dumps(domain["arn"], sort_keys=True)
    if (arn_key, priority) in job.priorities:
        raise ConfigError(
            f"{owner} and {job.priorities[(arn_key, priority)]} would both use routing "
            f"priority {priority} on one domain",
            hint="give one API another routing_priority (e.g. 5000)",
        )
    job.priorities[(arn_key, priority)] = owner
    if not domain["managed"]:
        job.notes.append(
            f"{logical}: the preview's routing rule needs routing mode {ROUTING_MODE} "
            f"on {aws.domain_arn or aws.domain_name} (set certificate_arn to manage the domain)"
        )
    base_path, revision = conditions
    api_id, stage = target
    rule = {
        "Actions": [
            {"InvokeApi": {"ApiId": api_id, "Stage": {"Ref": stage}, "StripBasePath": True}}
        ],
        "Conditions": [
            {"MatchBasePaths": {"AnyOf": [base_path]}},
            {"MatchHeaders": {"AnyOf": [{"Header": aws.preview_header, "ValueGlob": revision}]}},
        ],
        "DomainNameArn": domain["arn"],
        "Priority": priority,
    }
    job.add(logical, "AWS::ApiGatewayV2::RoutingRule", rule, owner)


def logical_name(text: str) -> str:
    """`order-api` -> `OrderApi`: CloudFormation logical ids are letters and digits."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts)
    return name if name[:1].isalpha() else "Api" + name
