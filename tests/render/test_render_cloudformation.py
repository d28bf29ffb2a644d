"""`render cloudformation`: stages, deployments, mappings, previews and deprecation data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from relorch.errors import ConfigError, ExitCode, PreconditionError
from relorch.render.cloudformation import render_cloudformation
from tests.render import gatewayworld as world
from tests.render import test_render_world as base

DOCS = Path(__file__).parents[2] / "docs" / "gateways.md"


def template(env: str = "production", **kw: Any) -> dict[str, Any]:
    cfg = kw.pop("cfg", None) or world.config()
    rendered = render_cloudformation(world.model(cfg, **kw), env, world.spec_source(cfg))
    document: dict[str, Any] = json.loads(rendered.text)
    return document


def resources(env: str = "production", **kw: Any) -> dict[str, Any]:
    return {
        k: v["Properties"] | {"Type": v["Type"]}
        for k, v in template(env, **kw)["Resources"].items()
    }


def test_one_deployment_per_kept_revision_described_by_its_tag() -> None:
    found = resources()
    deployments = {k: v for k, v in found.items() if v["Type"] == "AWS::ApiGateway::Deployment"}
    assert found["ProductsV1Rev2Deployment"]["Description"].startswith("products/v1-rev2 (")
    assert {k for k in deployments if k.startswith("ProductsV1")} == {
        "ProductsV1Rev2Deployment",
        "ProductsV1Rev3Deployment",
    }
    # orders keeps 3 ([apis.orders.apim] keep_revisions) but was never deployed to production
    assert not any(k.startswith("Orders") for k in found)


def test_stage_per_major_points_at_the_current_revision() -> None:
    found = resources()
    assert found["ProductsV1Stage"]["StageName"] == "v1"
    assert found["ProductsV1Stage"]["DeploymentId"] == {"Ref": "ProductsV1Rev3Deployment"}
    assert found["ProductsV2Stage"]["DeploymentId"] == {"Ref": "ProductsV2Rev2Deployment"}
    assert found["ProductsV2Stage"]["RestApiId"] == {"Ref": "ProductsV2RestApi"}


def test_rest_api_body_is_the_current_revisions_spec_parsed() -> None:
    found = resources()
    body = found["ProductsV2RestApi"]["Body"]
    assert body["info"] == {"title": "Products", "version": "2.2"}
    assert body["paths"]["/items/2"]["get"]["responses"]["200"] == {"description": "ok"}
    assert found["ProductsV2RestApi"]["Name"] == "products-v2"


def test_base_path_mapping_by_domain_name_and_v2_by_domain_arn() -> None:
    found = resources("staging")
    assert found["ProductsV1BasePathMapping"] == {
        "Type": "AWS::ApiGateway::BasePathMapping",
        "BasePath": "v1",
        "DomainName": "staging.example.net",  # [environments.staging.aws] override
        "RestApiId": {"Ref": "ProductsV1RestApi"},
        "Stage": {"Ref": "ProductsV1Stage"},
    }
    assert found["OrdersV1BasePathMapping"]["Type"] == "AWS::ApiGateway::BasePathMappingV2"
    assert found["OrdersV1BasePathMapping"]["DomainNameArn"] == world.DOMAIN_ARN
    assert found["OrdersV1BasePathMapping"]["BasePath"] == "orders/v1"


def test_rest_api_id_mode_defines_no_api_and_deploys_the_given_one() -> None:
    found = resources("staging")
    assert "OrdersV1RestApi" not in found
    assert found["OrdersV1Rev2Deployment"]["RestApiId"] == "a1b2c3d4e5"
    assert found["OrdersV1Stage"]["RestApiId"] == "a1b2c3d4e5"
    assert {k for k in found if k.startswith("OrdersV1Rev")} == {
        "OrdersV1Rev1Deployment",
        "OrdersV1Rev2Deployment",
    }


def test_preview_gets_its_own_api_stage_and_a_header_routing_rule() -> None:
    found = resources("staging")
    assert found["ProductsV2Stage"]["DeploymentId"] == {"Ref": "ProductsV2Rev3Deployment"}
    assert found["ProductsV2Rev4RestApi"]["Body"]["info"]["version"] == "2.4"
    assert found["ProductsV2Rev4Deployment"]["RestApiId"] == {"Ref": "ProductsV2Rev4RestApi"}
    assert found["ProductsV2Rev4Stage"]["StageName"] == "v2-rev4"
    rule = found["ProductsV2Rev4RoutingRule"]
    assert rule["Type"] == "AWS::ApiGatewayV2::RoutingRule"
    assert rule["Conditions"] == [
        {"MatchBasePaths": {"AnyOf": ["v2"]}},
        {"MatchHeaders": {"AnyOf": [{"Header": "Api-Revision", "ValueGlob": "4"}]}},
    ]
    assert rule["Actions"] == [
        {
            "InvokeApi": {
                "ApiId": {"Ref": "ProductsV2Rev4RestApi"},
                "Stage": {"Ref": "ProductsV2Rev4Stage"},
                "StripBasePath": True,
            }
        }
    ]
    arn = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/domainnames/staging.example.net"
    assert rule["DomainNameArn"] == {"Fn::Sub": arn}


def test_unmanaged_domain_notes_the_routing_mode_a_rule_needs() -> None:
    cfg = world.config()
    notes = render_cloudformation(world.model(cfg), "staging", world.spec_source(cfg)).notes
    assert any("ROUTING_RULE_THEN_BASE_PATH_MAPPING on staging.example.net" in n for n in notes)


def test_managed_domain_sets_the_routing_mode_that_enables_rules() -> None:
    cfg = world.config(
        products={"aws": {"certificate_arn": "arn:aws:acm:eu-west-1:1:certificate/x"}}
    )
    found = resources("staging", cfg=cfg)
    domain = found["DomainStagingExampleNet"]
    assert domain["RoutingMode"] == "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
    assert found["ProductsV2BasePathMapping"]["DomainName"] == {"Ref": "DomainStagingExampleNet"}
    assert found["ProductsV2Rev4RoutingRule"]["DomainNameArn"] == {
        "Fn::GetAtt": ["DomainStagingExampleNet", "DomainNameArn"]
    }


def test_canary_percent_sends_traffic_to_the_newest_preview_in_the_same_api() -> None:
    cfg = world.config(products={"aws": {"canary_percent": 10}})
    found = resources("staging", cfg=cfg)
    stage = found["ProductsV2Stage"]
    assert stage["DeploymentId"] == {"Ref": "ProductsV2Rev3Deployment"}
    assert stage["CanarySetting"] == {
        "DeploymentId": {"Ref": "ProductsV2Rev4Deployment"},
        "PercentTraffic": 10.0,
    }
    assert found["ProductsV2Rev4Deployment"]["RestApiId"] == {"Ref": "ProductsV2RestApi"}
    # the API holds the preview's definition, which the canary deployment captures
    assert found["ProductsV2RestApi"]["Body"]["info"]["version"] == "2.4"
    assert "ProductsV2Rev4RoutingRule" not in found and "ProductsV2Rev4RestApi" not in found


def test_deprecated_major_carries_deprecation_stage_variables() -> None:
    found = resources()
    assert found["ProductsV1Stage"]["Variables"] == {
        "deprecation": "1764322200",
        "link": "https://developer.example.net/migrate?from=v1&to=v2",
        "sunset": "2026-05-28T09:30:00Z",
    }
    assert "Variables" not in found["ProductsV2Stage"]


def test_migration_guide_outside_stage_variable_characters_is_a_config_error() -> None:
    cfg = base.config(
        apis=world.apis(),
        support={"migration_guide": "https://example.net/migrate%20now"},
    )
    with pytest.raises(ConfigError) as caught:
        render_cloudformation(world.model(cfg), "production", world.spec_source(cfg))
    assert caught.value.exit_code == ExitCode.USAGE


def test_same_inputs_give_the_same_bytes() -> None:
    cfg = world.config()
    first = render_cloudformation(world.model(cfg), "staging", world.spec_source(cfg)).text
    second = render_cloudformation(world.model(world.config()), "staging", world.spec_source()).text
    assert first == second


def test_retired_major_renders_nothing_and_says_so() -> None:
    later = datetime(2026, 6, 1, tzinfo=UTC)  # past v1's sunset (2026-05-28)
    cfg = world.config()
    rendered = render_cloudformation(
        world.model(cfg, now=later), "production", world.spec_source(cfg)
    )
    assert not re.search(r'"ProductsV1', rendered.text)
    assert any(n.startswith("products v1 is retired") for n in rendered.notes)


def test_major_never_deployed_is_left_out_with_a_note() -> None:
    cfg = world.config()
    rendered = render_cloudformation(world.model(cfg), "production", world.spec_source(cfg))
    assert "orders v1 was never deployed to production: left out" in rendered.notes
    assert '"Orders' not in rendered.text


def test_no_api_configured_for_aws_is_a_config_error() -> None:
    cfg = base.config()
    with pytest.raises(ConfigError, match="no API is configured for AWS"):
        render_cloudformation(world.model(cfg), "production", world.spec_source(cfg))


def test_two_apis_on_one_base_path_is_a_config_error() -> None:
    tables = world.apis()
    tables["orders"]["aws"] = {"rest_api_id": "x1", "domain_name": "api.example.net"}
    cfg = base.config(apis=tables, environments=world.environments())
    with pytest.raises(ConfigError, match="both map base path 'v1'"):
        render_cloudformation(world.model(cfg), "staging", world.spec_source(cfg))


def test_unparsable_spec_at_a_tag_fails_closed() -> None:
    cfg = world.config()
    with pytest.raises(PreconditionError, match="is not valid YAML or JSON") as caught:
        render_cloudformation(world.model(cfg), "production", lambda sha, path: "a: [b\n")
    assert caught.value.exit_code == ExitCode.PRECONDITION


def test_revision_without_spec_gets_no_body_and_a_note() -> None:
    cfg = world.config()
    rendered = render_cloudformation(world.model(cfg), "production", lambda sha, path: None)
    assert "Body" not in json.loads(rendered.text)["Resources"]["ProductsV2RestApi"]["Properties"]
    assert "products/v2-rev2 has no openapi.yaml: products-v2 has no definition" in rendered.notes


def test_yaml_dates_and_integer_keys_stay_json_strings() -> None:
    spec = (
        "openapi: 3.0.3\ninfo: {title: T, version: 2026-01-01}\n"
        "paths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n"
    )
    cfg = world.config()
    found = json.loads(
        render_cloudformation(world.model(cfg), "production", lambda s, p: spec).text
    )
    body = found["Resources"]["ProductsV2RestApi"]["Properties"]["Body"]
    assert body["info"]["version"] == "2026-01-01"
    assert body["paths"]["/a"]["get"]["responses"] == {"200": {"description": "ok"}}


def _snippet() -> str:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"```python\n(# lambda: deprecation headers.*?)```", text, re.S)
    assert found, "docs/gateways.md lost its Lambda snippet"
    return found.group(1)


def test_documented_lambda_snippet_turns_stage_variables_into_headers() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_snippet(), "docs/gateways.md", "exec"), namespace)
    variables = resources()["ProductsV1Stage"]["Variables"]
    response = namespace["with_deprecation_headers"](
        {"stageVariables": variables}, {"statusCode": 200, "headers": {"X": "1"}, "body": "{}"}
    )
    assert response["headers"] == {
        "X": "1",
        "Deprecation": "@1764322200",
        "Sunset": "Thu, 28 May 2026 09:30:00 GMT",
        "Link": '<https://developer.example.net/migrate?from=v1&to=v2>; rel="deprecation"',
    }
    # the current major's stage has no variables: the response is left as it is
    plain = {"statusCode": 200, "body": ""}
    assert namespace["with_deprecation_headers"]({"stageVariables": None}, dict(plain)) == plain
