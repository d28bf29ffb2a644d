"""Planning a rollback: which revision goes back live (or which preview is withdrawn), checked
like any deploy."""

from __future__ import annotations

from datetime import UTC, datetime

from relorch.config import Config
from relorch.deploy.plan import DeployPlan, make_plan, run_context
from relorch.deploy.targets import parse_for, resolve
from relorch.errors import PreconditionError, UsageError
from relorch.git.gateway import Git
from relorch.ledger.store import Ledger
from relorch.versions import Ref


def plan_rollback(
    git: Git,
    config: Config,
    *,
    env: str,
    ref_text: str | None = None,
    to_text: str | None = None,
    api_name: str | None = None,
    break_lock: bool = False,
    allow_rolled_back: bool = False,
    now: datetime | None = None,
) -> DeployPlan:
    """Plan putting the previous good revision (or --to) of one major back live in `env`.

    The major comes from REF, else from --to, else it is the only major live in `env`.
    """
    config.environment(env)
    state = Ledger(git, config).read_state()
    if ref_text is not None:
        ref, api = parse_for(config, ref_text, api_name)
        if ref.which not in (None, "latest", "current"):
            raise UsageError(
                f"REF {ref_text!r} names a revision; rollback's REF only selects the major",
                hint=f"to pick the target revision: relorch rollback --env {env} --to {ref_text}",
            )
        major = ref.major
    elif to_text is not None:
        ref, api = parse_for(config, to_text, api_name)
        major = ref.major
    else:
        api = config.api(api_name)
        majors = state.live_majors(api.name, env)
        if not majors:
            raise PreconditionError(
                f"nothing of {api.name} has been deployed to {env}: nothing to roll back",
            )
        if len(majors) > 1:
            listed = ", ".join(f"v{m}" for m in majors)
            raise UsageError(
                f"several majors of {api.name} are live in {env} ({listed}): name one",
                hint=f"relorch rollback --env {env} v{majors[-1]}",
            )
        major = majors[0]
    live = state.current(api.name, env, major)
    if live is None:
        raise PreconditionError(
            f"nothing of {api.name} v{major} has been deployed to {env}: nothing to roll back",
        )
    if to_text is not None:
        to_ref, to_api = parse_for(config, to_text, api.name)
        if to_ref.major != major:
            raise UsageError(
                f"--to {to_text} is not a revision of v{major}; a rollback stays within a major",
            )
        target = resolve(git, config, to_ref, to_api, env=env, state=state)
        if target.revision >= live.revision:
            raise PreconditionError(
                f"--to {target.tag} is not below the live {live.tag} in {env}",
                hint=f"to go forward, deploy: relorch deploy {target.tag} --env {env}",
            )
    else:
        previous = state.previous_good(api.name, env, major)
        if previous is None:
            raise PreconditionError(
                f"nothing to roll back to: no revision of v{major} below {live.tag} succeeded "
                f"in {env} (rolled-back revisions do not count)",
                hint=f"name one explicitly: relorch rollback --env {env} --to v{major}@revN",
            )
        target = resolve(
            git, config, Ref(major, api.name, "rev", previous), api, env=env, state=state
        )
    return make_plan(
        git,
        config,
        action="rollback",
        ref=to_text or ref_text or f"v{major}",
        env=env,
        target=target,
        state=state,
        run=run_context(git),
        break_lock=break_lock,
        allow_rolled_back=allow_rolled_back,
        now=now or datetime.now(UTC),
    )


def plan_withdraw(
    git: Git,
    config: Config,
    *,
    env: str,
    ref_text: str | None = None,
    api_name: str | None = None,
    break_lock: bool = False,
    now: datetime | None = None,
) -> DeployPlan:
    """Plan taking a preview away from `env`: the one REF names (`v2@rev5`), else the highest
    preview of REF's major, else of the only major with a preview there."""
    config.environment(env)
    state = Ledger(git, config).read_state()
    if ref_text is not None:
        ref, api = parse_for(config, ref_text, api_name)
        major = ref.major
    else:
        api = config.api(api_name)
        majors = [
            m for m in state.live_majors(api.name, env) if state.previews_of(api.name, env, m)
        ]
        if len(majors) != 1:
            listed = ", ".join(f"v{m}" for m in majors)
            raise (PreconditionError if not majors else UsageError)(
                f"{api.name} has no preview in {env}"
                if not majors
                else f"several majors of {api.name} have previews in {env} ({listed}): name one",
                hint=f"relorch status --env {env} shows the previews",
            )
        major, ref = majors[0], None
    previews = state.previews_of(api.name, env, major)
    if ref is not None and ref.which == "rev" and ref.revision is not None:
        revision = ref.revision
    elif ref is None or ref.which in (None, "latest"):
        if not previews:
            raise PreconditionError(
                f"{api.name} v{major} has no preview in {env}: nothing to withdraw",
                hint=f"relorch status --env {env} shows the previews",
            )
        revision = previews[-1].revision
    else:
        raise UsageError(
            f"REF {ref_text!r}: name the preview to withdraw (v{major}@revN) or only its major",
        )
    target = resolve(
        git, config, Ref(major, api.name, "rev", revision), api, env=env, state=state, verify=False
    )
    return make_plan(
        git,
        config,
        action="withdraw",
        ref=ref_text or f"v{major}",
        env=env,
        target=target,
        state=state,
        run=run_context(git),
        break_lock=break_lock,
        allow_rolled_back=False,
        now=now or datetime.now(UTC),
    )
