"""How far a cycle's ratings have come: per source and per unit, sheets expected, received
(submitted) and missing, and who is late — each in a fixed number of aggregate statements,
whatever the number of subjects.

Only the sheets of included subjects count, and only those this user may see (a manager:
the subjects of their units). A sheet is late when it is not submitted after the cycle's
due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from saas.cycles.lists import sheet_subject_clause, subject_clause
from saas.models.cycle import Cycle, CycleSubject, ExternalRater, RatingSheet, SheetStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.models.user import User
from saas.org.access import Scope
from saas.paging import PER_PAGE, Page, page_within


@dataclass(frozen=True)
class Tally:
    key: object  # the source, or the unit's id
    label: str | None  # the unit's name (sources are named by the page)
    expected: int
    received: int
    late: int

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def percent(self) -> int:
        return round(100 * self.received / self.expected) if self.expected else 0


def is_late(cycle: Cycle, today: dt.date) -> bool:
    return cycle.rating_due is not None and today > cycle.rating_due


def _counted(cycle: Cycle, scope: Scope) -> list[ColumnElement[bool]]:
    return [
        RatingSheet.cycle_id == cycle.id,
        CycleSubject.included.is_(True),
        subject_clause(scope),
    ]


def _tally_columns(cycle: Cycle, today: dt.date):
    submitted = RatingSheet.status == SheetStatus.SUBMITTED
    received = func.count().filter(submitted)
    late = func.count().filter(~submitted) if is_late(cycle, today) else func.count().filter(False)
    return func.count().label("expected"), received.label("received"), late.label("late")


def by_source(session: Session, cycle: Cycle, scope: Scope, today: dt.date) -> list[Tally]:
    """One row per source that has sheets: one statement."""
    rows = session.execute(
        select(RatingSheet.source, *_tally_columns(cycle, today))
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(*_counted(cycle, scope))
        .group_by(RatingSheet.source)
    )
    return [Tally(r.source, None, r.expected, r.received, r.late) for r in rows]


def total(tallies: list[Tally]) -> Tally:
    return Tally(
        None,
        None,
        sum(t.expected for t in tallies),
        sum(t.received for t in tallies),
        sum(t.late for t in tallies),
    )


def by_unit(session: Session, cycle: Cycle, scope: Scope, today: dt.date, page: int = 1) -> Page:
    """One page of units (in tree order) with their subjects' sheets: two statements."""
    where = _counted(cycle, scope)
    base = (
        select(CycleSubject.unit_id)
        .select_from(RatingSheet)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(*where)
        .group_by(CycleSubject.unit_id)
        .subquery()
    )
    count = session.scalar(select(func.count()).select_from(base)) or 0
    page = page_within(count, page)
    rows = session.execute(
        select(CycleSubject.unit_id, OrgUnit.name, *_tally_columns(cycle, today))
        .select_from(RatingSheet)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .where(*where)
        .group_by(CycleSubject.unit_id, OrgUnit.name, OrgUnit.path)
        .order_by(OrgUnit.path)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page(
        [Tally(r.unit_id, r.name, r.expected, r.received, r.late) for r in rows], count, page
    )


@dataclass(frozen=True)
class LateRater:
    rater_key: str
    name: str | None
    organisation: str | None
    missing: int


def late_raters(
    session: Session, cycle: Cycle, scope: Scope, today: dt.date, page: int = 1
) -> Page:
    """Who has not submitted after the due date, most sheets missing first: two statements
    (none before the due date)."""
    if not is_late(cycle, today):
        return Page([], 0, 1)
    where = [
        *_counted(cycle, scope),
        sheet_subject_clause(scope),
        RatingSheet.status != SheetStatus.SUBMITTED,
    ]
    keys = (
        select(RatingSheet.rater_key)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(*where)
        .group_by(RatingSheet.rater_key)
        .subquery()
    )
    count = session.scalar(select(func.count()).select_from(keys)) or 0
    page = page_within(count, page)
    person = aliased(Employee)
    name = func.min(func.coalesce(person.name, User.name, ExternalRater.name))
    rows = session.execute(
        select(
            RatingSheet.rater_key,
            name.label("name"),
            func.min(ExternalRater.organisation).label("organisation"),
            func.count().label("missing"),
        )
        .select_from(RatingSheet)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .outerjoin(person, person.id == RatingSheet.rater_employee_id)
        .outerjoin(User, User.id == RatingSheet.rater_user_id)
        .outerjoin(ExternalRater, ExternalRater.id == RatingSheet.rater_external_id)
        .where(*where)
        .group_by(RatingSheet.rater_key)
        .order_by(func.count().desc(), name, RatingSheet.rater_key)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([LateRater(**r._mapping) for r in rows], count, page)


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    scheme_name: str
    version_number: int
    subjects: int
    expected: int
    received: int


def cycle_page(session: Session, scope: Scope, page: int = 1) -> Page:
    """One page of cycles, newest first, each with its subjects and sheets counted (those
    this user may see): two statements."""
    count = session.scalar(select(func.count()).select_from(Cycle)) or 0
    page = page_within(count, page)
    seen = subject_clause(scope)
    subjects = (
        select(func.count())
        .select_from(CycleSubject)
        .where(CycleSubject.cycle_id == Cycle.id, CycleSubject.included.is_(True), seen)
        .correlate(Cycle)
        .scalar_subquery()
    )
    sheets = (
        select(RatingSheet.cycle_id, func.count().label("expected"))
        .add_columns(
            func.count().filter(RatingSheet.status == SheetStatus.SUBMITTED).label("received")
        )
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(CycleSubject.included.is_(True), seen)
        .group_by(RatingSheet.cycle_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Cycle,
            AssessmentScheme.name,
            SchemeVersion.number,
            subjects.label("subjects"),
            func.coalesce(sheets.c.expected, 0),
            func.coalesce(sheets.c.received, 0),
        )
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
        .join(AssessmentScheme, AssessmentScheme.id == SchemeVersion.scheme_id)
        .outerjoin(sheets, sheets.c.cycle_id == Cycle.id)
        .order_by(Cycle.period_start.desc(), Cycle.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([CycleRow(*row) for row in rows], count, page)
