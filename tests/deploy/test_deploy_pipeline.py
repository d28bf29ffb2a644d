"""The deploy pipeline in-process: plan steps, the announcement hook, the notice window, holds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from relorch.channels.events import Announcement
from relorch.config import Config, load_config
from relorch.deploy.executor import Executor
from relorch.deploy.holds import apply_hold, plan_hold
from relorch.deploy.plan import plan_deploy
from relorch.errors import ConflictError, HeldError, OperationalError
from relorch.git.gateway import Git
from relorch.ledger.store import Ledger
from relorch.output import Reporter
from tests.deploykit import env_block, origin_records, setup_project
from tests.gitrepo import Clone

ANNOUNCED = '[channels.platform]\nkind = "console"\n'


def project(repo: Clone, extra: str) -> tuple[Git, Config]:
    setup_project(repo, ANNOUNCED + env_block("production", deploy=False, extra=extra))
    git = Git(repo.path)
    return git, load_config(git.root)


class Channel:
    """A stand-in channel that remembers what it was asked to announce."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[tuple[tuple[str, ...], Announcement]] = []
        self.fail = fail

    def __call__(self, names: tuple[str, ...], event: Announcement) -> None:
        self.events.append((names, event))
        if self.fail:
            raise OperationalError("webhook answered 503")


def test_plan_lists_announcement_steps_around_the_lock(repo: Clone) -> None:
    git, config = project(repo, 'announce = ["platform"]\nnotice = "15m"')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    assert plan.steps == (
        "announce_pending",
        "notice_window",
        "lock",
        "record_only",
        "record_result",
        "announce_result",
    )
    assert plan.announce_channels == ("platform",)
    assert plan.notice_seconds == 900


def test_deploy_announces_waits_the_notice_then_announces_the_result(repo: Clone) -> None:
    git, config = project(repo, 'announce = ["platform"]\nnotice = "2m"')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    channel, slept = Channel(), list[float]()
    Executor(
        git, config, plan, reporter=Reporter(io.StringIO()), announcer=channel, sleep=slept.append
    ).run()
    assert [e.kind for _, e in channel.events] == ["pending", "succeeded"]
    pending = channel.events[0][1]
    assert pending.tag == "v1-rev2"
    assert pending.notice_ends is not None
    assert pending.hold_command == "relorch hold v1-rev2 --env production --reason TEXT"
    assert sum(slept) == 120


def test_hold_placed_during_the_notice_window_stops_the_deploy(repo: Clone) -> None:
    git, config = project(repo, 'announce = ["platform"]\nnotice = "1m"')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    channel = Channel()

    def someone_objects(seconds: float) -> None:
        hold = plan_hold(
            git,
            config,
            action="hold",
            ref_text="v1",
            env="production",
            reason="consumers not ready",
        )
        apply_hold(git, config, hold)

    executor = Executor(
        git,
        config,
        plan,
        reporter=Reporter(io.StringIO()),
        announcer=channel,
        sleep=someone_objects,
    )
    with pytest.raises(HeldError) as caught:
        executor.run()
    assert caught.value.exit_code == 6
    assert "consumers not ready" in caught.value.message
    assert [e.kind for _, e in channel.events] == ["pending", "held"]
    statuses = [(r["action"], r["status"]) for r in origin_records(repo.origin)]
    assert statuses == [("deploy", "announced"), ("hold", "held")]


def test_undeliverable_announcement_blocks_the_deploy(repo: Clone) -> None:
    git, config = project(repo, 'announce = ["platform"]')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    with pytest.raises(OperationalError, match="nothing was deployed"):
        Executor(
            git, config, plan, reporter=Reporter(io.StringIO()), announcer=Channel(fail=True)
        ).run()
    assert origin_records(repo.origin) == []


def test_announce_failure_warn_deploys_anyway(repo: Clone) -> None:
    git, config = project(repo, 'announce = ["platform"]\nannounce_failure = "warn"')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    out = io.StringIO()
    result = Executor(git, config, plan, reporter=Reporter(out), announcer=Channel(fail=True)).run()
    assert result.status == "succeeded"
    assert "announcement not delivered: webhook answered 503" in out.getvalue()


def test_announcing_environment_reaches_the_console_channel_through_the_cli(
    repo: Clone, tmp_path: Path
) -> None:
    setup_project(
        repo, ANNOUNCED + env_block("production", deploy=False, extra='announce = ["platform"]')
    )
    result = repo.relorch("deploy", "v1", "--env", "production")
    assert result.returncode == 0, result.stderr
    assert "v1-rev2" in result.stderr


def test_notice_window_that_cannot_be_recorded_stops_the_deploy_before_waiting(
    repo: Clone,
) -> None:
    git, config = project(repo, 'announce = ["platform"]\nnotice = "1m"')
    plan = plan_deploy(git, config, ref_text="v1", env="production")
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\nwhile read old new ref; do\n"
        '  [ "$ref" = refs/relorch/ledger ] && { echo "ledger frozen" >&2; exit 1; }\n'
        "done\nexit 0\n"
    )
    hook.chmod(0o755)
    slept: list[float] = []
    executor = Executor(
        git,
        config,
        plan,
        reporter=Reporter(io.StringIO()),
        announcer=Channel(),
        ledger=Ledger(git, config, sleep=lambda _: None, attempts=2),
        sleep=slept.append,
    )
    with pytest.raises(ConflictError):
        executor.run()
    assert slept == []  # the notice window was never waited
    assert origin_records(repo.origin) == []
