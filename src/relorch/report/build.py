"""Building one repository's report from what its tags, ledger and config say, at a given `now`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from relorch.config import Config
from relorch.flags.model import FlagFile
from relorch.ledger.records import Record
from relorch.ledger.state import Hold, LedgerState, parse_time
from relorch.model.history import ApiHistory, MajorInfo
from relorch.policy.support import (
    DEPRECATED,
    RETIRED,
    SupportState,
    release_moments,
    support_states,
)
from relorch.report import model as m
from relorch.report.flagview import flag_events, with_flag_marks
from relorch.report.ledgerview import LedgerView

NOTES_PER_MAJOR = 5


@dataclass(frozen=True)
class RepoInputs:
    """What one repository says: config, tag histories, the messages of the tags the notes
    show, the ledger's state and what the report needs of its records."""

    name: str
    ident: str
    config: Config
    histories: Mapping[str, ApiHistory]
    messages: Mapping[str, str]  # tag -> annotated tag message
    ledger: LedgerView
    state: LedgerState
    source_commit: str | None
    ledger_tip: str | None
    env_order: tuple[str, ...] = ()  # environment names in the order the config file lists them
    flags: tuple[FlagFile, ...] = ()  # each API's committed flag file, where it has one


def environments_of(inputs: RepoInputs) -> tuple[str, ...]:
    """The configured environments in the config file's order (the loaded Config sorts them)."""
    known = inputs.config.environments
    listed = [name for name in inputs.env_order if name in known]
    return (*listed, *(name for name in known if name not in listed))


def production_env(config: Config) -> str | None:
    """The environment whose deploys the timeline ticks: `production`, else the last one."""
    names = list(config.environments)
    if "production" in names:
        return "production"
    return names[-1] if names else None


def build_repo(inputs: RepoInputs, now: datetime, horizon_days: int = 30) -> m.RepoReport:
    """The report of one repository at `now` (an aware UTC datetime)."""
    config = inputs.config
    envs = environments_of(inputs)
    production = production_env(config)
    view = inputs.ledger
    rows: list[m.MajorRow] = []
    lifecycles: list[m.Lifecycle] = []
    notes: list[m.MajorNotes] = []
    bars: list[m.TimelineBar] = []
    upcoming: list[m.Upcoming] = []
    for name in config.apis:
        history = inputs.histories.get(name)
        if history is None or not history.majors:
            continue
        released = release_moments(config, history, inputs.state)
        states = support_states(history, config.support, now, released)
        for info in reversed(history.majors):
            support = states[info.major]
            cells = tuple(_cell(inputs.state, view, info, env, now) for env in envs)
            rows.append(m.MajorRow(name, info.major, support.state, info.latest.tag, cells))
            life = _lifecycle(info, support, view, now)
            lifecycles.append(life)
            notes.append(_notes(info, inputs.messages))
            bars.append(_bar(info, support, view))
            upcoming += _upcoming(life, support, inputs.ident, now, horizon_days)
    for hold in sorted(inputs.state.holds.values(), key=lambda h: (h.time, h.id)):
        upcoming.append(_hold_event(hold, config, inputs.ident))
    upcoming += flag_events(inputs.flags, inputs.ident, now, horizon_days)
    bars = with_flag_marks(bars, inputs.flags, production, now + timedelta(days=horizon_days))
    upcoming.sort(key=lambda u: (u.when, u.kind, u.api, u.major or 0, u.uid))
    activity = tuple(_activity(r) for r in reversed(view.recent))
    return m.RepoReport(
        name=inputs.name,
        ident=inputs.ident,
        source_commit=inputs.source_commit,
        ledger_tip=inputs.ledger_tip,
        environments=envs,
        production=production,
        rows=tuple(rows),
        lifecycles=tuple(lifecycles),
        upcoming=tuple(upcoming),
        activity=activity,
        activity_total=view.count,
        notes=tuple(notes),
        timeline=tuple(bars),
    )


def _cell(state: LedgerState, view: LedgerView, info: MajorInfo, env: str, now: datetime) -> m.Cell:
    api, major = info.api, info.major
    live = state.live.get((api, env, major))
    previews = state.previews_of(api, env, major)
    cell = m.Cell(
        env=env,
        state=m.NOT_DEPLOYED,
        summary="nothing deployed",
        revision=live.revision if live else None,
        tag=live.tag if live else None,
        previous_good=state.previous_good(api, env, major),
        preview=", ".join(f"rev{p.revision}" for p in previews) or None,
    )
    lock = state.locks.get((api, env))
    if lock is not None and _carries(info, lock.tag):
        return _at(cell, lock.time, lock.actor, lock.run_url).with_state(
            m.DEPLOYING, f"{lock.action} of {lock.tag} in progress"
        )
    waiting = _waiting(view, info, env, now)
    if waiting is not None:
        announced, until = waiting
        still = f"; rev{live.revision} still live" if live else ""
        return replace(
            _at(cell, announced.time, announced.actor, announced.run_url), notice_until=until
        ).with_state(
            m.NOTICE,
            f"{announced.action} of {announced.tag} in a notice window until "
            f"{until.strftime('%Y-%m-%d %H:%M UTC')}{still}",
        )
    hold = _newest_hold(state, info, env)
    if hold is not None:
        rec = view.by_id.get(hold.id)
        text = f"{hold.tag} held: {hold.reason}" if hold.reason else f"{hold.tag} held"
        return _at(cell, hold.time, hold.actor, rec.run_url if rec else None).with_state(
            m.HELD, text
        )
    last = view.last_finished.get((api, env, major))
    if last is not None and last.status in {"failed", "abandoned"}:
        still = f"; rev{live.revision} still live" if live else ""
        return _at(cell, last.time, last.actor, last.run_url).with_state(
            m.FAILED, f"{last.action} of {last.tag} {last.status}{still}"
        )
    if live is None:
        return cell.with_state(m.NOT_DEPLOYED, "only in preview") if previews else cell
    rec = view.by_id.get(live.id)
    cell = _at(cell, live.time, rec.actor if rec else None, rec.run_url if rec else None)
    if live.action == "rollback":
        bad = sorted(state.rolled_back.get((api, env, major), ()))
        out = f" (rev{bad[-1]} taken out)" if bad else ""
        return cell.with_state(m.ROLLED_BACK, f"rolled back to rev{live.revision}{out}")
    return cell.with_state(m.DEPLOYED, f"rev{live.revision} deployed")


def _waiting(
    view: LedgerView, info: MajorInfo, env: str, now: datetime
) -> tuple[Record, datetime] | None:
    """The announced deploy waiting out its notice window there, while the window is open (read
    at `now`: the cached view keeps the record, not whether it is still waiting). A window past
    its end with no later record is a deploy that died or was stopped, not one that waits."""
    rec = view.announced.get((info.api, env, info.major))
    text = rec.extra.get("notice_until") if rec is not None else None
    if rec is None or not text:
        return None
    try:
        until = parse_time(text)
    except ValueError:
        return None
    return (rec, until) if until > now else None


def _at(cell: m.Cell, time: str, actor: str | None, run_url: str | None) -> m.Cell:
    return replace(cell, when=parse_time(time), actor=actor, run_url=run_url)


def _carries(info: MajorInfo, tag: str) -> bool:
    return any(r.tag == tag for r in reversed(info.revisions))


def _newest_hold(state: LedgerState, info: MajorInfo, env: str) -> Hold | None:
    tags = {r.tag for r in info.revisions}
    holds = [h for (a, e, t), h in state.holds.items() if a == info.api and e == env and t in tags]
    return max(holds, key=lambda h: (h.time, h.id), default=None)


def _lifecycle(info: MajorInfo, s: SupportState, view: LedgerView, now: datetime) -> m.Lifecycle:
    sent = tuple(
        m.NoticeSent(kind, view.notices[key])
        for kind in ("deprecation", "reminder")
        if (key := f"{kind}:{info.api}:v{info.major}") in view.notices
    )
    kinds = {n.kind for n in sent}
    next_text, next_at = None, None
    if s.state == DEPRECATED:
        if "deprecation" not in kinds:
            next_text, next_at = "deprecation notice due now", now
        elif "reminder" not in kinds and s.reminder_at is not None:
            due = "now" if s.reminder_at <= now else s.reminder_at.date().isoformat()
            next_text, next_at = f"reminder due {due}", max(s.reminder_at, now)
    sunset = s.effective_sunset if s.state == RETIRED else s.sunset_at
    days = None
    if sunset is not None and s.state == DEPRECATED:
        days = max(0, (sunset - now).days)
    return m.Lifecycle(
        api=info.api,
        major=info.major,
        state=s.state,
        released=s.released_at or info.first.date,
        deprecated_at=s.deprecated_at,
        sunset_at=sunset,
        reminder_at=s.reminder_at,
        days_left=days,
        latest_tag=info.latest.tag,
        revisions=len(info.revisions),
        notices=sent,
        next_notice=next_text,
        next_notice_at=next_at,
        reason=s.reason,
    )


def _notes(info: MajorInfo, messages: Mapping[str, str]) -> m.MajorNotes:
    shown = info.revisions[-NOTES_PER_MAJOR:]
    older = len(info.revisions) - len(shown)
    notes = []
    for rev in reversed(shown):
        subject, _, body = messages.get(rev.tag, "").strip().partition("\n")
        notes.append(m.RevisionNote(rev.tag, rev.date, subject.strip(), body.strip()))
    return m.MajorNotes(
        info.api, info.major, tuple(notes), older, info.revisions[0].tag if older else None
    )


def _bar(info: MajorInfo, s: SupportState, view: LedgerView) -> m.TimelineBar:
    start = info.first.date or info.latest.date
    notices = tuple(
        m.NoticeSent(kind, view.notices[key])
        for kind in ("deprecation", "reminder")
        if (key := f"{kind}:{info.api}:v{info.major}") in view.notices
    )
    end = s.effective_sunset if s.state == RETIRED else s.sunset_at
    return m.TimelineBar(
        api=info.api,
        major=info.major,
        state=s.state,
        start=start or view.first_time,
        end=end,
        deploys=view.production_days.get((info.api, info.major), ()),
        notices=notices,
    )


def _upcoming(
    life: m.Lifecycle, s: SupportState, ident: str, now: datetime, horizon_days: int
) -> list[m.Upcoming]:
    if s.state != DEPRECATED:
        return []
    limit = now + timedelta(days=horizon_days)
    out = []
    where = f"{life.api} v{life.major}"
    if s.sunset_at is not None and now <= s.sunset_at <= limit:
        out.append(
            m.Upcoming(
                s.sunset_at,
                "sunset",
                life.api,
                life.major,
                f"{where} is retired (sunset)",
                event_uid("sunset", life.api, life.major, ident),
            )
        )
    sent = {n.kind for n in life.notices}
    if s.reminder_at is not None and "reminder" not in sent and s.reminder_at <= limit:
        late = " (overdue)" if s.reminder_at < now else ""
        out.append(
            m.Upcoming(
                s.reminder_at,
                "reminder",
                life.api,
                life.major,
                f"reminder to send: {where} sunset is near{late}",
                event_uid("reminder", life.api, life.major, ident),
            )
        )
    return out


def _hold_event(hold: Hold, config: Config, ident: str) -> m.Upcoming:
    api = config.apis.get(hold.api)
    parsed = api.scheme.parse_tag(hold.tag) if api else None
    reason = f": {hold.reason}" if hold.reason else ""
    return m.Upcoming(
        parse_time(hold.time),
        "hold",
        hold.api,
        parsed[0] if parsed else None,
        f"{hold.tag} held in {hold.env} by {hold.actor}{reason} (open)",
        f"hold-{hold.id}@{ident}.relorch",
    )


def event_uid(kind: str, api: str, major: int, ident: str) -> str:
    """A UID that names the event, not the run: the same sunset always has the same UID."""
    return f"{kind}-{api}-v{major}@{ident}.relorch"


def _activity(r: Record) -> m.Activity:
    return m.Activity(
        when=parse_time(r.time),
        api=r.api,
        env=r.env,
        action=r.action,
        status=r.status,
        tag=r.tag,
        actor=r.actor,
        run_url=r.run_url,
        reason=r.reason or r.extra.get("key"),
    )
