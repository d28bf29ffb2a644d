"""Deprecation headers per major: RFC 9745 Deprecation, RFC 8594 Sunset, Link to the guide."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from relorch.errors import ConfigError
from relorch.policy.support import CURRENT, DEPRECATED, RETIRED, SupportState
from relorch.render.headers import (
    checked_link,
    deprecation_headers,
    headers_data,
    policy_xml,
    render_headers,
)
from tests.render.test_render_world import model, world_ledger

GUIDE = "https://developer.example.net/migrate"


def deprecated(**changes: Any) -> SupportState:
    state = SupportState(
        "products",
        1,
        DEPRECATED,
        successor=2,
        deprecated_at=datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
        sunset_at=datetime(2026, 7, 15, 10, 0, tzinfo=UTC),
    )
    return replace(state, **changes)


def test_current_major_sends_no_deprecation_headers() -> None:
    assert deprecation_headers(SupportState("products", 2, CURRENT), GUIDE) == {}


def test_deprecated_major_sends_deprecation_sunset_and_link() -> None:
    headers = deprecation_headers(deprecated(), GUIDE)
    assert headers == {
        "Deprecation": "@1768471200",
        "Sunset": "Wed, 15 Jul 2026 10:00:00 GMT",
        "Link": f'<{GUIDE}>; rel="deprecation"',
    }
    assert parsedate_to_datetime(headers["Sunset"]) == datetime(2026, 7, 15, 10, tzinfo=UTC)
    assert datetime.fromtimestamp(int(headers["Deprecation"][1:]), UTC) == datetime(
        2026, 1, 15, 10, tzinfo=UTC
    )


def test_retired_major_announces_the_day_it_was_retired_as_its_sunset() -> None:
    state = deprecated(state=RETIRED, retired_at=datetime(2026, 3, 1, tzinfo=UTC))
    assert deprecation_headers(state, None)["Sunset"] == "Sun, 01 Mar 2026 00:00:00 GMT"


def test_unknown_dates_leave_their_headers_out() -> None:
    state = deprecated(deprecated_at=None, sunset_at=None)
    assert deprecation_headers(state, GUIDE) == {"Link": f'<{GUIDE}>; rel="deprecation"'}


@pytest.mark.parametrize(
    "url",
    [
        "developer.example.net/migrate",
        "https://x/a b",
        "https://x/<a>",
        'https://x/"a"',
        "https://x/\nLink: evil",
    ],
)
def test_link_refuses_a_guide_that_is_not_a_plain_absolute_url(url: str) -> None:
    with pytest.raises(ConfigError, match="migration_guide"):
        checked_link(url)


def test_policy_xml_escapes_values_and_keeps_at_values_literal() -> None:
    link = '<https://x/?a=1&b=2>; rel="deprecation"'
    xml = policy_xml({"Deprecation": "@1768471200", "Link": link})
    root = ET.fromstring(xml)
    values = {h.get("name"): h.findtext("value") for h in root.iter("set-header")}
    assert values == {
        "Deprecation": '@("@1768471200")',
        "Link": '<https://x/?a=1&b=2>; rel="deprecation"',
    }
    assert all(h.get("exists-action") == "override" for h in root.iter("set-header"))
    assert xml.endswith("</policies>\n")


def test_render_headers_lists_every_major_in_order() -> None:
    document = json.loads(render_headers(model()))
    rows = [(m["api"], m["version"], m["state"], sorted(m["headers"])) for m in document["majors"]]
    assert rows == [
        ("orders", "v1", "current", []),
        ("products", "v1", "deprecated", ["Deprecation", "Link", "Sunset"]),
        ("products", "v2", "current", []),
    ]
    assert document["majors"][1]["path"] == "catalog"


def test_headers_list_a_majors_previews_with_their_urls() -> None:
    entries = headers_data(model(state=world_ledger()))["majors"]
    v2 = next(e for e in entries if e["api"] == "products" and e["major"] == 2)
    assert v2["previews"] == [
        {"env": "production", "revision": 3, "url": "https://api.example.net/catalog/v2;rev=3"}
    ]
    assert all(e["previews"] == [] for e in entries if e is not v2)
