"""The gate's two refusals, in a module light enough for callers that only catch them."""

from __future__ import annotations

from relorch.errors import PreconditionError


class GateFailed(PreconditionError):
    """A change reaches the gate's fail level: the release would be refused (exit 3)."""


class SpecError(PreconditionError):
    """An OpenAPI document that cannot be read or compared: the gate cannot run (exit 3)."""

    default_hint = (
        "fix the OpenAPI document at that revision (it must be valid OpenAPI 3.x or Swagger 2.0)"
    )
