"""The deploy plan: what deploying, previewing, rolling back or withdrawing would do (the
ledger's rules it must meet are `guard`'s)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from relorch.ci import RunContext
from relorch.config import Config
from relorch.config.model import DEPLOY_PLACEHOLDERS
from relorch.deploy.guard import check_rules
from relorch.deploy.targets import Target
from relorch.errors import ConfigError, UsageError
from relorch.flags.switch import DeployFlags, for_deploy
from relorch.git.gateway import Git
from relorch.ledger.state import LedgerState, Live

PLACEHOLDERS = DEPLOY_PLACEHOLDERS
# What the step is asked to do with the revision ({mode} / RELORCH_MODE) per ledger action.
MODES = {"deploy": "current", "rollback": "current", "preview": "preview", "withdraw": "withdraw"}
# Urgent actions: announced, never waited (they take something back).
URGENT = ("rollback", "withdraw")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class DeployPlan:
    """Everything a deploy or rollback will do, decided before anything is written.

    `steps` is the pipeline the executor runs in order; `announce_channels` and
    `notice_seconds` drive the announcement steps (the executor calls its announcer for them).
    """

    action: str  # "deploy" | "rollback" | "preview" | "withdraw"
    ref: str  # as the user wrote it
    env: str
    target: Target
    live: Live | None
    run: RunContext
    command: tuple[str, ...] | None  # the environment's deploy argv, placeholders unresolved
    timeout_seconds: float
    lock_timeout_seconds: float
    promote_from: str | None
    announce_channels: tuple[str, ...]
    announce_failure: str  # "block" | "warn"
    notice_seconds: float
    break_lock: bool = False
    allow_rolled_back: bool = False
    notes: tuple[str, ...] = ()
    steps: tuple[str, ...] = field(default=())
    notice_skipped: str | None = None  # why the notice window is not waited ("--no-wait --force")
    flags: DeployFlags | None = None  # the API's flag file for {rendered}, and what switches on
    previewed_since: str | None = None  # a deploy of a revision in preview: since when
    preview_url: str | None = None  # where a preview is (or was) reached: {base}/v{N};rev={R}

    @property
    def mode(self) -> str:
        """current (deploy, rollback), preview or withdraw: {mode} and RELORCH_MODE."""
        return MODES[self.action]

    @property
    def values(self) -> dict[str, str]:
        """The placeholder values known before the worktree exists."""
        t = self.target
        return {
            "api": t.api,
            "major": str(t.major),
            "revision": str(t.revision),
            "tag": t.tag,
            "sha": t.sha,
            "env": self.env,
            "mode": self.mode,
        }

    def argv(self, workdir: str, rendered: str) -> tuple[str, ...]:
        """The deploy command with every placeholder substituted, each argument on its own."""
        if self.command is None:
            return ()
        values = {**self.values, "workdir": workdir, "rendered": rendered}
        return tuple(substitute(arg, values) for arg in self.command)

    def environment(self, workdir: str, rendered: str) -> dict[str, str]:
        """RELORCH_* variables exported to the deploy step (the same values as the placeholders)."""
        values = {**self.values, "workdir": workdir, "rendered": rendered, "action": self.action}
        return {f"RELORCH_{k.upper()}": v for k, v in values.items()}

    def to_json(self) -> dict[str, Any]:
        """The plan for --dry-run --json."""
        t = self.target
        return {
            "action": self.action,
            "mode": self.mode,
            "ref": self.ref,
            "env": self.env,
            "api": t.api,
            "major": t.major,
            "revision": t.revision,
            "tag": t.tag,
            "sha": t.sha,
            "line": t.line,
            "live": None
            if self.live is None
            else {"revision": self.live.revision, "tag": self.live.tag},
            "command": None
            if self.command is None
            else list(self.argv("<worktree>", "<rendered>")),
            "timeout_seconds": self.timeout_seconds,
            "announce": list(self.announce_channels),
            "notice_seconds": self.notice_seconds,
            "steps": list(self.steps),
            "previewed_since": self.previewed_since,
            "preview_url": self.preview_url,
            "actor": self.run.actor,
            "run_url": self.run.run_url,
            "flags": None
            if self.flags is None
            else {
                "digest": self.flags.rendered.digest,
                "count": self.flags.rendered.count,
                "switching": list(self.flags.switching),
            },
        }


def substitute(arg: str, values: Mapping[str, str]) -> str:
    """Replace {name} placeholders in one argument; no format-string evaluation, no splitting."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), arg)


def check_command(command: tuple[str, ...] | None, env: str) -> None:
    """Unknown {placeholders} are config errors: a typo must not reach the deploy tool."""
    for arg in command or ():
        for name in _PLACEHOLDER.findall(arg):
            if name not in PLACEHOLDERS:
                raise ConfigError(
                    f"environments.{env}.deploy: unknown placeholder {{{name}}} in {arg!r}",
                    hint="placeholders: " + " ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                )


def make_plan(
    git: Git,
    config: Config,
    *,
    action: str,
    ref: str,
    env: str,
    target: Target,
    state: LedgerState,
    run: RunContext,
    break_lock: bool,
    allow_rolled_back: bool,
    now: datetime,
    no_wait: bool = False,
    force: bool = False,
) -> DeployPlan:
    """The plan for putting `target` live in `env`, checked against the ledger as it is now."""
    environment = config.environment(env)
    check_command(environment.deploy, env)
    # announce_previews = false: previews come and go quietly (nobody told, nobody to wait for).
    quiet = action in ("preview", "withdraw") and not environment.announce_previews
    announce = () if quiet else environment.announce
    has_notice = environment.notice.total_seconds > 0 and not quiet
    skipped = _notice_skipped(action, env, has_notice, no_wait=no_wait, force=force)
    live = state.current(target.api, env, target.major)
    notes: tuple[str, ...] = ()
    if announce and live is not None and git.has_commit(live.sha) and action != "withdraw":
        # A deploy or preview brings live..target; a rollback takes target..live back.
        base, head = (target.sha, live.sha) if action == "rollback" else (live.sha, target.sha)
        notes = tuple(s for _, s in git.log(base, head, config.apis[target.api].paths))
    elif announce and live is None and action == "deploy":
        notes = tag_notes(git.tag_message(target.tag))  # a first deploy brings the whole tag
    in_preview = state.preview(target.api, env, target.major, target.revision)
    steps = [
        *(("announce_pending",) if announce else ()),
        *(("notice_window",) if has_notice and skipped is None else ()),
        "lock",
        "run_step" if environment.deploy is not None else "record_only",
        "record_result",
        *(("announce_result",) if announce else ()),
    ]
    plan = DeployPlan(
        action=action,
        ref=ref,
        env=env,
        target=target,
        live=live,
        run=run,
        command=environment.deploy,
        timeout_seconds=float(environment.timeout.total_seconds),
        lock_timeout_seconds=float(environment.lock_timeout.total_seconds),
        promote_from=environment.promote_from,
        announce_channels=announce,
        announce_failure=environment.announce_failure,
        notice_seconds=float(environment.notice.total_seconds),
        break_lock=break_lock,
        allow_rolled_back=allow_rolled_back,
        notes=notes,
        steps=tuple(steps),
        notice_skipped=skipped,
        previewed_since=in_preview.since if in_preview and action == "deploy" else None,
        preview_url=(
            _preview_url(config, env, target) if action in ("preview", "withdraw") else None
        ),
        flags=for_deploy(
            git,
            config,
            api=target.api,
            env=env,
            major=target.major,
            # a preview is not live: it meets no `requires`
            revision=None if action in ("preview", "withdraw") else target.revision,
            current={key: live.revision for key, live in state.live.items()},
            now=now,
            window_seconds=environment.notice.total_seconds,
        ),
    )
    check_rules(plan, state, now)
    return plan


def _preview_url(config: Config, env: str, target: Target) -> str | None:
    """The URL that reaches this revision beside the current one (`;rev=N`)."""
    from relorch.render.context import public_url

    api = config.apis[target.api]
    url = public_url(api, config.apim_for(api, env), target.major, target.revision)
    return url.url if url is not None else None


def _notice_skipped(
    action: str, env: str, has_notice: bool, *, no_wait: bool, force: bool
) -> str | None:
    """Rollbacks and withdrawals are urgent and never wait; a deploy or preview skips its
    notice only with --force."""
    if not has_notice:
        return None
    if action in URGENT:
        return f"{action}s are urgent: announced, never waited"
    if not no_wait:
        return None
    if not force:
        raise UsageError(
            f"{env} has a notice window: other teams may object during it; --no-wait is refused",
            hint="wait it out, or pass --no-wait --force (recorded in the ledger and announced)",
        )
    return "--no-wait --force"


def tag_notes(message: str) -> tuple[str, ...]:
    """The entries of a revision tag's notes (`- subject (sha)` lines), else its text lines."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    bullets = tuple(line[2:].strip() for line in lines if line.startswith(("- ", "* ")))
    return bullets or tuple(lines[1:] or lines)


def run_context(git: Git) -> RunContext:
    """Who deploys and from which CI run (recorded in the ledger)."""
    from relorch.ci import detect

    return detect(git_user=git.config_value("user.name"))


def plan_deploy(
    git: Git,
    config: Config,
    *,
    ref_text: str,
    env: str,
    api_name: str | None = None,
    break_lock: bool = False,
    allow_rolled_back: bool = False,
    now: datetime | None = None,
    no_wait: bool = False,
    force: bool = False,
    preview: bool = False,
) -> DeployPlan:
    """Resolve REF against the remote and the ledger and plan its deploy to `env` (`preview`:
    beside the current revision, reachable only by its revision)."""
    from datetime import UTC

    from relorch.deploy.targets import parse_for, resolve
    from relorch.ledger.store import Ledger

    config.environment(env)
    ref, api = parse_for(config, ref_text, api_name)
    state = Ledger(git, config).read_state()
    target = resolve(git, config, ref, api, env=env, state=state)
    return make_plan(
        git,
        config,
        action="preview" if preview else "deploy",
        ref=ref_text,
        env=env,
        target=target,
        state=state,
        run=run_context(git),
        break_lock=break_lock,
        allow_rolled_back=allow_rolled_back,
        now=now or datetime.now(UTC),
        no_wait=no_wait,
        force=force,
    )
