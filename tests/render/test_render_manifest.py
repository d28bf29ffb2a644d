"""`render manifest`: majors, revisions, what is current where, support dates, public URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.config import ApiConfig, ApimConfig
from relorch.errors import ConfigError
from relorch.render.context import iso, isos, public_url
from relorch.render.manifest import manifest_data, render_manifest
from tests.render.test_render_world import CONFIG, NOW, config, model, world_ledger


def major(document: dict[str, Any], api: str, number: int) -> dict[str, Any]:
    entry = next(a for a in document["apis"] if a["name"] == api)
    return next(m for m in entry["majors"] if m["major"] == number)


def test_manifest_lists_apis_majors_and_revisions_in_order() -> None:
    document = manifest_data(model())
    assert [a["name"] for a in document["apis"]] == ["orders", "products"]
    v1 = major(document, "products", 1)
    assert [r["tag"] for r in v1["revisions"]] == [f"products/v1-rev{n}" for n in (1, 2, 3, 4)]
    assert v1["revisions"][0]["date"] == "2025-03-03T10:00:00Z"
    assert (v1["latest"], v1["line"]) == (4, "release/products/v1")
    assert document["environments"] == ["production", "staging"]


def test_manifest_shows_current_revision_per_environment() -> None:
    v1 = major(manifest_data(model()), "products", 1)
    assert {env: e["current"] for env, e in v1["environments"].items()} == {
        "production": 3,
        "staging": 4,
    }
    assert v1["environments"]["production"]["current_tag"] == "products/v1-rev3"
    orders = major(manifest_data(model()), "orders", 1)
    assert orders["environments"]["production"]["current"] is None
    assert orders["environments"]["production"]["revisions"] == []


def test_manifest_support_state_and_dates() -> None:
    v1 = major(manifest_data(model()), "products", 1)
    assert v1["support"] == {
        "state": "deprecated",
        "successor": 2,
        "deprecated_at": "2025-11-28T09:30:00Z",
        "sunset_at": "2026-05-28T09:30:00Z",
        "reminder_at": "2026-04-30T09:30:00Z",
        "retired_at": None,
        "reason": None,
        "released_at": "2025-03-03T10:00:00Z",
    }
    assert v1["headers"]["Deprecation"] == "@1764322200"


def test_manifest_segment_urls_per_environment_and_revision_previews() -> None:
    production = major(manifest_data(model()), "products", 1)["environments"]["production"]
    assert production["url"] == "https://api.example.net/catalog/v1"
    assert production["request_headers"] == {}
    assert production["revisions"] == [
        {
            "revision": 2,
            "tag": "products/v1-rev2",
            "request_headers": {},
            "url": "https://api.example.net/catalog/v1;rev=2",
        },
        {
            "revision": 3,
            "tag": "products/v1-rev3",
            "request_headers": {},
            "url": "https://api.example.net/catalog/v1;rev=3",
        },
    ]


def test_manifest_header_scheme_urls_carry_the_version_header() -> None:
    staging = major(manifest_data(model()), "orders", 1)["environments"]["staging"]
    assert staging["url"] == "https://apim-staging.azure-api.net/orders"
    assert staging["request_headers"] == {"Api-Version": "v1"}
    assert [r["url"] for r in staging["revisions"]] == [
        "https://apim-staging.azure-api.net/orders;rev=1",
        "https://apim-staging.azure-api.net/orders;rev=2",
    ]


@pytest.mark.parametrize(
    ("scheme", "revision", "url", "headers"),
    [
        ("Segment", None, "https://gw.example.net/cat/v2", {}),
        ("Segment", 3, "https://gw.example.net/cat/v2;rev=3", {}),
        ("Header", 3, "https://gw.example.net/cat;rev=3", {"X-Version": "v2"}),
        ("Query", None, "https://gw.example.net/cat?api-version=v2", {}),
        ("Query", 3, "https://gw.example.net/cat;rev=3?api-version=v2", {}),
    ],
)
def test_public_url_per_versioning_scheme(
    scheme: str, revision: int | None, url: str, headers: dict[str, str]
) -> None:
    api = ApiConfig("products", "v{major}-rev{revision}", "release/v{major}")
    apim = ApimConfig(path="/cat/", gateway_url="https://gw.example.net/", versioning_scheme=scheme)
    found = public_url(api, apim, 2, revision)
    assert found is not None and (found.url, found.headers) == (url, headers)


def test_public_url_without_a_gateway_is_unknown() -> None:
    api = ApiConfig("products", "v{major}-rev{revision}", "release/v{major}")
    assert public_url(api, ApimConfig(), 1) is None


def test_manifest_records_the_environment_asked_for_and_refuses_unknown_ones() -> None:
    assert manifest_data(model(), "staging")["env"] == "staging"
    assert manifest_data(model())["env"] is None
    with pytest.raises(ConfigError):
        manifest_data(model(), "nowhere")


def test_manifest_is_sorted_json_with_a_trailing_newline() -> None:
    text = render_manifest(model())
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_manifest_of_an_api_without_releases_has_no_majors() -> None:
    apis = {"fresh": {}}
    document = manifest_data(model(config(apis=apis, environments={}), current={}))
    assert document["apis"][0]["majors"] == [] and document["environments"] == []


def test_manifest_lists_previews_with_their_rev_urls() -> None:
    state = world_ledger()
    v2 = major(manifest_data(model(state=state)), "products", 2)
    production = v2["environments"]["production"]
    assert production["current"] == 2
    assert production["url"] == "https://api.example.net/catalog/v2"
    assert production["previews"] == [
        {
            "revision": 3,
            "tag": "products/v2-rev3",
            "sha": production["previews"][0]["sha"],
            "since": "2026-03-05T09:00:00Z",
            "url": "https://api.example.net/catalog/v2;rev=3",
            "request_headers": {},
        }
    ]
    assert v2["environments"]["staging"]["previews"] == []


def test_a_preview_made_current_is_listed_as_current_not_as_preview() -> None:
    state = world_ledger(("deploy", "products", "production", 2, 3, NOW))
    v2 = major(manifest_data(model(state=state)), "products", 2)
    assert v2["environments"]["production"]["current"] == 3
    assert v2["environments"]["production"]["previews"] == []


def test_without_gateway_url_apim_urls_use_the_services_default_gateway() -> None:
    api = ApiConfig("products", "v{major}-rev{revision}", "release/v{major}")
    apim = ApimConfig(service="apim-prod", path="catalog")
    url = public_url(api, apim, 2, 5)
    assert url is not None and url.url == "https://apim-prod.azure-api.net/catalog/v2;rev=5"
    assert public_url(api, ApimConfig(path="catalog"), 2) is None


def test_manifest_urls_without_gateway_url_come_from_the_environments_service() -> None:
    products = json.loads(json.dumps(CONFIG["apis"]["products"]))
    del products["apim"]["gateway_url"]
    cfg = config(
        apis={"products": products}, environments={"production": {"apim": {"service": "apim-prod"}}}
    )
    v2 = major(manifest_data(model(cfg)), "products", 2)
    assert v2["environments"]["production"]["url"] == "https://apim-prod.azure-api.net/catalog/v2"


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()),
)
def test_iso_writes_what_strftime_writes(when: datetime) -> None:
    try:
        utc = when.astimezone(UTC) if when.tzinfo is not None else when
    except OverflowError:
        return
    assert iso(when) == utc.strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.none() | st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()),
        max_size=5,
    )
    | st.lists(st.datetimes(timezones=st.just(UTC)), max_size=5),
)
def test_isos_writes_what_iso_writes(dates: list[datetime | None]) -> None:
    try:
        expected = [iso(when) for when in dates]
    except OverflowError:
        return
    assert isos(dates) == expected
