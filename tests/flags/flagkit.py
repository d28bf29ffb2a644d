"""Helpers for the flag tests: a repository with environments and a flag file, the evaluator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.gitrepo import Clone, tag_revisions

ENVIRONMENTS = "[environments.staging]\n[environments.production]\n"
CONFIG = '[apis.products]\n[support]\ndeprecation_period = "100 years"\n' + ENVIRONMENTS

# The issue's example, as written (dates far enough ahead to stay in the future).
ISSUE_YAML = """\
# flags/products.yaml
new-search:
  description: Ranked search results
  owner: search-team
  expires: 2099-06-30
  release_at:
    staging: now
    production: 2099-01-15T09:00:00Z
  requires: v1@rev1        # optional: a REF of this API, or other-api/v1@rev2
"""


def moment(delta: timedelta) -> str:
    """An RFC 3339 time `delta` away from now (the evaluator reads the real clock)."""
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_flags(repo: Clone, text: str, *, config: str = CONFIG, tags: int = 1) -> Clone:
    """Commit `config` and flags/products.yaml, push, tag v1-rev1..N."""
    repo.commit("chore: flags", {"relorch.toml": config, "flags/products.yaml": text})
    repo.push("HEAD:main")
    return tag_revisions(repo, tags)


def evaluator(document: str | dict[str, Any]) -> Any:
    """flagd's own evaluator (openfeature-flagd-core) loaded with a rendered file."""
    from openfeature.contrib.tools.flagd.core import FlagdCore

    core = FlagdCore()
    core.set_flags(document if isinstance(document, str) else json.dumps(document))
    return core


def context(key: str | None = None) -> Any:
    """An OpenFeature evaluation context with `key` as the targeting key."""
    from openfeature.evaluation_context import EvaluationContext

    return EvaluationContext(targeting_key=key)


def flagd_validator() -> Any:
    """A validator of flagd's published schema (flags.json + targeting.json, from
    $RELORCH_TEST_SCHEMAS; skips when absent)."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    from tests.schemas import schema_dir

    folder = schema_dir("flagd", "flags.json", "targeting.json")
    registry: Registry[Any] = Registry()
    for name in ("flags.json", "targeting.json"):
        schema = json.loads((folder / name).read_text())
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft7Validator({"$ref": "https://flagd.dev/schema/v0/flags.json"}, registry=registry)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
