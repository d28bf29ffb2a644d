"""Applies a DeployPlan step by step: announce, notice window, lock, run, record, announce."""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from relorch.channels.events import Announcement
from relorch.config import Config
from relorch.deploy.guard import announced_record, lock_records
from relorch.deploy.plan import URGENT, DeployPlan
from relorch.deploy.steps import StepOutcome, run_step, terminate_as_interrupt
from relorch.durations import format_seconds
from relorch.errors import HeldError, OperationalError, RelorchError
from relorch.git.gateway import Git
from relorch.git.refs import clean_fetch_refs
from relorch.git.worktrees import add_worktree, remove_worktree, sweep_worktrees
from relorch.ledger.records import Record, format_time, new_record
from relorch.ledger.state import parse_time
from relorch.ledger.store import Ledger
from relorch.output import Reporter

# The lead wires relorch.channels.announce here: announcer(channel_names, event).
Announcer = Callable[[tuple[str, ...], Announcement], None]


@dataclass(frozen=True)
class DeployResult:
    """How a deploy or rollback ended and the ledger records that say so."""

    plan: DeployPlan
    status: str  # "succeeded" | "failed"
    started: Record
    finished: Record
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The result for --json (and the CI outputs)."""
        t = self.plan.target
        return {
            "action": self.plan.action,
            "mode": self.plan.mode,
            "preview_url": self.plan.preview_url,
            "env": self.plan.env,
            "api": t.api,
            "major": t.major,
            "revision": t.revision,
            "tag": t.tag,
            "sha": t.sha,
            "status": self.status,
            "deployed": self.status == "succeeded",
            "reason": self.reason,
            "previous": None
            if self.plan.live is None
            else {"revision": self.plan.live.revision, "tag": self.plan.live.tag},
            "record": self.finished.id,
            "actor": self.plan.run.actor,
        }


class Executor:
    """Runs one plan; every record goes through the ledger's compare-and-swap append."""

    def __init__(
        self,
        git: Git,
        config: Config,
        plan: DeployPlan,
        *,
        reporter: Reporter,
        announcer: Announcer | None = None,
        ledger: Ledger | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.git, self.config, self.plan = git, config, plan
        self.reporter = reporter
        self.announcer = announcer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ledger = ledger or Ledger(git, config, clock=self.clock)
        self.sleep = sleep
        self._announced = False
        self._started: Record | None = None
        self._outcome: StepOutcome | None = None
        self._result: DeployResult | None = None
        self._finishing = False

    def run(self) -> DeployResult:
        """Apply every step of the plan in order; raise when the deploy did not succeed."""
        for path in sweep_worktrees(self.git):
            self.reporter.line(f"removed the worktree of a deploy that died: {path}")
        clean_fetch_refs(self.git)
        with terminate_as_interrupt():
            for step in self.plan.steps:
                try:
                    getattr(self, "_" + step)()
                except BaseException as exc:
                    # Whatever stops a deploy after its lock was taken is recorded as its end.
                    if self._started is not None and self._result is None and not self._finishing:
                        self._finish("failed", _why(exc))
                    raise
        assert self._result is not None
        if self._result.status != "succeeded":
            raise OperationalError(
                f"{self.plan.action} of {self.plan.target.tag} to {self.plan.env} failed: "
                f"{self._result.reason}",
                hint="the failure is recorded; what was live stays current. See the step output "
                "above, fix, and run again",
            )
        return self._result

    # -- steps ------------------------------------------------------------------------------

    def _announce_pending(self) -> None:
        kind = "rollback_pending" if self.plan.action in URGENT else "pending"
        ends = self.clock() + timedelta(seconds=self.plan.notice_seconds)
        waits = self.plan.notice_seconds and "notice_window" in self.plan.steps
        self._announce(
            self._event(
                kind,
                notice_ends=ends if waits else None,
                reason=self.plan.notice_skipped if self.plan.action not in URGENT else None,
            ),
            blocking=True,
        )
        self._announced = True

    def _notice_window(self) -> None:
        remaining = self.plan.notice_seconds
        t = self.plan.target
        # The wait is recorded first, so the status site can show it; a ledger that cannot be
        # written stops the deploy here, as the lock would after the wait.
        now = self.clock()
        until = now + timedelta(seconds=remaining)
        self.ledger.append(
            lambda state: [announced_record(self.plan, now, until)],
            subject=f"{self.plan.action} {t.tag} to {self.plan.env}: announced",
        )
        self.reporter.step(
            f"notice window {format_seconds(remaining)}: object with "
            f"`relorch hold {shlex.quote(t.tag)} --env {self.plan.env} --reason TEXT`"
        )
        # A countdown in place on a terminal; a line a minute (or one at the end) in CI logs.
        live = self.reporter.interactive
        while remaining > 0:
            chunk = min(remaining, 1.0 if live else 60.0)
            self.sleep(chunk)
            remaining -= chunk
            if live:
                self.reporter.progress(f"    {format_seconds(remaining)} left", done=remaining <= 0)
            elif remaining > 0:
                self.reporter.line(f"    {format_seconds(remaining)} left")
        self.reporter.line("    notice window over: reading holds")

    def _lock(self) -> None:
        t = self.plan.target
        self.reporter.step(f"locking {t.api} in {self.plan.env}")
        try:
            appended = self.ledger.append(
                lambda state: lock_records(self.plan, state, self.clock()),
                subject=f"{self.plan.action} {t.tag} to {self.plan.env}: started",
            )
        except HeldError as exc:
            if self._announced:
                self._announce(self._event("held", reason=exc.message), blocking=False)
            raise
        self._started = appended.records[-1]
        if len(appended.records) > 1:
            self.reporter.warn(f"broke a stale lock: {appended.records[0].reason}")

    def _record_only(self) -> None:
        self.reporter.line("no deploy command configured for this environment: recording only")
        self._outcome = StepOutcome(0, False, 0.0)

    def _run_step(self) -> None:
        parent = Path(tempfile.mkdtemp(prefix="relorch-deploy-"))
        workdir, rendered = parent / "worktree", parent / "rendered"
        try:
            rendered.mkdir()
            self._render_into(rendered)
            env_config = self.config.environments.get(self.plan.env)
            paths = env_config.checkout if env_config else ()
            add_worktree(self.git, workdir, self.plan.target.sha, paths)
            argv = self.plan.argv(str(workdir), str(rendered))
            self.reporter.step("running " + " ".join(shlex.quote(a) for a in argv))
            env = {**os.environ, **self.plan.environment(str(workdir), str(rendered))}
            self._outcome = run_step(
                argv,
                cwd=workdir,
                env=env,
                timeout=self.plan.timeout_seconds,
                output=lambda text: self.reporter.line("  | " + text),
            )
        finally:
            self._cleanup(workdir, parent)

    def _render_into(self, rendered: Path) -> None:
        """{rendered}: the versioning config as it will be once this step succeeded."""
        from relorch.render import render_for_deploy
        from relorch.render.files import write_atomically

        started = self._started
        assert started is not None
        after = replace(
            started, status="succeeded", lock=started.id, time=format_time(self.clock())
        )
        notes = render_for_deploy(
            self.git, self.config, after=after, dest=rendered, now=self.clock()
        )
        if self.plan.flags is not None:
            # The API's flags as they will be once this revision is live (requires met by it).
            write_atomically(rendered / "flags.json", self.plan.flags.rendered.text)
            notes.append(f"flags.json: {self.plan.flags.rendered.count} flags")
        for note in notes:
            self.reporter.line("    " + note)

    def _cleanup(self, workdir: Path, parent: Path) -> None:
        if workdir.exists():
            remove_worktree(self.git, workdir)
        shutil.rmtree(parent, ignore_errors=True)

    def _record_result(self) -> None:
        outcome = self._outcome
        assert outcome is not None
        if outcome.ok:
            self._finish("succeeded", None)
        else:
            self._finish("failed", outcome.describe(self.plan.timeout_seconds))

    def _announce_result(self) -> None:
        assert self._result is not None
        ok = self._result.status == "succeeded"
        kind = ("rolled_back" if self.plan.action in URGENT else "succeeded") if ok else "failed"
        self._announce(self._event(kind, reason=self._result.reason), blocking=False)

    # -- helpers ----------------------------------------------------------------------------

    def _finish(self, status: str, reason: str | None) -> None:
        self._finishing = True
        started = self._started
        assert started is not None
        t = self.plan.target
        extra = {"seconds": f"{self._outcome.seconds:.1f}"} if self._outcome else {}
        record = new_record(
            api=t.api,
            env=self.plan.env,
            action=self.plan.action,
            status=status,
            now=self.clock(),
            actor=self.plan.run.actor,
            run_url=self.plan.run.run_url,
            major=t.major,
            revision=t.revision,
            tag=t.tag,
            sha=t.sha,
            reason=reason,
            lock=started.id,
            extra=extra,
        )
        try:
            self.ledger.append(
                lambda state: [record],
                subject=f"{self.plan.action} {t.tag} to {self.plan.env}: {status}",
            )
        except OperationalError as exc:
            raise OperationalError(
                f"the {self.plan.action} {status} but recording it failed: {exc.message}",
                hint=f"the lock of {t.api} in {self.plan.env} stays open; once the ledger is "
                "reachable, run again with --break-lock after lock_timeout",
            ) from None
        self._result = DeployResult(self.plan, status, started, record, reason)
        line = f"{self.plan.action} of {t.tag} to {self.plan.env} {status}"
        if status == "succeeded":
            self.reporter.ok(line)
        else:
            self.reporter.line(f"{line}: {reason}", "red")

    def _event(self, kind: str, **fields: Any) -> Announcement:
        p, t = self.plan, self.plan.target
        # Objecting only makes sense while a notice window is still to come; "" shows none.
        waits = kind == "pending" and "notice_window" in p.steps
        hold = f"relorch hold {shlex.quote(t.tag)} --env {shlex.quote(p.env)} --reason TEXT"
        return Announcement(
            kind=kind,
            api=t.api,
            env=p.env,
            ref=p.ref,
            tag=t.tag,
            sha=t.sha,
            major=t.major,
            revision=t.revision,
            live_tag=p.live.tag if p.live else None,
            notes=p.notes,
            actor=p.run.actor,
            run_url=p.run.run_url,
            hold_command=hold if waits else "",
            flags=p.flags.switching if p.flags is not None and kind == "pending" else (),
            mode=p.mode,
            preview_url=p.preview_url,
            previewed_since=parse_time(p.previewed_since) if p.previewed_since else None,
            **fields,
        )

    def _announce(self, event: Announcement, *, blocking: bool) -> None:
        channels = self.plan.announce_channels
        try:
            if self.announcer is None:
                raise OperationalError(
                    "announcements are not available in this build",
                    hint='set announce_failure = "warn" to deploy without announcing',
                )
            self.announcer(channels, event)
        except OperationalError as exc:
            reached = [d for d in getattr(exc, "deliveries", []) if d.delivered]
            failed = [c for c in channels if c not in {d.channel for d in reached}]
            if blocking and self.plan.announce_failure != "warn":
                self._cancel(tuple(d.channel for d in reached), failed)
                raise OperationalError(
                    f"could not announce the {self.plan.action} on {', '.join(failed)}: "
                    f"{exc.message}; nothing was deployed",
                    hint=exc.hint or 'fix the channel, or set announce_failure = "warn"',
                ) from None
            self.reporter.warn(f"announcement not delivered: {exc.message}")

    def _cancel(self, reached: tuple[str, ...], failed: list[str]) -> None:
        """Channels that were told "pending" hear that it is off: nothing was deployed."""
        if not reached or self.announcer is None:
            return
        why = f"cancelled: not deployed (the announcement could not reach {', '.join(failed)})"
        try:
            self.announcer(reached, self._event("cancelled", reason=why))
        except OperationalError as exc:
            self.reporter.warn(f"cancellation not delivered: {exc.message}")


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = exc.message if isinstance(exc, RelorchError) else str(exc) or type(exc).__name__
    return f"could not run the deploy step: {text}"
