"""Rectification notices (整改通知): raised by the failed items of a finished inspection,
answered by their owner, verified by an inspector (docs/notices.md).

The moves live here and nowhere else (``TRANSITIONS``):

    open ──answer──▶ answered ──accept──▶ accepted (closed)
      ▲                  │
      └──── reject ──────┘   with a reason; ``rejections`` + 1, the owner is told again

A move not allowed from the notice's status is refused with a message naming the status.
The deadline moves (``notices.verify``, with a reason) while the notice is not accepted.

Who reaches a notice: whoever holds the permission for all records; a manager, the notices
of the units they manage; a provider's contact, those of their provider units; and the
notice's owner, always (given they hold the permission at all). Out of reach is not found.

Clock: the functions take ``now`` (answers and verdicts) and ``today`` (dates), so tests fix
them; the pages pass the tenant's today (saas/web/tenancy.py). Every change is audited
before → after; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Integer, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Reach, Refused
from saas.inspections.findings import Finding
from saas.models.audit import record
from saas.models.inspection import Inspection, NoticeStatus, RectificationNotice
from saas.models.org import OrgUnit, UnitKind
from saas.models.people import Employee, EmployeeStatus
from saas.models.provider import ProviderContract
from saas.models.user import User
from saas.notices.words import MOVE_REFUSED, STATUS_LABELS
from saas.scoring.scheme import InspectionSettings, Scheme
from saas.validation import Invalid, Problems
from tenants.db import TENANT_SCHEMA, utcnow

S = NoticeStatus
ANSWER, ACCEPT, REJECT = "answer", "accept", "reject"
# The one place that says which move may follow which status, and where it leads.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.OPEN: {ANSWER: S.ANSWERED},
    S.ANSWERED: {ACCEPT: S.ACCEPTED, REJECT: S.OPEN},
    S.ACCEPTED: {},
}
DEADLINE_MOVABLE = (S.OPEN, S.ANSWERED)

NOTE_LIMIT = 2000
WHAT_LIMIT = 4000
MAX_DEADLINE_DAYS = 365
SERIAL_PREFIX = "ZG"


# -- reach ------------------------------------------------------------------------------


def _managed_units(actor: Actor):
    # The units a manager manages, not all they may read: a committee member who also
    # manages a unit reads every notice but answers only their own units'.
    return select(OrgUnit.id).where(actor.scope.writable_unit_clause())


def notice_clause(actor: Actor, name: str = "notices.view") -> ColumnElement[bool]:
    """The notices ``name`` reaches for the actor (a clause on RectificationNotice)."""
    reach = actor.reach(name)
    if Reach.ALL in reach:
        return true()
    if not reach:
        return false()
    parts: list[ColumnElement[bool]] = []
    if actor.user_id is not None:
        parts.append(RectificationNotice.owner_id == actor.user_id)
    if Reach.MANAGED in reach and actor.scope.managed_paths:
        parts.append(RectificationNotice.unit_id.in_(_managed_units(actor)))
    if Reach.SELF in reach and actor.scope.provider_unit_ids:
        parts.append(RectificationNotice.unit_id.in_(actor.scope.provider_unit_ids))
    return or_(*parts) if parts else false()


def unit_clause(actor: Actor, name: str = "notices.view") -> ColumnElement[bool]:
    """The units (a clause on OrgUnit) whose notices ``name`` reaches, for the filters."""
    reach = actor.reach(name)
    if Reach.ALL in reach:
        return true()
    parts: list[ColumnElement[bool]] = []
    if Reach.MANAGED in reach and actor.scope.managed_paths:
        parts.append(actor.scope.writable_unit_clause())
    if Reach.SELF in reach and actor.scope.provider_unit_ids:
        parts.append(OrgUnit.id.in_(actor.scope.provider_unit_ids))
    return or_(*parts) if parts else false()


def find_notice(
    session: Session,
    actor: Actor,
    notice_id: int,
    name: str = "notices.view",
    *,
    lock: bool = False,
) -> RectificationNotice | None:
    query = select(RectificationNotice).where(
        RectificationNotice.id == notice_id, notice_clause(actor, name)
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


# -- raising ----------------------------------------------------------------------------


def raise_notices(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    findings: list[Finding],
    today: dt.date,
) -> list[RectificationNotice]:
    """One open notice per failed item, due ``checklist.inspection.rectify_days`` after
    ``today``, owned by the unit's manager's account or the provider's contact.

    Idempotent: an item that already has its notice gets no second one, so calling it
    again raises nothing and returns []. Returns the notices it raised."""
    taken = set(
        session.scalars(
            select(RectificationNotice.item_key).where(
                RectificationNotice.inspection_id == inspection.id
            )
        )
    )
    fresh = [finding for finding in findings if finding.key not in taken]
    if not fresh:
        return []
    settings = checklist.inspection or InspectionSettings()
    deadline = today + dt.timedelta(days=settings.rectify_days)
    owner_id = owner_of(session, inspection.unit_id, today)
    notes = inspection.notes or {}
    serials = next_serials(session, today.year, len(fresh))
    raised = [
        RectificationNotice(
            serial=serial,
            inspection_id=inspection.id,
            item_key=finding.key,
            unit_id=inspection.unit_id,
            owner_id=owner_id,
            what=what_to_fix(finding, notes.get(finding.key)),
            deadline=deadline,
            status=S.OPEN,
            rejections=0,
        )
        for finding, serial in zip(fresh, serials, strict=True)
    ]
    session.add_all(raised)
    session.flush()
    for notice in raised:
        after = snapshot(notice)
        record(session, actor.email, "notice.raise", "rectification_notice", notice.id, None, after)
    return raised


def what_to_fix(finding: Finding, note: Any) -> str:
    """The item's requirement, then the inspector's note about what they found."""
    text = finding.text.strip()
    note = note.strip() if isinstance(note, str) else ""
    return (f"{text}\n{note}" if note else text)[:WHAT_LIMIT]


def owner_of(session: Session, unit_id: int, today: dt.date) -> int | None:
    """Who answers a unit's notices: for a provider, the contact its contract names (the
    contract running today, else the latest); otherwise, or without a contact, the account
    of the nearest manager up the unit chain (the unit's own first)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return None
    if unit.kind == UnitKind.PROVIDER:
        running = (ProviderContract.starts_on <= today) & (ProviderContract.ends_on >= today)
        contact = session.scalar(
            select(ProviderContract.contact_user_id)
            .join(User, User.id == ProviderContract.contact_user_id)
            .where(ProviderContract.unit_id == unit.id, User.is_active_account)
            .order_by(running.desc(), ProviderContract.ends_on.desc(), ProviderContract.id.desc())
            .limit(1)
        )
        if contact is not None:
            return contact
    chain = [*unit.ancestor_ids, unit.id]
    return session.scalar(
        select(Employee.user_id)
        .join(OrgUnit, OrgUnit.manager_id == Employee.id)
        .join(User, User.id == Employee.user_id)
        .where(
            OrgUnit.id.in_(chain),
            Employee.status != EmployeeStatus.LEFT,
            User.is_active_account,
        )
        .order_by(func.length(OrgUnit.path).desc())
        .limit(1)
    )


def next_serials(session: Session, year: int, count: int) -> list[str]:
    """``count`` new serials ZG-<year>-<6 digits>, numbered on from the tenant's last of
    that year. A per-tenant, per-year lock holds until commit, so two inspections finished
    at once cannot take the same number (the unique index would refuse it anyway)."""
    options = session.connection().get_execution_options()
    schema = options.get("schema_translate_map", {}).get(TENANT_SCHEMA, TENANT_SCHEMA)
    key = f"kaohe.notice_serial:{schema}:{year}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    prefix = f"{SERIAL_PREFIX}-{year}-"
    last = session.scalar(
        select(
            func.max(cast(func.substr(RectificationNotice.serial, len(prefix) + 1), Integer))
        ).where(RectificationNotice.serial.like(prefix + "%"))
    )
    start = (last or 0) + 1
    return [f"{prefix}{number:06d}" for number in range(start, start + count)]


# -- moves ------------------------------------------------------------------------------


def allowed_moves(notice: RectificationNotice) -> tuple[str, ...]:
    return tuple(TRANSITIONS.get(notice.status, {}))


def _move(notice: RectificationNotice, move: str) -> str:
    """The status ``move`` leads to from the notice's; refused when it is not allowed."""
    target = TRANSITIONS.get(notice.status, {}).get(move)
    if target is None:
        status = STATUS_LABELS.get(notice.status, notice.status)
        raise Refused(MOVE_REFUSED[move] % {"status": status})
    return target


def _text(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(_l("At most %(n)s characters.", n=limit), field)
    return text or None


def check_answer(note: str | None) -> str:
    """The answer's note, or Invalid: an answer says what was done."""
    text = _text(note, NOTE_LIMIT, "note")
    if not text:
        raise Invalid(_l("Say what was done to rectify it."), "note")
    return text


def answer(
    session: Session,
    actor: Actor,
    notice_id: int,
    note: str | None,
    *,
    now: dt.datetime | None = None,
) -> RectificationNotice | None:
    """The owner (or whoever reaches the notice with ``notices.answer``) says it is fixed;
    the caller adds the photos (owner NOTICE, slot ``round_slot``) in the same transaction.
    None when the notice is not found in reach."""
    actor.require("notices.answer")
    text = check_answer(note)
    notice = find_notice(session, actor, notice_id, "notices.answer", lock=True)
    if notice is None:
        return None
    target = _move(notice, ANSWER)
    before = {"status": notice.status, "answer_note": notice.answer_note}
    notice.status, notice.answer_note = target, text
    notice.answered_by, notice.answered_at = actor.user_id, now or utcnow()
    after = {"status": target, "answer_note": text, "round": notice.rejections + 1}
    record(session, actor.email, "notice.answer", "rectification_notice", notice.id, before, after)
    return notice


def round_slot(notice: RectificationNotice) -> str:
    """The attachment slot of the photos of the notice's current answer: one per round, so
    the page shows which photos came with which answer."""
    return f"answer-{notice.rejections + 1}"


def verify(
    session: Session,
    actor: Actor,
    notice_id: int,
    decision: str | None,
    note: str | None,
    *,
    now: dt.datetime | None = None,
) -> RectificationNotice | None:
    """Accept the answer (closed) or reject it with a reason (open again, the owner is
    told). None when the notice is not found in reach."""
    actor.require("notices.verify")
    problems = Problems()
    if decision not in (ACCEPT, REJECT):
        problems.add("decision", _l("Choose accept or send back."))
    text = problems.check(_text, note, NOTE_LIMIT, "verify_note")
    if decision == REJECT and not text:
        problems.add("verify_note", _l("Say what is still wrong."))
    problems.raise_any()
    notice = find_notice(session, actor, notice_id, "notices.verify", lock=True)
    if notice is None:
        return None
    assert decision is not None
    target = _move(notice, decision)
    if notice.answered_by is not None and notice.answered_by == actor.user_id:
        raise Refused(_l("You answered this notice; someone else verifies the answer."))
    before = {"status": notice.status, "rejections": notice.rejections}
    notice.status, notice.verify_note = target, text
    notice.verified_by, notice.verified_at = actor.user_id, now or utcnow()
    if decision == REJECT:
        notice.rejections += 1
    after = {"status": target, "rejections": notice.rejections, "verify_note": text}
    action = "notice.accept" if decision == ACCEPT else "notice.reject"
    record(session, actor.email, action, "rectification_notice", notice.id, before, after)
    return notice


def change_deadline(
    session: Session,
    actor: Actor,
    notice_id: int,
    deadline: dt.date | None,
    reason: str | None,
    *,
    today: dt.date,
) -> RectificationNotice | None:
    """Move the deadline of a notice not yet accepted, with a reason. None when the notice
    is not found in reach."""
    actor.require("notices.verify")
    problems = Problems()
    if deadline is None:
        problems.add("deadline", _l("Give a date such as 2026-10-10."))
    elif deadline < today:
        problems.add("deadline", _l("The new deadline cannot be in the past."))
    elif deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        problems.add("deadline", _l("The new deadline is at most a year away."))
    text = problems.check(_text, reason, NOTE_LIMIT, "reason")
    if not text:
        problems.add("reason", _l("Give the reason for the new deadline."))
    problems.raise_any()
    notice = find_notice(session, actor, notice_id, "notices.verify", lock=True)
    if notice is None:
        return None
    if notice.status not in DEADLINE_MOVABLE:
        raise Refused(_l("This notice is closed: its deadline no longer moves."))
    assert deadline is not None
    if deadline == notice.deadline:
        raise Invalid(_l("This is already the deadline."), "deadline")
    before = {"deadline": notice.deadline.isoformat()}
    notice.deadline = deadline
    after = {"deadline": deadline.isoformat(), "reason": text}
    record(
        session, actor.email, "notice.deadline", "rectification_notice", notice.id, before, after
    )
    return notice


def snapshot(notice: RectificationNotice) -> dict[str, Any]:
    return {
        "serial": notice.serial,
        "inspection_id": notice.inspection_id,
        "item_key": notice.item_key,
        "unit_id": notice.unit_id,
        "owner_id": notice.owner_id,
        "what": notice.what,
        "deadline": notice.deadline.isoformat(),
        "status": notice.status,
    }
