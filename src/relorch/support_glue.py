"""Support-policy state for status rows, taken from relorch.support once it is present."""

from __future__ import annotations

from datetime import UTC, datetime

from relorch.config import Config
from relorch.history import ApiHistory


def support_for(
    config: Config, history: ApiHistory, now: datetime | None
) -> dict[int, tuple[str, datetime | None, datetime | None]]:
    """major -> (state, deprecated_at, sunset_at)."""
    try:
        from relorch import support
    except ImportError:
        return {}
    states = support.support_states(history, config.support, now or datetime.now(UTC))
    return {m: (s.state, s.deprecated_at, s.sunset_at) for m, s in states.items()}  # type: ignore[attr-defined]
