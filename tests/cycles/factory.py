"""Cycles, subjects and rating sheets written straight into the tables, for tests of the
areas that read them (rating entry, scoring, results) without going through the cycle
service. Tests of the cycle service itself go through the service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from saas.models.cycle import Cycle, CycleSubject, RatingSheet, SheetStatus
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.scoring.period import Period


def make_cycle(
    session: Session,
    version_id: int,
    *,
    period: str = "2026-Q3",
    status: str = "open",
    name: str | None = None,
) -> Cycle:
    version = session.get(SchemeVersion, version_id)
    assert version is not None and version.status == "published"
    span = Period.parse(period)
    cycle = Cycle(
        name=name or f"{version.definition['name']} {period}",
        scheme_version_id=version_id,
        period=period,
        period_start=span.start,
        period_end=span.end,
        subject_kind=version.definition.get("subject", "employee"),
        status=status,
        rating_due=span.end + dt.timedelta(days=10),
    )
    session.add(cycle)
    session.flush()
    return cycle


def add_subject(session: Session, cycle: Cycle, employee: Employee) -> CycleSubject:
    subject = CycleSubject(
        cycle_id=cycle.id, kind="employee", employee_id=employee.id, unit_id=employee.unit_id
    )
    session.add(subject)
    session.flush()
    return subject


def assign(
    session: Session,
    subject: CycleSubject,
    source: str,
    *,
    employee: Employee | None = None,
    user_id: int | None = None,
    values: dict | None = None,
    submitted: bool = False,
) -> RatingSheet:
    """A sheet for ``employee`` (or the user ``user_id``) rating ``subject`` for ``source``;
    with ``values`` it is a draft, or submitted when asked."""
    key = f"e:{employee.id}" if employee is not None else f"u:{user_id}"
    now = dt.datetime.now(dt.UTC)
    status = SheetStatus.SUBMITTED if submitted else SheetStatus.DRAFT if values else None
    sheet = RatingSheet(
        cycle_id=subject.cycle_id,
        cycle_subject_id=subject.id,
        source=source,
        rater_key=key,
        rater_employee_id=employee.id if employee is not None else None,
        rater_user_id=user_id if employee is None else None,
        values=values or {},
        status=status or SheetStatus.ASSIGNED,
        saved_at=now if values else None,
        submitted_at=now if submitted else None,
    )
    session.add(sheet)
    session.flush()
    return sheet
