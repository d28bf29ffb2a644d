"""Which revisions an environment accepts: promotion (promote_from) and previews."""

from __future__ import annotations

import shlex
from typing import Protocol

from relorch.config import PROMOTE_FROM_PREVIEW
from relorch.deploy.targets import Target
from relorch.errors import PreconditionError
from relorch.ledger.state import LedgerState


class Move(Protocol):
    """What the rules need of a plan (a DeployPlan is one; no import of it, no circle)."""

    @property
    def action(self) -> str: ...
    @property
    def env(self) -> str: ...
    @property
    def target(self) -> Target: ...
    @property
    def promote_from(self) -> str | None: ...


def check_preview(plan: Move, state: LedgerState) -> None:
    """A preview sits above the current revision; a withdrawal needs a preview to take away."""
    t, env = plan.target, plan.env
    live = state.current(t.api, env, t.major)
    if plan.action == "preview":
        if live is None:
            raise PreconditionError(
                f"nothing of {t.api} v{t.major} is current in {env}: a preview sits beside the "
                "current revision",
                hint=f"deploy it first: relorch deploy {shlex.quote(t.tag)} --env {env}",
            )
        if t.revision <= live.revision:
            raise PreconditionError(
                f"{t.tag} is at or below the current {live.tag} in {env}: only a newer revision "
                "can be previewed",
                hint="it is current already"
                if t.revision == live.revision
                else f"to go back, roll back: relorch rollback --env {env} --to "
                f"{shlex.quote(t.tag)}",
            )
    if plan.action == "withdraw" and state.preview(t.api, env, t.major, t.revision) is None:
        raise PreconditionError(
            f"{t.tag} is not in preview in {env}: nothing to withdraw",
            hint=f"relorch status --env {env} shows the previews",
        )


def check_promotion(plan: Move, state: LedgerState) -> None:
    """promote_from: an environment's revisions come from another one, or from a preview."""
    t, env, source = plan.target, plan.env, plan.promote_from
    if source is None or plan.action == "withdraw":
        return
    known = t.revision in state.succeeded.get((t.api, env, t.major), frozenset())
    if plan.action == "rollback" and known:
        return  # a rollback to a revision that already served here
    if source == PROMOTE_FROM_PREVIEW:
        live = state.current(t.api, env, t.major)
        if plan.action == "preview" or live is None or live.revision == t.revision:
            # The preview itself; a major's first revision here (nothing current to preview
            # beside); or a redeploy of what is current already.
            return
        if not state.previewed_in(t.api, env, t.major, t.revision):
            raise PreconditionError(
                f"{t.tag} has not succeeded as a preview in {env}; {env} only makes current "
                "what was tried there first",
                hint=f"preview it first: relorch deploy {shlex.quote(t.tag)} --env {env} --preview",
            )
        return
    if not state.succeeded_in(t.api, source, t.major, t.revision):
        raise PreconditionError(
            f"{t.tag} has not succeeded in {source}; {env} only accepts revisions promoted "
            "from there",
            hint=f"deploy it there first: relorch deploy {shlex.quote(t.tag)} --env {source}",
        )
