"""The render test world configured for AWS API Gateway and the Kubernetes Gateway API.

The world of test_render_world (products v1 deprecated by v2, orders with one major deployed
to staging only, two environments) plus: `products` v2-rev4 tagged and in preview in staging
(v2-rev3 in preview in production), the issue's [aws] and [kubernetes] tables for products
and the other variants (RestApiId, domain ARN, another base path) for orders.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from relorch.config import Config
from relorch.ledger.state import Preview
from relorch.render.context import RenderModel, build_model
from tests.render import test_render_world as world

DATES = {**world.DATES, ("products", 2, 4): datetime(2026, 3, 10, 9, 0, tzinfo=UTC)}
PREVIEWS = {("products", "staging", 2): (4,), ("products", "production", 2): (3,)}
DOMAIN_ARN = "arn:aws:apigateway:eu-west-1:123456789012:/domainnames/private.example.net+abcd1234ef"


def apis() -> dict[str, Any]:
    """[apis] of the world with the gateway tables added."""
    tables = copy.deepcopy(world.CONFIG["apis"])
    tables["products"]["aws"] = {"rest_api_name": "products", "domain_name": "api.example.net"}
    tables["products"]["kubernetes"] = {
        "gateway": "public-gw",
        "namespace": "apis",
        "hostnames": ["api.example.net"],
        "backend": "products-v{major}-rev{revision}",
        "port": 8080,
    }
    tables["orders"]["aws"] = {
        "rest_api_id": "a1b2c3d4e5",
        "domain_arn": DOMAIN_ARN,
        "base_path": "orders/v{major}",
        "routing_priority": 500,
    }
    tables["orders"]["kubernetes"] = {
        "gateway": "public-gw",
        "gateway_namespace": "infra",
        "namespace": "apis",
        "backend": "orders-{major}-{revision}",
        "path": "/orders/v{major}",
        "port": 80,
    }
    return tables


def environments() -> dict[str, Any]:
    """[environments] with a per-environment override of each table."""
    envs = copy.deepcopy(world.CONFIG["environments"])
    envs["staging"]["kubernetes"] = {"hostnames": ["staging.example.net"]}
    envs["staging"]["aws"] = {"domain_name": "staging.example.net"}
    return envs


def config(**apis_changes: dict[str, Any]) -> Config:
    """The world's config; `apis_changes` merges into [apis.NAME] tables."""
    tables = apis()
    for name, change in apis_changes.items():
        for key, value in change.items():
            if isinstance(value, dict):
                tables[name].setdefault(key, {}).update(value)
            else:
                tables[name][key] = value
    return world.config(apis=tables, environments=environments())


def model(
    cfg: Config | None = None,
    *,
    previews: dict[tuple[str, str, int], tuple[int, ...]] | None = None,
    dates: dict[tuple[str, int, int], datetime] | None = None,
    current: dict[tuple[str, str, int], int] | None = None,
    now: datetime = world.NOW,
) -> RenderModel:
    """The render model of the world with its previews."""
    cfg = cfg or config()
    dates = dates or DATES
    histories = {name: world.history(cfg, name, dates) for name in cfg.apis}
    built = build_model(cfg, histories, world.CURRENT if current is None else current, now)
    wanted = PREVIEWS if previews is None else previews
    return replace(built, previews={key: _previews(cfg, key, revs) for key, revs in wanted.items()})


def _previews(
    cfg: Config, key: tuple[str, str, int], revisions: tuple[int, ...]
) -> tuple[Preview, ...]:
    """The ledger's previews of (api, env, major), put in preview on 2026-03-11."""
    api, _, major = key
    out = []
    for revision in revisions:
        tag = cfg.apis[api].scheme.tag(major, revision)
        out.append(Preview(revision, tag, world.sha(tag), "2026-03-11T09:00:00Z", f"preview-{tag}"))
    return tuple(out)


def spec_source(cfg: Config | None = None) -> Any:
    """(sha, path) -> the spec at that revision (DATES of this world)."""
    cfg = cfg or config()
    files: dict[tuple[str, str], str] = {}
    for name, major, revision in DATES:
        api = cfg.apis[name]
        if api.spec:
            tag = api.scheme.tag(major, revision)
            files[(world.sha(tag), api.spec)] = world.spec_text(name, major, revision)
    return lambda commit, path: files.get((commit, path))
