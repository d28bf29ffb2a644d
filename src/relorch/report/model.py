"""The status site's model: what one repository (or a fleet) shows, as plain frozen values.

Every renderer (HTML, status.json, calendar.ics, summary.md) reads these and nothing else, so
the four files always tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

# The state a live-where cell is in, in words (never a colour alone).
DEPLOYED = "deployed"
FAILED = "failed"
ROLLED_BACK = "rolled back"
HELD = "held"
NOTICE = "in a notice window"  # a deploy announced and waiting out its notice window
DEPLOYING = "deploying"
NOT_DEPLOYED = "not deployed"
CELL_STATES = (DEPLOYED, FAILED, ROLLED_BACK, HELD, NOTICE, DEPLOYING, NOT_DEPLOYED)


@dataclass(frozen=True)
class Cell:
    """One environment of one major: what is live there and what last happened."""

    env: str
    state: str  # one of CELL_STATES
    summary: str  # the state in a short sentence ("rev5 failed; rev4 still live")
    revision: int | None = None
    tag: str | None = None
    when: datetime | None = None
    actor: str | None = None
    run_url: str | None = None
    previous_good: int | None = None
    preview: str | None = None  # the revisions in preview there (;rev=N), e.g. "rev5"
    notice_until: datetime | None = None  # when the notice window of a waiting deploy ends

    def with_state(self, state: str, summary: str) -> Cell:
        """The same cell in another state."""
        return replace(self, state=state, summary=summary)


@dataclass(frozen=True)
class MajorRow:
    """A row of the live-where table: one major of one API across the environments."""

    api: str
    major: int
    support: str
    latest_tag: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class NoticeSent:
    """A lifecycle notice the ledger recorded as sent."""

    kind: str  # deprecation | reminder
    when: datetime


@dataclass(frozen=True)
class Lifecycle:
    """One major's place in the support policy."""

    api: str
    major: int
    state: str  # current | deprecated | retired
    released: datetime | None
    deprecated_at: datetime | None
    sunset_at: datetime | None
    reminder_at: datetime | None
    days_left: int | None
    latest_tag: str
    revisions: int
    notices: tuple[NoticeSent, ...]
    next_notice: str | None  # "reminder due 2026-06-01", "deprecation due now"
    next_notice_at: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class Upcoming:
    """Something that happens in the next days: a sunset, a reminder, a flag, an open hold."""

    when: datetime
    kind: str  # sunset | reminder | hold | flag
    api: str
    major: int | None
    text: str
    uid: str  # stable across runs: what a subscribed calendar updates rather than duplicates
    repository: str = ""


@dataclass(frozen=True)
class Activity:
    """One ledger event, as the recent-activity list shows it."""

    when: datetime
    api: str
    env: str
    action: str
    status: str
    tag: str | None
    actor: str
    run_url: str | None
    reason: str | None


@dataclass(frozen=True)
class RevisionNote:
    """A revision and its tag message (release notes, the gate's verdict where recorded)."""

    tag: str
    date: datetime | None
    subject: str
    body: str


@dataclass(frozen=True)
class MajorNotes:
    """The newest revisions of one major with their notes; older ones only counted."""

    api: str
    major: int
    shown: tuple[RevisionNote, ...]
    older: int  # revisions collapsed into a count
    oldest_tag: str | None  # the oldest collapsed revision, for "rev1 … rev390"


@dataclass(frozen=True)
class TimelineBar:
    """One major on the timeline, from release to sunset (open-ended while current)."""

    api: str
    major: int
    state: str
    start: datetime
    end: datetime | None
    deploys: tuple[datetime, ...]
    notices: tuple[NoticeSent, ...]
    flags: tuple[tuple[datetime, str], ...] = ()


@dataclass(frozen=True)
class RepoReport:
    """Everything the site shows about one repository."""

    name: str
    ident: str  # stable short id (UIDs, anchors)
    source_commit: str | None
    ledger_tip: str | None
    environments: tuple[str, ...]
    production: str | None
    rows: tuple[MajorRow, ...]
    lifecycles: tuple[Lifecycle, ...]
    upcoming: tuple[Upcoming, ...]
    activity: tuple[Activity, ...]
    activity_total: int
    notes: tuple[MajorNotes, ...]
    timeline: tuple[TimelineBar, ...]
    error: str | None = None  # set (and the rest empty) when the repository could not be read

    @property
    def reachable(self) -> bool:
        """Whether the repository could be read."""
        return self.error is None


@dataclass(frozen=True)
class Site:
    """The whole site: one repository, or a fleet of them."""

    generated_at: datetime
    horizon_days: int
    repos: tuple[RepoReport, ...]
    upcoming: tuple[Upcoming, ...] = field(default=())  # fleet-wide, soonest first

    @property
    def fleet(self) -> bool:
        """Whether the site covers several repositories."""
        return len(self.repos) > 1


def unreachable(name: str, ident: str, error: str) -> RepoReport:
    """The report of a repository that could not be read: shown as such, nothing else."""
    return RepoReport(
        name=name,
        ident=ident,
        source_commit=None,
        ledger_tip=None,
        environments=(),
        production=None,
        rows=(),
        lifecycles=(),
        upcoming=(),
        activity=(),
        activity_total=0,
        notes=(),
        timeline=(),
        error=error,
    )
