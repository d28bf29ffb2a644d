"""`render httproute`: Gateway API HTTPRoutes, checked against the HTTPRoute CRD's v1 schema."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml

from relorch.errors import ConfigError
from relorch.render.httproute import render_httproute
from tests.render import gatewayworld as world
from tests.render import test_render_world as base
from tests.schemas import schema_dir

LINK = '<https://developer.example.net/migrate?from=v1&to=v2>; rel="deprecation"'
CRD = "gateway.networking.k8s.io_httproutes.yaml"


@cache
def _validator() -> jsonschema.Draft7Validator:
    """The v1 version's openAPIV3Schema of the CRD (x-kubernetes-* keys are ignored)."""
    path = schema_dir("gateway-api", CRD) / CRD
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 20 times faster
    crd = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
    return jsonschema.Draft7Validator(version["schema"]["openAPIV3Schema"])


def crd_errors(route: dict[str, Any]) -> list[str]:
    return sorted(
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in _validator().iter_errors(route)
    )


def routes(env: str = "staging", **kw: Any) -> list[dict[str, Any]]:
    cfg = kw.pop("cfg", None) or world.config()
    text = render_httproute(world.model(cfg, **kw), env).text
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def by_name(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs}


@pytest.mark.parametrize("env", ["production", "staging"])
def test_every_route_validates_against_the_crd(env: str) -> None:
    docs = routes(env)
    assert docs
    for doc in docs:
        assert doc["apiVersion"] == "gateway.networking.k8s.io/v1"
        assert crd_errors(doc) == []


def test_canary_routes_validate_against_the_crd() -> None:
    cfg = world.config(products={"kubernetes": {"canary_percent": 20}})
    for doc in routes(cfg=cfg):
        assert crd_errors(doc) == []


def test_crd_check_rejects_a_wrong_path_type() -> None:
    doc = copy.deepcopy(by_name(routes())["products-v2"])
    doc["spec"]["rules"][-1]["matches"][0]["path"]["type"] = "Prefix"
    assert any("'Prefix' is not one of" in e for e in crd_errors(doc))


@pytest.mark.parametrize("weight", [-1, 1_000_001, "50"])
def test_crd_check_rejects_a_wrong_weight(weight: object) -> None:
    doc = copy.deepcopy(by_name(routes())["products-v2"])
    doc["spec"]["rules"][-1]["backendRefs"][0]["weight"] = weight
    assert crd_errors(doc)


def test_major_routes_its_prefix_to_the_current_revisions_backend() -> None:
    route = by_name(routes("production"))["products-v1"]
    assert route["metadata"]["namespace"] == "apis"
    assert route["spec"]["parentRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public-gw"}
    ]
    assert route["spec"]["hostnames"] == ["api.example.net"]
    [rule] = route["spec"]["rules"]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/v1"}}]
    assert rule["backendRefs"] == [{"kind": "Service", "name": "products-v1-rev3", "port": 8080}]


def test_environment_overrides_apply() -> None:
    route = by_name(routes("staging"))["orders-v1"]
    assert route["spec"]["hostnames"] == ["staging.example.net"]
    assert route["spec"]["parentRefs"][0]["namespace"] == "infra"
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "orders-1-2"
    assert route["spec"]["rules"][0]["matches"][0]["path"]["value"] == "/orders/v1"


def test_preview_rule_matches_the_revision_header() -> None:
    rules = by_name(routes("staging"))["products-v2"]["spec"]["rules"]
    preview = next(r for r in rules if r["name"] == "preview-rev4")
    assert preview["matches"] == [
        {
            "headers": [{"name": "Api-Revision", "type": "Exact", "value": "4"}],
            "path": {"type": "PathPrefix", "value": "/v2"},
        }
    ]
    assert preview["backendRefs"] == [{"kind": "Service", "name": "products-v2-rev4", "port": 8080}]
    current = next(r for r in rules if r["name"] == "current")
    assert current["backendRefs"][0]["name"] == "products-v2-rev3"


def test_canary_weights_split_the_current_rule() -> None:
    cfg = world.config(products={"kubernetes": {"canary_percent": 20}})
    rules = by_name(routes(cfg=cfg))["products-v2"]["spec"]["rules"]
    current = next(r for r in rules if r["name"] == "current")
    assert [(b["name"], b["weight"]) for b in current["backendRefs"]] == [
        ("products-v2-rev3", 80),
        ("products-v2-rev4", 20),
    ]


def test_deprecated_major_sets_deprecation_sunset_and_link() -> None:
    route = by_name(routes("production"))["products-v1"]
    [rule] = route["spec"]["rules"]
    assert rule["filters"] == [
        {
            "type": "ResponseHeaderModifier",
            "responseHeaderModifier": {
                "set": [
                    {"name": "Deprecation", "value": "@1764322200"},
                    {"name": "Link", "value": LINK},
                    {"name": "Sunset", "value": "Thu, 28 May 2026 09:30:00 GMT"},
                ]
            },
        }
    ]
    current = by_name(routes("production"))["products-v2"]
    assert all("filters" not in r for r in current["spec"]["rules"])


def test_same_inputs_give_the_same_bytes() -> None:
    first = render_httproute(world.model(), "staging").text
    assert render_httproute(world.model(world.config()), "staging").text == first


def test_retired_major_renders_nothing() -> None:
    later = datetime(2026, 6, 1, tzinfo=UTC)
    rendered = render_httproute(world.model(now=later), "production")
    assert "products-v1" not in rendered.text
    assert any(n.startswith("products v1 is retired") for n in rendered.notes)


def test_major_never_deployed_is_left_out_with_a_note() -> None:
    rendered = render_httproute(world.model(), "production")
    assert "orders v1 was never deployed to production: left out" in rendered.notes
    assert "orders-v1" not in rendered.text


def test_no_api_configured_for_kubernetes_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no API is configured for the Kubernetes"):
        render_httproute(world.model(base.config()), "production")


def test_backend_name_too_long_for_kubernetes_is_a_config_error() -> None:
    # 63 characters for rev1 (accepted when the config loads), 64 for rev10
    cfg = world.config(products={"kubernetes": {"backend": "a" * 55 + "-v{major}-rev{revision}"}})
    dates = {**world.DATES, ("products", 2, 10): datetime(2026, 3, 12, tzinfo=UTC)}
    current = {**base.CURRENT, ("products", "staging", 2): 10}
    with pytest.raises(ConfigError, match="is not a Kubernetes name"):
        render_httproute(world.model(cfg, dates=dates, current=current), "staging")
