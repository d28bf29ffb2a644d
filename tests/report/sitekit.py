"""A realistic repository for the report tests: two majors (v1 deprecated since v2 went live in
production), three environments, a preview, a rollback, a failed deploy, a hold and a
deprecation notice, written by relorch's own ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from relorch.config import load_config
from relorch.git.gateway import Git
from relorch.ledger.records import Record, new_record
from relorch.ledger.store import Ledger
from tests.gitrepo import Clone, make_origin

NOW = "2026-08-20T12:00:00Z"
CONFIG = """\
[apis.products]

[support]
deprecation_period = "6 months"
reminder_before = "4 weeks"

[environments.staging]

[environments.canary]

[environments.production]
promote_from = "staging"
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def tag_at(repo: Clone, name: str, when: str, message: str) -> None:
    """An annotated revision tag dated `when` (its tagger date), pushed."""
    repo.git("tag", "-a", name, "-m", message, env={"GIT_COMMITTER_DATE": when + "T09:00:00Z"})
    repo.git("push", "-q", "origin", f"refs/tags/{name}")


class Writer:
    """Appends records through relorch.ledger.store, as deploy, hold and notify do."""

    def __init__(self, repo: Clone) -> None:
        self.git = Git(repo.path)
        self.config = load_config(repo.path)
        self.ledger = Ledger(self.git, self.config)
        self.runs = 100

    def add(self, *records: Record) -> None:
        self.ledger.append(lambda _state: list(records), subject="test records")

    def deploy(
        self,
        env: str,
        tag: str,
        when: str,
        *,
        action: str = "deploy",
        status: str = "succeeded",
        actor: str = "ana",
        reason: str | None = None,
    ) -> None:
        major, revision = (int(x) for x in tag[1:].split("-rev"))
        self.runs += 1
        url = f"https://ci.example.com/acme/products/runs/{self.runs}"
        common = {
            "api": "products",
            "env": env,
            "action": action,
            "actor": actor,
            "major": major,
            "revision": revision,
            "tag": tag,
            "sha": "0" * 40,
            "run_url": url,
        }
        started = new_record(status="started", now=at(when), **common)  # type: ignore[arg-type]
        done = new_record(
            status=status,
            now=at(when),
            lock=started.id,
            reason=reason,
            **common,  # type: ignore[arg-type]
        )
        self.add(started, done)

    def hold(self, env: str, tag: str, when: str, reason: str, actor: str = "omar") -> None:
        major, revision = (int(x) for x in tag[1:].split("-rev"))
        self.add(
            new_record(
                api="products",
                env=env,
                action="hold",
                status="held",
                now=at(when),
                actor=actor,
                major=major,
                revision=revision,
                tag=tag,
                reason=reason,
            )
        )

    def notice(self, key: str, when: str) -> None:
        self.add(
            new_record(
                api="products",
                env="*",
                action="notice",
                status="sent",
                now=at(when),
                actor="release-bot",
                major=int(key.rsplit("v", 1)[1]),
                reason=key.split(":", maxsplit=1)[0],
                extra={"key": key},
            )
        )


def realistic_repo(root: Path) -> Clone:
    """The repository every report test reads (see the module docstring)."""
    repo = make_origin(root, CONFIG)
    for number, day in ((1, "2025-03-01"), (2, "2025-06-01"), (3, "2025-09-01")):
        repo.commit(f"feat: v1 change {number}")
        repo.push("HEAD:main")
        tag_at(
            repo,
            f"v1-rev{number}",
            day,
            f"v1-rev{number}: feat: v1 change {number}\n\nFeatures\n- v1 change {number}",
        )
    repo.git("branch", "release/v1")
    repo.push("release/v1")
    for number, day in ((1, "2026-01-15"), (2, "2026-03-01"), (3, "2026-05-20")):
        repo.commit(f"feat!: v2 change {number}")
        repo.push("HEAD:main")
        tag_at(
            repo,
            f"v2-rev{number}",
            day,
            f"v2-rev{number}: 1 change\n\nBreaking changes\n- v2 change {number}",
        )
    repo.commit("feat: v2 change 4")
    repo.push("HEAD:main")
    tag_at(repo, "v2-rev4", "2026-06-10", "v2-rev4: 1 change\n\nFeatures\n- v2 change 4")
    w = Writer(repo)
    w.deploy("staging", "v1-rev2", "2025-06-02T10:00:00")
    w.deploy("production", "v1-rev2", "2025-06-03T10:00:00")
    w.deploy("staging", "v1-rev3", "2025-09-02T10:00:00")
    w.deploy("production", "v1-rev3", "2025-09-03T10:00:00")
    w.deploy(
        "production",
        "v1-rev2",
        "2025-09-04T08:30:00",
        action="rollback",
        actor="lea",
        reason="500s after v1-rev3",
    )
    w.deploy("staging", "v2-rev2", "2026-03-02T10:00:00")
    w.deploy("canary", "v2-rev2", "2026-03-02T14:00:00")
    w.deploy("production", "v2-rev2", "2026-03-03T10:00:00")
    w.notice("deprecation:products:v1", "2026-01-16T08:00:00")
    w.deploy("staging", "v2-rev3", "2026-05-21T10:00:00")
    w.hold("canary", "v2-rev3", "2026-05-21T12:00:00", "waiting for the partner sign-off")
    w.deploy(
        "production",
        "v2-rev3",
        "2026-05-22T10:00:00",
        status="failed",
        reason="deploy step exited 3",
    )
    w.deploy("staging", "v2-rev4", "2026-06-11T10:00:00", action="preview")
    return repo
