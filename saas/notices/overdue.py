"""When a rectification notice is overdue, and the ledger event an overdue notice becomes.

The rule (docs/notices.md):

- **overdue**: still open (never answered, or its answer sent back) and its deadline has
  passed: ``deadline < today``. An answer given by the deadline stops the clock; if it is
  sent back after the deadline, the notice is open again and overdue at once.
- **late**: answered (or accepted) with its last answer given after the deadline, in the
  tenant's time zone. A late notice was overdue for a while, even if no sweep saw it then.
- **on time**: accepted, its last answer given by the deadline.

``record_overdue`` turns each notice that is, or was, overdue into one ledger entry when
its checklist names ``overdue_notice_event`` (a unit or provider entry, source inspection,
dated the day after the deadline, carrying the notice and its inspection). At most one per
notice, ever: a withdrawn entry is not made again. It runs daily (``kaohe notices sweep``)
and when a scoring run starts, so a run never misses an overdue notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Date, and_, cast, exists, func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.ledger.service import add_entry
from saas.models.audit import record
from saas.models.inspection import Inspection, NoticeStatus, RectificationNotice
from saas.models.ledger import EntrySource, LedgerEntry
from saas.models.scheme import SchemeVersion
from saas.rendering import DEFAULT_TIME_ZONE
from saas.validation import Invalid
from tenants.db import Database
from tenants.registry import all_tenants

N = RectificationNotice
SWEEP_ACTOR = "overdue notices sweep"  # who the audit trail names for the daily sweep


def answered_on(zone: str) -> ColumnElement[dt.date]:
    """The day of the notice's last answer, in the tenant's time zone."""
    return cast(func.timezone(zone, N.answered_at), Date)


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    return and_(N.status == NoticeStatus.OPEN, N.deadline < today)


def late_clause(zone: str) -> ColumnElement[bool]:
    return and_(N.status != NoticeStatus.OPEN, answered_on(zone) > N.deadline)


def on_time_clause(zone: str) -> ColumnElement[bool]:
    return and_(N.status == NoticeStatus.ACCEPTED, answered_on(zone) <= N.deadline)


def is_overdue(notice: RectificationNotice, today: dt.date) -> bool:
    return notice.status == NoticeStatus.OPEN and notice.deadline < today


def _event_key() -> ColumnElement[str]:
    return SchemeVersion.definition["inspection"]["overdue_notice_event"].astext


def record_overdue(
    session: Session, actor: Actor, today: dt.date, *, zone: str = DEFAULT_TIME_ZONE
) -> list[LedgerEntry]:
    """One ledger entry for each notice newly found overdue (or late) whose checklist names
    an overdue event; returns the entries made. Safe to run at any time and at once from
    two places: the notices are locked, then checked for an entry of their own."""
    candidates = session.execute(
        select(N, _event_key().label("event"))
        .join(Inspection, Inspection.id == N.inspection_id)
        .join(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .where(
            overdue_clause(today) | late_clause(zone),
            _event_key().is_not(None),
            ~exists().where(LedgerEntry.notice_id == N.id),
        )
        .order_by(N.id)
        .with_for_update(of=N)
    ).all()
    if not candidates:
        return []
    # A second sweep waiting on the lock above sees the first one's entries here.
    recorded = set(
        session.scalars(
            select(LedgerEntry.notice_id).where(
                LedgerEntry.notice_id.in_([row.RectificationNotice.id for row in candidates])
            )
        )
    )
    made = []
    for notice, event in candidates:
        if notice.id in recorded:
            continue
        entry = _entry(session, actor, notice, event, today)
        if entry is not None:
            made.append(entry)
    return made


def _entry(
    session: Session, actor: Actor, notice: RectificationNotice, event: str, today: dt.date
) -> LedgerEntry | None:
    try:
        entry = add_entry(
            session,
            actor,
            unit_id=notice.unit_id,
            on=notice.deadline + dt.timedelta(days=1),
            event=event,
            note=f"{notice.serial} {notice.what}"[:1000],
            source=EntrySource.INSPECTION,
            today=today,
        )
    except Invalid:
        # The event is in no published scheme yet, or the unit was archived: nothing to
        # price it with. The notice stays without an entry and a later sweep tries again.
        return None
    entry.notice_id, entry.inspection_id = notice.id, notice.inspection_id
    record(
        session,
        actor.email,
        "notice.overdue",
        "rectification_notice",
        notice.id,
        None,
        {"ledger_entry_id": entry.id, "deadline": notice.deadline.isoformat()},
    )
    return entry


@dataclass(frozen=True)
class Swept:
    slug: str
    entries: int
    error: str | None = None


def sweep(db: Database, now: dt.datetime | None = None) -> list[Swept]:
    """``record_overdue`` in every tenant not suspended, each with its own today (at
    ``now``, else the current time) and in its own transaction: one tenant's failure is
    reported and the others are still swept. For the daily cron (``kaohe notices sweep``)."""
    moment = now or dt.datetime.now(dt.UTC)
    with db.public() as public:
        tenants = [t for t in all_tenants(public) if not t.is_suspended]
        found = [(t.slug, t.schema, t.time_zone) for t in tenants]
    actor = Actor.system(SWEEP_ACTOR)
    results = []
    for slug, schema, zone in found:
        today = moment.astimezone(_zone(zone)).date()
        try:
            with db.tenant(schema) as session:
                made = record_overdue(session, actor, today, zone=zone)
                results.append(Swept(slug, len(made)))
        except Exception as error:  # reported per tenant; the cron's exit code says so
            results.append(Swept(slug, 0, f"{type(error).__name__}: {error}"))
    return results


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
