"""Reads for the ledger pages, each in a fixed number of queries: a filtered page of entries
(two: the count and the rows) and one subject's timeline (two: the subject and its entries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor
from saas.ledger.service import entry_clause
from saas.models.ledger import LedgerEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee
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


def _columns():
    return (
        LedgerEntry,
        Employee.name.label("employee_name"),
        Employee.number.label("employee_number"),
        OrgUnit.name.label("unit_name"),
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
        .limit(500)
    ).all()
