"""Reads for the rating pages: a rater's sheets as plain rows, and one sheet with what its
form needs, each in one statement.

Every read takes the condition that says whose sheets these are: ``assigned_to(actor)``
(saas/rating/mine.py) for a logged-in rater, ``of_external(rater)`` for a third party who came
through their link. A sheet outside that condition is not found (404), whatever id is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from saas.models.cycle import (
    Cycle,
    CycleStatus,
    CycleSubject,
    ExternalRater,
    RatingSheet,
    SheetStatus,
)
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.scoring.scheme import Scheme

# The most sheets the list shows: far above what one rater is given in the cycles they can see.
LIST_LIMIT = 500
# Sources in the order the list shows them (and the scheme file names them).
SOURCE_ORDER = (
    "self",
    "supervisor",
    "peer",
    "subordinate",
    "customer",
    "committee",
    "third_party",
)


def of_external(rater: ExternalRater) -> ColumnElement[bool]:
    """The sheets of a third party: theirs, and in their one cycle only."""
    return and_(RatingSheet.rater_external_id == rater.id, RatingSheet.cycle_id == rater.cycle_id)


def _subject_name():
    return func.coalesce(Employee.name, OrgUnit.name)


def _with_subject(query):
    return (
        query.join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .outerjoin(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
    )


@dataclass(frozen=True)
class ListedSheet:
    id: int
    source: str
    status: str
    subject: str
    saved_at: dt.datetime | None
    submitted_at: dt.datetime | None


@dataclass
class CycleSheets:
    """One cycle's sheets of one rater, by source in scheme-file order."""

    id: int
    name: str
    period: str
    status: str
    due: dt.date | None
    sources: dict[str, list[ListedSheet]]

    @property
    def open(self) -> bool:
        return self.status == CycleStatus.OPEN

    @property
    def to_do(self) -> int:
        return sum(1 for rows in self.sources.values() for row in rows if row.status != "submitted")


def listed(session: Session, whose: ColumnElement[bool]) -> list[CycleSheets]:
    """The sheets ``whose`` holds for, grouped by cycle (open ones first, then the latest)
    and source; cycles still being set up are not shown. One statement."""
    source_rank = case({s: n for n, s in enumerate(SOURCE_ORDER)}, value=RatingSheet.source)
    query = _with_subject(
        select(
            RatingSheet.id,
            RatingSheet.source,
            RatingSheet.status,
            RatingSheet.saved_at,
            RatingSheet.submitted_at,
            _subject_name().label("subject"),
            Cycle.id.label("cycle_id"),
            Cycle.name.label("cycle_name"),
            Cycle.period,
            Cycle.status.label("cycle_status"),
            Cycle.rating_due,
        ).join(Cycle, Cycle.id == RatingSheet.cycle_id)
    ).where(whose, Cycle.status != CycleStatus.DRAFT)
    query = query.order_by(
        (Cycle.status != CycleStatus.OPEN),
        Cycle.period_start.desc(),
        Cycle.id.desc(),
        source_rank,
        _subject_name(),
        RatingSheet.id,
    ).limit(LIST_LIMIT)
    cycles: dict[int, CycleSheets] = {}
    for row in session.execute(query):
        cycle = cycles.get(row.cycle_id)
        if cycle is None:
            cycle = cycles[row.cycle_id] = CycleSheets(
                row.cycle_id, row.cycle_name, row.period, row.cycle_status, row.rating_due, {}
            )
        cycle.sources.setdefault(row.source, []).append(
            ListedSheet(row.id, row.source, row.status, row.subject, row.saved_at, row.submitted_at)
        )
    return list(cycles.values())


def open_counts(session: Session, whose: ColumnElement[bool]) -> list[tuple[int, str, int]]:
    """(cycle id, cycle name, sheets not yet submitted) per open cycle: the start page's
    to-dos. One statement."""
    query = (
        select(Cycle.id, Cycle.name, func.count())
        .select_from(RatingSheet)
        .join(Cycle, Cycle.id == RatingSheet.cycle_id)
        .where(
            whose,
            Cycle.status == CycleStatus.OPEN,
            RatingSheet.status != SheetStatus.SUBMITTED,
        )
        .group_by(Cycle.id, Cycle.name, Cycle.period_start)
        .order_by(Cycle.period_start, Cycle.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


@dataclass
class OpenSheet:
    """One sheet with its cycle, its subject's name and its scheme: all a form needs."""

    sheet: RatingSheet
    cycle: Cycle
    subject: str
    definition: dict[str, Any]
    _scheme: Scheme | None = None

    @property
    def scheme(self) -> Scheme:
        # Published versions never change and were valid when published.
        if self._scheme is None:
            self._scheme = Scheme.model_validate(self.definition)
        return self._scheme

    @property
    def editable(self) -> bool:
        return self.cycle.status == CycleStatus.OPEN and self.sheet.status != "submitted"


def find(
    session: Session, whose: ColumnElement[bool] | None, sheet_id: int, *, lock: bool = False
) -> OpenSheet | None:
    """The sheet ``sheet_id`` if ``whose`` holds for it (None: any sheet of the tenant, for
    an admin), with what its form needs; one statement."""
    query = _with_subject(
        select(RatingSheet, Cycle, _subject_name(), SchemeVersion.definition)
        .join(Cycle, Cycle.id == RatingSheet.cycle_id)
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
    ).where(RatingSheet.id == sheet_id)
    if whose is not None:
        query = query.where(whose)
    if lock:
        query = query.with_for_update(of=RatingSheet)
    row = session.execute(query).first()
    if row is None:
        return None
    return OpenSheet(row[0], row[1], row[2] or "", row[3])
