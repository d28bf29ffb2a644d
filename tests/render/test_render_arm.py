"""`render arm`: what the template holds, in what order, and what it leaves out."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest

from relorch.errors import ConfigError, ExitCode, PreconditionError
from relorch.render.arm import API, POLICY, RELEASE, VERSION_SET, literal, render_arm, spec_format
from tests.render.test_render_world import (
    CONFIG,
    CURRENT,
    config,
    model,
    sha,
    spec_source,
    world_ledger,
)

LOCKED = (
    "displayName",
    "description",
    "path",
    "protocols",
    "apiVersion",
    "apiVersionSetId",
    "subscriptionRequired",
    "serviceUrl",
    "apiVersionDescription",
)


def arm(
    env: str = "production", *, cfg: Any = None, service: str | None = None, **kw: Any
) -> tuple[dict[str, Any], tuple[str, ...]]:
    cfg = cfg or config()
    result = render_arm(model(cfg, **kw), env, spec_source(cfg), service=service)
    return json.loads(result.text), result.notes


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in document["resources"]}


def all_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def test_arm_emits_one_version_set_per_api_with_its_scheme() -> None:
    staging, _ = arm("staging")
    sets = {r["name"]: r["properties"] for r in staging["resources"] if r["type"] == VERSION_SET}
    assert sets == {
        "apim-staging/orders": {
            "displayName": "Orders",
            "versioningScheme": "Header",
            "versionHeaderName": "Api-Version",
        },
        "apim-staging/products": {
            "displayName": "Products",
            "versioningScheme": "Segment",
            "description": "The product catalogue",
        },
    }


def test_arm_query_scheme_names_the_query_parameter() -> None:
    apis = json.loads(json.dumps(CONFIG["apis"]))
    apis["orders"]["apim"].update(versioning_scheme="Query", version_query="v")
    document, _ = arm("staging", cfg=config(apis=apis))
    assert by_name(document)["apim-staging/orders"]["properties"] == {
        "displayName": "Orders",
        "versioningScheme": "Query",
        "versionQueryName": "v",
    }


def test_arm_emits_api_per_major_with_current_revision_and_kept_revisions() -> None:
    document, _ = arm("production")
    apis = {r["name"]: r["properties"] for r in document["resources"] if r["type"] == API}
    assert sorted(apis) == [
        "apim-prod/products-v1",
        "apim-prod/products-v1;rev=2",
        "apim-prod/products-v2",
        "apim-prod/products-v2;rev=1",
    ]
    root = apis["apim-prod/products-v1"]
    assert (root["apiVersion"], root["apiRevision"]) == ("v1", "3")
    assert "sourceApiId" not in root
    assert root["apiVersionSetId"] == (
        "[resourceId('Microsoft.ApiManagement/service/apiVersionSets', 'apim-prod', 'products')]"
    )
    revision = apis["apim-prod/products-v1;rev=2"]
    assert revision["apiRevision"] == "2"
    assert revision["sourceApiId"] == (
        "[resourceId('Microsoft.ApiManagement/service/apis', 'apim-prod', 'products-v1')]"
    )


def test_arm_keep_revisions_counts_the_current_one() -> None:
    apis = json.loads(json.dumps(CONFIG["apis"]))
    apis["products"]["apim"]["keep_revisions"] = 3
    document, _ = arm("staging", cfg=config(apis=apis))
    names = [
        r["name"] for r in document["resources"] if r["name"].startswith("apim-staging/products-v1")
    ]
    assert names == [
        "apim-staging/products-v1",
        "apim-staging/products-v1;rev=2",
        "apim-staging/products-v1;rev=3",
        "apim-staging/products-v1/products-v1-rev4",
        "apim-staging/products-v1/policy",
    ]


def test_arm_revisions_above_the_current_one_are_not_kept() -> None:
    document, _ = arm("production")
    assert "apim-prod/products-v1;rev=4" not in by_name(document)
    assert "apim-prod/products-v2;rev=3" not in by_name(document)


def test_arm_first_revision_current_has_no_revision_copies() -> None:
    document, _ = arm("production", current={("products", "production", 2): 1})
    names = [r["name"] for r in document["resources"]]
    assert names == [
        "apim-prod/products",
        "apim-prod/products-v2",
        "apim-prod/products-v2/products-v2-rev1",
    ]


def test_arm_release_makes_the_current_revision_current_with_a_derived_id() -> None:
    document, _ = arm("production")
    release = by_name(document)["apim-prod/products-v2/products-v2-rev2"]
    assert release["type"] == RELEASE
    assert release["properties"] == {
        "apiId": (
            "[resourceId('Microsoft.ApiManagement/service/apis', 'apim-prod', 'products-v2;rev=2')]"
        ),
        "notes": "products/v2-rev2 is current in production",
    }


def test_arm_never_emits_is_current() -> None:
    for env in ("production", "staging"):
        assert "isCurrent" not in all_keys(arm(env)[0])


@pytest.mark.parametrize("env", ["production", "staging"])
def test_arm_locked_properties_are_identical_across_revisions_of_a_major(env: str) -> None:
    document, _ = arm(env)
    by_major: dict[str, list[dict[str, Any]]] = {}
    for resource in document["resources"]:
        if resource["type"] == API:
            by_major.setdefault(resource["name"].split(";")[0], []).append(resource["properties"])
    assert any(len(group) > 1 for group in by_major.values())
    for group in by_major.values():
        locked = [{k: p.get(k) for k in LOCKED} for p in group]
        assert all(entry == locked[0] for entry in locked)
        assert len({p["apiRevision"] for p in group}) == len(group)


@pytest.mark.parametrize("env", ["production", "staging"])
def test_arm_depends_on_only_earlier_resources_in_set_api_revision_release_order(env: str) -> None:
    document, _ = arm(env)
    rank = {VERSION_SET: 0, API: 1, RELEASE: 3, POLICY: 4}
    seen: dict[str, int] = {}
    for resource in document["resources"]:
        level = rank[resource["type"]] + (1 if ";rev=" in resource["name"] else 0)
        for dependency in resource.get("dependsOn", []):
            assert dependency.startswith("[resourceId(") and dependency.endswith(")]")
            segments = [s.strip().strip("'") for s in dependency[12:-2].split(",")]
            target = "/".join(segments[1:])
            assert target in seen, f"{resource['name']} depends on {target} defined later"
            assert seen[target] <= level
        seen[resource["name"]] = level
    assert all(r.get("dependsOn") for r in document["resources"] if r["type"] != VERSION_SET)


@pytest.mark.parametrize("env", ["production", "staging"])
def test_arm_resource_names_are_literal(env: str) -> None:
    document, _ = arm(env)
    for resource in document["resources"]:
        assert "[" not in resource["name"] and "(" not in resource["name"]
        assert (
            resource["name"].split("/")[0]
            == {"production": "apim-prod", "staging": "apim-staging"}[env]
        )


def test_arm_deprecated_major_gets_a_policy_with_the_three_headers() -> None:
    document, _ = arm("production")
    policies = [r for r in document["resources"] if r["type"] == POLICY]
    assert [p["name"] for p in policies] == ["apim-prod/products-v1/policy"]
    assert policies[0]["properties"]["format"] == "rawxml"
    root = ET.fromstring(policies[0]["properties"]["value"])
    headers = {h.get("name"): h.findtext("value") for h in root.iter("set-header")}
    deprecated = datetime(2025, 11, 28, 9, 30, tzinfo=UTC)
    assert headers == {
        "Deprecation": f'@("@{int(deprecated.timestamp())}")',
        "Sunset": "Thu, 28 May 2026 09:30:00 GMT",
        "Link": '<https://developer.example.net/migrate?from=v1&to=v2>; rel="deprecation"',
    }
    assert root.find("outbound/base") is not None and root.find("inbound/base") is not None
    assert "&amp;to=v2&gt;" in policies[0]["properties"]["value"]


def test_arm_without_migration_guide_sets_deprecation_and_sunset_only() -> None:
    support = {**CONFIG["support"]}
    del support["migration_guide"]
    document, _ = arm("production", cfg=config(support=support))
    policy = by_name(document)["apim-prod/products-v1/policy"]["properties"]["value"]
    assert "Deprecation" in policy and "Sunset" in policy and "Link" not in policy


def test_arm_refuses_a_migration_guide_that_would_break_the_link_header() -> None:
    support = {**CONFIG["support"], "migration_guide": "https://x.example/a>b"}
    with pytest.raises(ConfigError, match="migration_guide"):
        arm("production", cfg=config(support=support))


def test_arm_leaves_out_a_major_never_deployed_there_and_says_so() -> None:
    document, notes = arm("production")
    assert not any(r["name"].startswith("apim-prod/orders") for r in document["resources"])
    assert notes == ("orders v1 was never deployed to production: left out",)


def test_arm_leaves_out_a_retired_major() -> None:
    document, notes = arm("production", now=datetime(2026, 6, 1, tzinfo=UTC))
    assert not any(r["name"].startswith("apim-prod/products-v1") for r in document["resources"])
    assert any(
        n.startswith("products v1 is retired (its sunset 2026-05-28 has passed)") for n in notes
    )


def test_arm_refuses_a_current_revision_without_a_tag() -> None:
    with pytest.raises(PreconditionError, match="rev9") as caught:
        arm("production", current={**CURRENT, ("products", "production", 2): 9})
    assert caught.value.exit_code == ExitCode.PRECONDITION


def test_arm_needs_a_service_name() -> None:
    apis = json.loads(json.dumps(CONFIG["apis"]))
    del apis["products"]["apim"]["service"]
    envs = {"production": {}}
    with pytest.raises(ConfigError, match="no API Management service for products in production"):
        arm("production", cfg=config(apis=apis, environments=envs), current=CURRENT)


def test_arm_service_option_overrides_every_api() -> None:
    document, _ = arm("production", service="apim-other")
    assert all(r["name"].startswith("apim-other/") for r in document["resources"])


@pytest.mark.parametrize("bad", ["apim prod", "1apim", "apim/x", "a" * 51, "apim-"])
def test_arm_refuses_a_service_name_azure_would_not_accept(bad: str) -> None:
    with pytest.raises(ConfigError, match="is not an API Management service name"):
        arm("production", service=bad)


def test_arm_unknown_environment_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="no environment named 'prod'"):
        arm("prod")


def test_arm_is_deterministic_whatever_the_order_of_its_inputs() -> None:
    cfg = config()
    first = render_arm(model(cfg), "staging", spec_source(cfg)).text
    reordered = dict(reversed(list(CURRENT.items())))
    second = render_arm(model(cfg, current=reordered), "staging", spec_source(cfg)).text
    assert first == second and first.endswith("}\n")


def test_arm_imports_each_revision_spec_in_its_format() -> None:
    document, _ = arm("staging")
    names = by_name(document)
    assert names["apim-staging/orders-v1"]["properties"]["format"] == "openapi+json"
    assert names["apim-staging/products-v1"]["properties"]["format"] == "openapi"
    assert "version: '1.4'" in names["apim-staging/products-v1"]["properties"]["value"]
    assert "version: '1.3'" in names["apim-staging/products-v1;rev=3"]["properties"]["value"]


def test_arm_revision_without_the_spec_file_is_not_imported_and_noted() -> None:
    cfg = config()
    source = spec_source(cfg)
    gone = sha("products/v1-rev2")
    result = render_arm(
        model(cfg),
        "production",
        lambda commit, path: None if commit == gone else source(commit, path),
    )
    names = by_name(json.loads(result.text))
    assert "value" not in names["apim-prod/products-v1;rev=2"]["properties"]
    assert "format" not in names["apim-prod/products-v1;rev=2"]["properties"]
    assert "value" in names["apim-prod/products-v1"]["properties"]
    assert "products/v1-rev2 has no openapi.yaml: that revision is not imported" in result.notes


def test_arm_escapes_user_text_that_looks_like_an_expression() -> None:
    apis = json.loads(json.dumps(CONFIG["apis"]))
    apis["products"]["apim"]["display_name"] = "[beta]"
    document, _ = arm("production", cfg=config(apis=apis))
    assert by_name(document)["apim-prod/products-v2"]["properties"]["displayName"] == "[[beta]"
    assert literal("[x") == "[x" and literal("x]") == "x]" and literal("[x]") == "[[x]"


def test_spec_format_follows_the_file_name_then_the_content() -> None:
    assert spec_format("api.json", "openapi: 3.0.0") == "openapi+json"
    assert spec_format("api.yaml", ' {"openapi": "3.0.0"}') == "openapi+json"
    assert spec_format("api.yml", "openapi: 3.0.0") == "openapi"


def test_a_preview_is_a_non_current_revision_with_no_release() -> None:
    document, _ = arm("production", state=world_ledger())
    resources = by_name(document)
    preview = resources["apim-prod/products-v2;rev=3"]
    assert preview["type"] == API
    assert preview["properties"]["apiRevision"] == "3"
    assert preview["properties"]["sourceApiId"] == (
        "[resourceId('Microsoft.ApiManagement/service/apis', 'apim-prod', 'products-v2')]"
    )
    assert "in preview in production" in preview["properties"]["apiRevisionDescription"]
    releases = [r for r in document["resources"] if r["type"] == RELEASE]
    assert [r["name"] for r in releases if "products-v2" in r["name"]] == [
        "apim-prod/products-v2/products-v2-rev2"
    ]
    root = resources["apim-prod/products-v2"]["properties"]
    assert root["apiRevision"] == "2"
    # Locked properties stay identical on the preview, as APIM requires of revisions.
    for key in LOCKED:
        assert preview["properties"].get(key) == root.get(key)


def test_previews_are_kept_beside_keep_revisions_below_the_current_one() -> None:
    document, _ = arm("production", state=world_ledger())
    names = [r["name"] for r in document["resources"] if r["type"] == API]
    assert [n for n in names if n.startswith("apim-prod/products-v2")] == [
        "apim-prod/products-v2",
        "apim-prod/products-v2;rev=1",
        "apim-prod/products-v2;rev=3",
    ]


def test_a_preview_made_current_gets_the_release_and_no_preview_copy() -> None:
    state = world_ledger(
        ("deploy", "products", "production", 2, 3, datetime(2026, 3, 9, tzinfo=UTC))
    )
    document, _ = arm("production", state=state)
    names = [r["name"] for r in document["resources"]]
    assert "apim-prod/products-v2/products-v2-rev3" in names
    assert "apim-prod/products-v2;rev=2" in names
    assert "apim-prod/products-v2;rev=3" not in names
