"""The ledger's rules: adding an entry, deciding its validity, withdrawing it.

- An entry names the event of a rule of a PUBLISHED scheme version, or is a free entry with
  a label and points (within ±100). A fine is zero or more; a note at most 1,000 characters.
- An entry of a rule that needs a validity decision (有效 or not) starts pending; one of a
  rule that needs none carries no validity. A decision says valid or invalid with a reason;
  it may be changed later with a new reason (both decisions stay in the audit log).
- An entry is withdrawn with a reason, never deleted; a withdrawn entry counts nowhere.
- Reach: whoever holds ``ledger.enter`` / ``ledger.decide`` for all records reaches every
  subject; a manager reaches the people and units of their subtrees, never themself.
  A subject outside the reach is not found (404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Reach, Refused
from saas.models.audit import record
from saas.models.ledger import EntryKind, EntrySource, EntryValidity, LedgerEntry
from saas.models.org import OrgUnit, UnitKind
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion, VersionStatus
from saas.validation import Invalid, Problems
from tenants.db import utcnow

NOTE_LIMIT = 1000
LABEL_LIMIT = 200
POINTS_LIMIT = Decimal(100)
FINE_LIMIT = Decimal("1000000")


def published_rules(session: Session) -> dict[str, dict[str, Any]]:
    """Every event of a published scheme version's rules, by event key (one query). Where two
    versions share a key, the latest published one's rule is the one shown."""
    rules: dict[str, dict[str, Any]] = {}
    definitions = session.scalars(
        select(SchemeVersion.definition)
        .where(SchemeVersion.status == VersionStatus.PUBLISHED)
        .order_by(SchemeVersion.published_at, SchemeVersion.id)
    )
    for definition in definitions:
        for rule in (definition or {}).get("rules") or ():
            if isinstance(rule, dict) and rule.get("event"):
                rules[str(rule["event"])] = rule
    return rules


def unit_reach(actor: Actor, name: str) -> ColumnElement[bool]:
    """The units (as a clause on OrgUnit) whose entries ``name`` reaches for the actor."""
    if Reach.ALL in actor.reach(name):
        return true()
    return actor.scope.unit_clause()  # a manager: their subtrees; nobody else: none


def entry_clause(actor: Actor, name: str) -> ColumnElement[bool]:
    """The entries ``name`` reaches: those of units in reach, never a manager's own."""
    if Reach.ALL in actor.reach(name):
        return true()
    clause = LedgerEntry.unit_id.in_(select(OrgUnit.id).where(actor.scope.unit_clause()))
    if actor.scope.employee_id is not None:
        clause = clause & (
            LedgerEntry.employee_id.is_(None) | (LedgerEntry.employee_id != actor.scope.employee_id)
        )
    return clause


def find_entry(session: Session, actor: Actor, entry_id: int, name: str = "ledger.view"):
    return session.scalar(
        select(LedgerEntry).where(LedgerEntry.id == entry_id, entry_clause(actor, name))
    )


def _subject(session: Session, actor: Actor, employee_id: int | None, unit_id: int | None):
    """(kind, employee_id, unit_id) of a subject the actor may enter entries for; None when
    there is no such subject in reach."""
    reach = unit_reach(actor, "ledger.enter")
    if employee_id is not None:
        if employee_id == actor.scope.employee_id and Reach.ALL not in actor.reach("ledger.enter"):
            return None
        row = session.execute(
            select(Employee.id, Employee.unit_id)
            .join(OrgUnit, OrgUnit.id == Employee.unit_id)
            .where(Employee.id == employee_id, reach)
        ).first()
        return None if row is None else (EntryKind.EMPLOYEE, row.id, row.unit_id)
    if unit_id is not None:
        row = session.execute(
            select(OrgUnit.id, OrgUnit.kind).where(
                OrgUnit.id == unit_id, OrgUnit.archived_at.is_(None), reach
            )
        ).first()
        if row is None:
            return None
        kind = EntryKind.PROVIDER if row.kind == UnitKind.PROVIDER else EntryKind.UNIT
        return (kind, None, row.id)
    return None


def _text(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(_l("At most %(n)s characters.", n=limit), field)
    return text or None


def checked(
    rules: dict[str, dict[str, Any]],
    *,
    on: dt.date | None,
    event: str | None = None,
    label: str | None = None,
    points: Decimal | None = None,
    fine: Decimal | None = None,
    note: str | None = None,
    source: str = EntrySource.INTERNAL,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """An entry's fields as stored, checked against ``rules`` (``published_rules``); raises
    ``Invalid`` with every problem by field (on, event, label, points, fine, note, source).
    The add form and the Excel import both go through here."""
    problems = Problems()
    rule = None
    if on is None:
        problems.add("on", _l("Give the date of the entry."))
    elif today is not None and on > today:
        problems.add("on", _l("The date cannot be in the future."))
    event = (event or "").strip() or None
    if event is not None:
        rule = rules.get(event)
        if rule is None:
            problems.add("event", _l("Choose an event of a published scheme."))
        label, points = None, None
    else:
        label = problems.check(_text, label, LABEL_LIMIT, "label")
        if not label:
            problems.add("label", _l("Say what happened, or choose an event."))
        if points is None:
            problems.add("points", _l("Give the points of a free entry."))
        elif abs(points) > POINTS_LIMIT:
            problems.add("points", _l("Points lie between -100 and 100."))
    fine = Decimal(0) if fine is None else fine
    if fine < 0 or fine > FINE_LIMIT:
        problems.add("fine", _l("A fine is zero or more."))
    note = problems.check(_text, note, NOTE_LIMIT, "note")
    if source not in set(EntrySource):
        problems.add("source", _l("Choose where the entry comes from."))
    problems.raise_any()
    needs = bool(rule and rule.get("needs_validity"))
    return {
        "on": on,
        "event": event,
        "label": label,
        "points": points,
        "fine": fine,
        "note": note,
        "source": source,
        "validity": EntryValidity.PENDING if needs else None,
    }


def new_entry(actor: Actor, subject: tuple[str, int | None, int], fields: dict) -> LedgerEntry:
    """An entry about ``subject`` (kind, employee id, unit id) with checked ``fields``."""
    kind, employee, unit = subject
    return LedgerEntry(
        kind=kind, employee_id=employee, unit_id=unit, entered_by=actor.user_id, **fields
    )


def add_entry(
    session: Session,
    actor: Actor,
    *,
    employee_id: int | None = None,
    unit_id: int | None = None,
    on: dt.date | None,
    event: str | None = None,
    label: str | None = None,
    points: Decimal | None = None,
    fine: Decimal | None = None,
    note: str | None = None,
    source: str = EntrySource.INTERNAL,
    today: dt.date | None = None,
) -> LedgerEntry:
    actor.require("ledger.enter")
    subject = _subject(session, actor, employee_id, unit_id)
    if subject is None:
        raise Invalid(_l("Choose a person or unit you may keep the ledger of."), "subject")
    fields = checked(
        published_rules(session),
        on=on,
        event=event,
        label=label,
        points=points,
        fine=fine,
        note=note,
        source=source,
        today=today,
    )
    entry = new_entry(actor, subject, fields)
    session.add(entry)
    session.flush()
    record(session, actor.email, "ledger.entry.add", "ledger_entry", entry.id, None, shown(entry))
    return entry


def decide(
    session: Session, actor: Actor, entry_id: int, validity: str, reason: str | None
) -> LedgerEntry | None:
    """Rule an entry valid or invalid, with a reason. None when it is not found in reach."""
    actor.require("ledger.decide")
    entry = session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id, entry_clause(actor, "ledger.decide"))
        .with_for_update()
    )
    if entry is None:
        return None
    if entry.withdrawn_at is not None:
        raise Refused(_l("This entry was withdrawn; it takes no decision."))
    if entry.validity is None:
        raise Refused(_l("The rule of this entry needs no validity decision."))
    if validity not in (EntryValidity.VALID, EntryValidity.INVALID):
        raise Invalid(_l("Choose valid or invalid."), "validity")
    reason = _text(reason, NOTE_LIMIT, "reason")
    if not reason:
        raise Invalid(_l("Give the reason for the decision."), "reason")
    if validity == entry.validity and reason == entry.decision_reason:
        raise Invalid(_l("This is already the decision."), "validity")
    before = {"validity": entry.validity, "decision_reason": entry.decision_reason}
    entry.validity, entry.decision_reason = validity, reason
    entry.decided_by, entry.decided_at = actor.user_id, utcnow()
    action = "ledger.entry.decide" if before["validity"] == "pending" else "ledger.entry.redecide"
    after = {"validity": validity, "decision_reason": reason}
    record(session, actor.email, action, "ledger_entry", entry.id, before, after)
    return entry


def withdraw(
    session: Session, actor: Actor, entry_id: int, reason: str | None
) -> LedgerEntry | None:
    actor.require("ledger.enter")
    entry = session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id, entry_clause(actor, "ledger.enter"))
        .with_for_update()
    )
    if entry is None:
        return None
    if entry.withdrawn_at is not None:
        raise Refused(_l("This entry was already withdrawn."))
    reason = _text(reason, NOTE_LIMIT, "reason")
    if not reason:
        raise Invalid(_l("Give the reason for withdrawing the entry."), "reason")
    entry.withdrawn_at, entry.withdrawn_reason = utcnow(), reason
    record(
        session,
        actor.email,
        "ledger.entry.withdraw",
        "ledger_entry",
        entry.id,
        {"withdrawn_reason": None},
        {"withdrawn_reason": reason},
    )
    return entry


def shown(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "employee_id": entry.employee_id,
        "unit_id": entry.unit_id,
        "on": entry.on.isoformat(),
        "event": entry.event,
        "label": entry.label,
        "points": None if entry.points is None else str(entry.points),
        "fine": str(entry.fine),
        "note": entry.note,
        "source": entry.source,
        "validity": entry.validity,
    }
