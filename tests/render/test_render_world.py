"""A realistic release history built in-process (fixed dates, no wall clock) for the render tests.

Two APIs on one API Management service: `products` (Segment versioning, YAML spec, v1
deprecated by v2, maintenance revisions on v1) and `orders` (Header versioning, JSON spec,
one major, deployed to staging only). Goldens live in tests/golden/; regenerate them with
`RELORCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_render_golden.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from relorch.config import Config, parse_config
from relorch.ledger.records import new_record
from relorch.ledger.state import LedgerState, replay
from relorch.model.history import ApiHistory, MajorInfo, RevisionInfo
from relorch.render.context import RenderModel, build_model

GOLDEN = Path(__file__).parents[1] / "golden"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)

CONFIG: dict[str, Any] = {
    "apis": {
        "products": {
            "spec": "openapi.yaml",
            "apim": {
                "service": "apim-example",
                "display_name": "Products",
                "description": "The product catalogue",
                "path": "catalog",
                "service_url": "https://backend.example.net/v{major}",
                "gateway_url": "https://apim-example.azure-api.net",
                "keep_revisions": 2,
            },
        },
        "orders": {
            "spec": "openapi.json",
            "apim": {
                "service": "apim-example",
                "display_name": "Orders",
                "path": "orders",
                "versioning_scheme": "Header",
                "version_header": "Api-Version",
                "gateway_url": "https://apim-example.azure-api.net",
                "keep_revisions": 3,
                "subscription_required": False,
            },
        },
    },
    "support": {
        "previous_majors": 1,
        "deprecation_period": "6 months",
        "reminder_before": "4 weeks",
        "migration_guide": "https://developer.example.net/migrate?from=v1&to=v2",
    },
    "environments": {
        "staging": {
            "apim": {"service": "apim-staging", "gateway_url": "https://apim-staging.azure-api.net"}
        },
        "production": {
            "promote_from": "staging",
            "apim": {"service": "apim-prod", "gateway_url": "https://api.example.net"},
        },
    },
}

# (api, major, revision) -> tag date
DATES = {
    ("products", 1, 1): datetime(2025, 3, 3, 10, 0, tzinfo=UTC),
    ("products", 1, 2): datetime(2025, 5, 12, 14, 30, tzinfo=UTC),
    ("products", 1, 3): datetime(2025, 9, 1, 8, 15, tzinfo=UTC),
    ("products", 1, 4): datetime(2026, 2, 10, 16, 45, tzinfo=UTC),
    ("products", 2, 1): datetime(2025, 11, 28, 9, 30, tzinfo=UTC),
    ("products", 2, 2): datetime(2026, 1, 20, 11, 0, tzinfo=UTC),
    ("products", 2, 3): datetime(2026, 3, 2, 13, 20, tzinfo=UTC),
    ("orders", 1, 1): datetime(2025, 10, 1, 7, 0, tzinfo=UTC),
    ("orders", 1, 2): datetime(2026, 1, 5, 15, 10, tzinfo=UTC),
}

CURRENT = {
    ("products", "production", 1): 3,
    ("products", "production", 2): 2,
    ("products", "staging", 1): 4,
    ("products", "staging", 2): 3,
    ("orders", "staging", 1): 2,
}


def config(**changes: Any) -> Config:
    """The world's config, with top-level tables replaced by `changes`."""
    return parse_config({**CONFIG, **changes}, root=Path("/nonexistent"))


def sha(tag: str) -> str:
    """A stable fake commit id per tag."""
    return hashlib.sha1(tag.encode()).hexdigest()


def history(
    cfg: Config,
    name: str,
    dates: dict[tuple[str, int, int], datetime] | None = None,
) -> ApiHistory:
    """The API's history from `dates` (default DATES), as build_history would group it."""
    api = cfg.apis[name]
    by_major: dict[int, list[RevisionInfo]] = {}
    for (owner, major, revision), when in sorted((dates or DATES).items()):
        if owner != name:
            continue
        tag = api.scheme.tag(major, revision)
        by_major.setdefault(major, []).append(
            RevisionInfo(name, major, revision, tag, sha(tag), when)
        )
    newest = max(by_major, default=0)
    majors = tuple(
        MajorInfo(name, major, "main" if major == newest else api.scheme.branch(major), tuple(revs))
        for major, revs in sorted(by_major.items())
    )
    return ApiHistory(api=api, majors=majors)


def spec_text(api: str, major: int, revision: int) -> str:
    """The OpenAPI document at a revision: YAML for products, JSON for orders."""
    if api == "orders":
        document = {
            "openapi": "3.0.3",
            "info": {"title": "Orders", "version": f"{major}.{revision}"},
            "paths": {"/orders": {"get": {"responses": {"200": {"description": "ok"}}}}},
        }
        return json.dumps(document) + "\n"
    extra = "".join(
        f"  /items/{n}:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        for n in range(2, revision + 1)
    )
    return (
        f"openapi: 3.0.3\ninfo:\n  title: Products\n  version: '{major}.{revision}'\n"
        f"paths:\n  /v{major}/items:\n    get:\n      responses:\n        '200':\n"
        f'          description: "ok"\n{extra}'
    )


def spec_source(cfg: Config) -> Any:
    """(sha, path) -> the spec text at that revision; None for any other file."""
    files: dict[tuple[str, str], str] = {}
    for name, major, revision in DATES:
        api = cfg.apis[name]
        if api.spec:
            files[(sha(api.scheme.tag(major, revision)), api.spec)] = spec_text(
                name, major, revision
            )
    return lambda commit, path: files.get((commit, path))


def model(
    cfg: Config | None = None,
    current: dict[tuple[str, str, int], int] | None = None,
    now: datetime = NOW,
    dates: dict[tuple[str, int, int], datetime] | None = None,
    state: LedgerState | None = None,
) -> RenderModel:
    """The render model of the world (with the ledger's `state`: its previews and lifecycle)."""
    cfg = cfg or config()
    histories = {name: history(cfg, name, dates) for name in cfg.apis}
    if state is not None and current is None:
        current = {key: live.revision for key, live in state.live.items()}
    return build_model(cfg, histories, CURRENT if current is None else current, now, state=state)


def ledger(*steps: tuple[str, str, str, int, int, datetime]) -> LedgerState:
    """A ledger of succeeded steps: (action, api, env, major, revision, when)."""
    records = []
    for action, name, env, major, revision, when in steps:
        tag = config().apis[name].scheme.tag(major, revision)
        common: dict[str, Any] = {
            "api": name,
            "env": env,
            "action": action,
            "actor": "ann",
            "major": major,
            "revision": revision,
            "tag": tag,
            "sha": sha(tag),
            "now": when,
        }
        started = new_record(status="started", **common)
        records += [started, new_record(status="succeeded", lock=started.id, **common)]
    return replay(records)


def world_ledger(*more: tuple[str, str, str, int, int, datetime]) -> LedgerState:
    """CURRENT as a ledger, plus products v2-rev3 in preview in production since 2026-03-05,
    then the `more` steps."""
    early = datetime(2026, 1, 1, tzinfo=UTC)
    steps = [("deploy", api, env, major, rev, early) for (api, env, major), rev in CURRENT.items()]
    steps.append(
        ("preview", "products", "production", 2, 3, datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    )
    return ledger(*steps, *more)


def check_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/NAME byte for byte; RELORCH_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("RELORCH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes() == text.encode("utf-8"), (
        f"{path} differs; if the change is intended, regenerate with RELORCH_UPDATE_GOLDEN=1"
    )


def test_world_history_has_two_products_majors_and_one_orders_major() -> None:
    cfg = config()
    assert [m.major for m in history(cfg, "products").majors] == [1, 2]
    assert [r.tag for r in history(cfg, "orders").majors[0].revisions] == [
        "orders/v1-rev1",
        "orders/v1-rev2",
    ]
