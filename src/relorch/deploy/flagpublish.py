"""`relorch flags publish`: an environment's flag file out through its `flags` step, without a
redeploy — announced, under the API's lock in that environment, recorded in the ledger."""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from relorch.channels.events import Announcement
from relorch.config import Config
from relorch.deploy.flagplan import PublishPlan, lock_guard, publish_record
from relorch.deploy.steps import StepOutcome, run_step, terminate_as_interrupt
from relorch.errors import OperationalError
from relorch.git.gateway import Git
from relorch.git.worktrees import add_worktree, remove_worktree
from relorch.ledger.records import Record
from relorch.ledger.store import Ledger
from relorch.output import Reporter
from relorch.render.files import write_atomically

Announcer = Callable[[tuple[str, ...], Announcement], None]


class Publisher:
    """Applies a PublishPlan: announce, lock, run the step, record, announce the result."""

    def __init__(
        self,
        git: Git,
        config: Config,
        plan: PublishPlan,
        *,
        reporter: Reporter,
        announcer: Announcer | None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.git, self.config, self.plan = git, config, plan
        self.reporter, self.announcer = reporter, announcer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ledger = Ledger(git, config, clock=self.clock)

    def run(self) -> Record:
        """Publish; the finishing record (raises when the step failed, after recording it)."""
        p = self.plan
        self._announce(self._message("Publishing"), blocking=True)
        self.reporter.step(f"locking {p.api} in {p.env}")
        appended = self.ledger.append(
            lambda state: lock_guard(p, state, self.clock()),
            subject=f"flags {p.rendered.digest[:19]} to {p.env}: started",
        )
        started = appended.records[-1]
        try:
            with terminate_as_interrupt():
                outcome = self._run_step()
        except BaseException as exc:
            # Whatever stops the step after the lock was taken is recorded as its end.
            why = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
            self._finish(started, "failed", f"could not run the flags step: {why}")
            raise
        status = "succeeded" if outcome.ok else "failed"
        reason = None
        if not outcome.ok:
            reason = outcome.describe(p.timeout_seconds).replace("deploy step", "flags step")
        finished = self._finish(started, status, reason)
        if status != "succeeded":
            self._announce(self._message("Publishing", failed=reason), blocking=False)
            raise OperationalError(
                f"publishing flags to {p.env} failed: {reason}",
                hint="the failure is recorded; what the environment had stays as it was "
                "unless the step wrote part of it. Fix and run again",
            )
        self.reporter.ok(
            f"published {p.rendered.count} flags to {p.env} ({p.rendered.digest[:19]})"
        )
        self._announce(self._message("Published"), blocking=False)
        return finished

    def _finish(self, started: Record, status: str, reason: str | None) -> Record:
        p = self.plan
        finished = publish_record(p, status, self.clock(), reason=reason, lock=started.id)
        self.ledger.append(lambda state: [finished], subject=f"flags to {p.env}: {status}")
        return finished

    def _run_step(self) -> StepOutcome:
        p = self.plan
        parent = Path(tempfile.mkdtemp(prefix="relorch-flags-"))
        workdir, rendered = parent / "worktree", parent / "rendered"
        try:
            rendered.mkdir()
            write_atomically(rendered / "flags.json", p.rendered.text)
            add_worktree(self.git, workdir, p.commit)
            argv = p.argv(str(workdir), str(rendered))
            self.reporter.step("running " + " ".join(shlex.quote(a) for a in argv))
            values = p.values(str(workdir), str(rendered))
            env = {**os.environ, **{f"RELORCH_{k.upper()}": v for k, v in values.items()}}
            env["RELORCH_ACTION"] = "flags"
            return run_step(
                argv,
                cwd=workdir,
                env=env,
                timeout=p.timeout_seconds,
                output=lambda text: self.reporter.line("  | " + text),
            )
        finally:
            if workdir.exists():
                remove_worktree(self.git, workdir)
            shutil.rmtree(parent, ignore_errors=True)

    def _message(self, verb: str, failed: str | None = None) -> Announcement:
        p = self.plan
        text = (
            f"{verb} feature flags of {p.api} to {p.env}: {p.rendered.count} flags from commit "
            f"{p.commit[:12]} ({p.rendered.digest[:19]})."
        )
        if failed:
            text = f"Publishing feature flags of {p.api} to {p.env} failed: {failed}"
        off = [f"{key} stays off: {why}" for key, why in p.rendered.off[:10]]
        return Announcement(
            kind="notice",
            api=p.api,
            env=p.env,
            sha=p.commit,
            actor=p.run.actor,
            run_url=p.run.run_url,
            message="\n".join([text, *off]),
        )

    def _announce(self, event: Announcement, *, blocking: bool) -> None:
        channels = self.plan.announce_channels
        if not channels:
            return
        try:
            if self.announcer is None:
                raise OperationalError("announcements are not available in this build")
            self.announcer(channels, event)
        except OperationalError as exc:
            if blocking and self.plan.announce_failure != "warn":
                raise OperationalError(
                    f"could not announce the flags publish on {', '.join(channels)}: "
                    f"{exc.message}; nothing was published",
                    hint=exc.hint or 'fix the channel, or set announce_failure = "warn"',
                ) from None
            self.reporter.warn(f"announcement not delivered: {exc.message}")
