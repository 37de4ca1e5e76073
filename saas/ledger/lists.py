"""Reads for the ledger pages, each in a fixed number of queries: a filtered page of entries
(two: the count and the rows), one person's or unit's timeline (two: the subject and its
entries), the subject's own ledger of published periods (one), and the people the add form
suggests (one). Rows carry their entry's number of files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor, Reach
from saas.ledger.evidence import file_count
from saas.ledger.service import entry_clause, unit_reach
from saas.models.cycle import Cycle, CycleStatus, CycleSubject
from saas.models.ledger import LedgerEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.paging import PER_PAGE, Page, page_within


@dataclass(frozen=True)
class Filters:
    unit_id: int | None = None  # the unit and its subtree
    employee_id: int | None = None
    validity: str | None = None  # pending / valid / invalid / none (needs no decision)
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    withdrawn: bool = False  # also list withdrawn entries
    cycle_id: int | None = None  # dated in the cycle's period, about one of its subjects


def _columns():
    return (
        LedgerEntry,
        Employee.name.label("employee_name"),
        Employee.number.label("employee_number"),
        OrgUnit.name.label("unit_name"),
        file_count(),
    )


TIMELINE_LIMIT = 500


def _about_subjects_of(cycle_id: int) -> ColumnElement[bool]:
    """Entries dated in the cycle's period about one of its included subjects: an employee
    subject's own entries, a unit's or provider's entries about the unit itself (as a
    scoring run reads them, saas/runs/inputs.py)."""
    return exists().where(
        CycleSubject.cycle_id == cycle_id,
        CycleSubject.included,
        Cycle.id == CycleSubject.cycle_id,
        LedgerEntry.on.between(Cycle.period_start, Cycle.period_end),
        or_(
            and_(
                CycleSubject.employee_id.is_not(None),
                LedgerEntry.employee_id == CycleSubject.employee_id,
            ),
            and_(
                CycleSubject.employee_id.is_(None),
                LedgerEntry.employee_id.is_(None),
                LedgerEntry.unit_id == CycleSubject.unit_id,
            ),
        ),
    )


def _conditions(session: Session, actor: Actor, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [entry_clause(actor, "ledger.view")]
    if filters.unit_id is not None:
        top = aliased(OrgUnit)
        inside = select(OrgUnit.id).where(
            OrgUnit.path.startswith(
                select(top.path).where(top.id == filters.unit_id).scalar_subquery()
            )
        )
        conditions.append(LedgerEntry.unit_id.in_(inside))
    if filters.employee_id is not None:
        conditions.append(LedgerEntry.employee_id == filters.employee_id)
    if filters.validity == "none":
        conditions.append(LedgerEntry.validity.is_(None))
    elif filters.validity:
        conditions.append(LedgerEntry.validity == filters.validity)
    if filters.source:
        conditions.append(LedgerEntry.source == filters.source)
    if filters.date_from is not None:
        conditions.append(LedgerEntry.on >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(LedgerEntry.on <= filters.date_to)
    if not filters.withdrawn:
        conditions.append(LedgerEntry.withdrawn_at.is_(None))
    if filters.cycle_id is not None:
        conditions.append(_about_subjects_of(filters.cycle_id))
    return conditions


def entry_page(session: Session, actor: Actor, filters: Filters, page: int) -> Page:
    """One page of the entries the actor may read, newest first (two queries)."""
    conditions = _conditions(session, actor, filters)
    total = session.scalar(select(func.count()).select_from(LedgerEntry).where(*conditions))
    page = page_within(total, page)
    rows = session.execute(
        select(*_columns())
        .join(OrgUnit, OrgUnit.id == LedgerEntry.unit_id)
        .outerjoin(Employee, Employee.id == LedgerEntry.employee_id)
        .where(*conditions)
        .order_by(LedgerEntry.on.desc(), LedgerEntry.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


def employee_in_reach(session: Session, actor: Actor, employee_id: int):
    """The employee (with their unit's name) whose ledger the actor may read, or None."""
    reach = (
        OrgUnit.id.is_not(None)
        if actor.scope.read_all
        else Employee.unit_id.in_(select(OrgUnit.id).where(actor.scope.unit_clause()))
    )
    if not actor.scope.read_all and actor.scope.employee_id == employee_id:
        return None  # a manager does not read their own ledger here
    return session.execute(
        select(Employee, OrgUnit.name.label("unit_name"))
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(Employee.id == employee_id, reach)
    ).first()


def timeline(session: Session, actor: Actor, employee_id: int) -> list:
    """Every entry of one employee the actor may read, withdrawn ones too, newest first."""
    return session.execute(
        select(*_columns())
        .join(OrgUnit, OrgUnit.id == LedgerEntry.unit_id)
        .outerjoin(Employee, Employee.id == LedgerEntry.employee_id)
        .where(LedgerEntry.employee_id == employee_id, entry_clause(actor, "ledger.view"))
        .order_by(LedgerEntry.on.desc(), LedgerEntry.id.desc())
        .limit(TIMELINE_LIMIT)
    ).all()


def cycle_choices(session: Session, limit: int = 100) -> list[tuple[int, str]]:
    """(id, "name · period") of the latest cycles, for the list's cycle filter."""
    rows = session.execute(
        select(Cycle.id, Cycle.name, Cycle.period)
        .order_by(Cycle.period_start.desc(), Cycle.id.desc())
        .limit(limit)
    )
    return [(row.id, f"{row.name} · {row.period}") for row in rows]


def unit_in_reach(session: Session, actor: Actor, unit_id: int) -> OrgUnit | None:
    """The unit whose ledger the actor may read, or None."""
    return session.scalar(
        select(OrgUnit).where(OrgUnit.id == unit_id, unit_reach(actor, "ledger.view"))
    )


def unit_timeline(session: Session, actor: Actor, unit_id: int, people: bool) -> list:
    """Every entry about the unit itself the actor may read, withdrawn ones too, newest
    first; with ``people``, also the entries of the people recorded in it."""
    about = LedgerEntry.unit_id == unit_id
    if not people:
        about = about & LedgerEntry.employee_id.is_(None)
    return session.execute(
        select(*_columns())
        .join(OrgUnit, OrgUnit.id == LedgerEntry.unit_id)
        .outerjoin(Employee, Employee.id == LedgerEntry.employee_id)
        .where(about, entry_clause(actor, "ledger.view"))
        .order_by(LedgerEntry.on.desc(), LedgerEntry.id.desc())
        .limit(TIMELINE_LIMIT)
    ).all()


SHOWN_TO_THE_SUBJECT = (CycleStatus.PUBLISHED, CycleStatus.CLOSED)


def own_entries(session: Session, employee_id: int) -> list[LedgerEntry]:
    """The employee's own entries, not withdrawn, dated in the period of a cycle that
    includes them as a subject and whose results are published (or closed), newest first.
    Entries of any other period are not shown to the subject (docs/ledger.md)."""
    published = exists().where(
        CycleSubject.employee_id == employee_id,
        CycleSubject.included,
        Cycle.id == CycleSubject.cycle_id,
        Cycle.status.in_(SHOWN_TO_THE_SUBJECT),
        LedgerEntry.on.between(Cycle.period_start, Cycle.period_end),
    )
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.employee_id == employee_id,
                LedgerEntry.withdrawn_at.is_(None),
                published,
            )
            .order_by(LedgerEntry.on.desc(), LedgerEntry.id.desc())
            .limit(TIMELINE_LIMIT)
        )
    )


def people_to_enter(session: Session, actor: Actor, text: str, limit: int = 15) -> list:
    """(employee, unit name) of the people the actor may add entries for, matching a name,
    an employee number or pinyin initials: the add form's suggestions."""
    text = (text or "").strip()[:40]
    query = (
        select(Employee, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(unit_reach(actor, "ledger.enter"), Employee.status != EmployeeStatus.LEFT)
        .order_by(Employee.name, Employee.number)
        .limit(limit)
    )
    if Reach.ALL not in actor.reach("ledger.enter") and actor.scope.employee_id is not None:
        query = query.where(Employee.id != actor.scope.employee_id)  # never their own
    if text:
        query = query.where(
            or_(
                Employee.name.contains(text, autoescape=True),
                Employee.number.startswith(text, autoescape=True),
                Employee.initials.startswith(text.lower(), autoescape=True),
            )
        )
    return [(employee, unit_name) for employee, unit_name in session.execute(query)]
