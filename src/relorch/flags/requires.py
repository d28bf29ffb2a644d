"""Whether a flag's required revision is live in an environment, by the deploy ledger."""

from __future__ import annotations

from collections.abc import Mapping

from relorch.flags.model import Requirement

Current = Mapping[tuple[str, str, int], int]  # (api, env, major) -> live revision


def unmet(requirement: Requirement | None, env: str, current: Current) -> str | None:
    """Why `requirement` is not met in `env` (None when it is, or when there is none).

    A later revision of the same major carries the required one (revisions only add), so
    v2@rev5 live meets `requires: v2@rev3`.
    """
    if requirement is None:
        return None
    live = current.get((requirement.api, env, requirement.major))
    if live is None:
        return f"requires {requirement}: no revision of v{requirement.major} is live in {env}"
    if requirement.revision is not None and live < requirement.revision:
        return f"requires {requirement}: {env} runs v{requirement.major}@rev{live}"
    return None
