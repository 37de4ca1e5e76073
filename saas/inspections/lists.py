"""Reads for the inspection pages, each in a fixed number of queries: a filtered page of
inspections (two: the count and the rows), the schedules (one) and the to-do count (one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor
from saas.inspections.access import OPEN_STATUSES, visible
from saas.models.inspection import Inspection, InspectionSchedule
from saas.models.org import OrgUnit
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.models.user import User
from saas.paging import PER_PAGE, Page, page_within


@dataclass(frozen=True)
class Filters:
    unit_id: int | None = None  # the unit and its subtree
    status: str | None = None
    method: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mine: bool = False  # only those the reader is to carry out


def _conditions(actor: Actor, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [visible(actor)]
    if filters.unit_id is not None:
        top = aliased(OrgUnit)
        inside = select(OrgUnit.id).where(
            OrgUnit.path.startswith(
                select(top.path).where(top.id == filters.unit_id).scalar_subquery()
            )
        )
        conditions.append(Inspection.unit_id.in_(inside))
    if filters.status:
        conditions.append(Inspection.status == filters.status)
    if filters.method:
        conditions.append(Inspection.method == filters.method)
    if filters.date_from is not None:
        conditions.append(Inspection.planned_on >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(Inspection.planned_on <= filters.date_to)
    if filters.mine:
        conditions.append(Inspection.inspector_id == actor.user_id)
    return conditions


def _columns():
    return (
        Inspection,
        OrgUnit.name.label("unit_name"),
        User.name.label("inspector_name"),
        AssessmentScheme.name.label("checklist_name"),
    )


def _joined(query):
    return (
        query.join(OrgUnit, OrgUnit.id == Inspection.unit_id)
        .join(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .join(AssessmentScheme, AssessmentScheme.id == SchemeVersion.scheme_id)
        .outerjoin(User, User.id == Inspection.inspector_id)
    )


def inspection_page(session: Session, actor: Actor, filters: Filters, page: int) -> Page:
    """One page of the inspections the actor may see, latest date first (two queries)."""
    conditions = _conditions(actor, filters)
    total = session.scalar(select(func.count()).select_from(Inspection).where(*conditions)) or 0
    page = page_within(total, page)
    rows = session.execute(
        _joined(select(*_columns()))
        .where(*conditions)
        .order_by(Inspection.planned_on.desc(), Inspection.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


def described(session: Session, inspection: Inspection):
    """The inspection's unit, checklist and inspector names (one query)."""
    return session.execute(_joined(select(*_columns())).where(Inspection.id == inspection.id)).one()


def schedules(session: Session) -> list:
    """Every schedule, running ones first, with its unit, checklist and inspector (one query)."""
    return session.execute(
        select(
            InspectionSchedule,
            OrgUnit.name.label("unit_name"),
            AssessmentScheme.name.label("checklist_name"),
            User.name.label("inspector_name"),
        )
        .join(OrgUnit, OrgUnit.id == InspectionSchedule.unit_id)
        .join(AssessmentScheme, AssessmentScheme.id == InspectionSchedule.scheme_id)
        .outerjoin(User, User.id == InspectionSchedule.inspector_id)
        .order_by(
            InspectionSchedule.ended_at.is_not(None),
            InspectionSchedule.next_on,
            InspectionSchedule.id,
        )
        .limit(500)
    ).all()


def due_count(session: Session, user_id: int, today: dt.date) -> int:
    """The user's inspections due by today: planned or in progress, and those their schedules
    will plan on the next look (one query)."""
    planned = (
        select(func.count())
        .select_from(Inspection)
        .where(
            Inspection.inspector_id == user_id,
            Inspection.status.in_(OPEN_STATUSES),
            Inspection.planned_on <= today,
        )
        .scalar_subquery()
    )
    scheduled = (
        select(func.count())
        .select_from(InspectionSchedule)
        .where(
            InspectionSchedule.inspector_id == user_id,
            InspectionSchedule.ended_at.is_(None),
            InspectionSchedule.next_on <= today,
        )
        .scalar_subquery()
    )
    return session.scalar(select(planned + scheduled)) or 0
