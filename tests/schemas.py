"""Third-party reference schemas for the tests, read from one directory: $RELORCH_TEST_SCHEMAS.

The repository never carries these files. `./scripts/test` points the variable at
the team's reference-data directory when it exists beside the clone; without it, each test that
needs a schema skips and says what to provide and where it comes from.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VARIABLE = "RELORCH_TEST_SCHEMAS"

# folder -> where its files come from (source and version), for the skip message
SOURCES = {
    "arm": "ARM deployment template 2019-04-01 and API Management 2024-05-01 resource schemas "
    "(github.com/Azure/azure-resource-manager-schemas, MIT)",
    "flagd": "flagd flags.json + targeting.json, json-schema v0.2.15 "
    "(github.com/open-feature/flagd-schemas, json/, Apache-2.0)",
    "gateway-api": "the HTTPRoute CRD, standard channel v1.6.1 "
    "(github.com/kubernetes-sigs/gateway-api, config/crd/standard/"
    "gateway.networking.k8s.io_httproutes.yaml, Apache-2.0)",
    "kong-deck": "decK's declarative-config schema kong_json_schema.json "
    "(github.com/Kong/go-database-reconciler, pkg/file/, Apache-2.0)",
}


def schema_dir(folder: str, *files: str) -> Path:
    """$RELORCH_TEST_SCHEMAS/<folder>, holding `files`; skips the calling test when absent."""
    root = os.environ.get(VARIABLE)
    source = SOURCES.get(folder, folder)
    if not root:
        pytest.skip(
            f"reference schemas not available: set {VARIABLE} to a directory whose "
            f"{folder}/ holds {', '.join(files) or 'the schema files'} — {source}"
        )
    path = Path(root) / folder
    missing = [name for name in files if not (path / name).is_file()]
    if not path.is_dir() or missing:
        pytest.skip(f"{VARIABLE}={root} lacks {folder}/{', '.join(missing) or ''} — {source}")
    return path
