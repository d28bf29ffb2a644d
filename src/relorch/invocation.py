"""What one CLI invocation learns once and reuses: today, what `sync_tags` listed.

The CLI starts every command with a fresh memo (`begin`); code run outside the CLI (the
library, tests calling functions) has none and always asks again. Nothing here outlives the
command, so a later command never sees an earlier one's view of the remote.
"""

from __future__ import annotations

from contextvars import ContextVar

_MEMO: ContextVar[dict[object, object] | None] = ContextVar("relorch_invocation", default=None)


def begin() -> None:
    """Start this command's memo (the CLI, once per invocation, in its own context)."""
    _MEMO.set({})


def memo() -> dict[object, object] | None:
    """This command's memo, None outside a CLI invocation."""
    return _MEMO.get()
