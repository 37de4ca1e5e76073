"""Reads for the results pages, each in a fixed number of statements whatever the cycle's size.

A cycle's current results are those of its latest finished scoring run (docs/results.md).
What a reader sees follows their scope (saas/org/access.py) through the subject's unit when
it entered the cycle (``CycleSubject.unit_id``): a manager reads the subjects of the units
they manage and everything under them; a subject outside is not found.

- ``cycle_head``: the cycle, its scheme and its current run (one statement);
- ``results_page``: one page of the table, filtered and sorted (two: the count and the page);
- ``distribution``: the counts the chart draws, by one aggregate (``width_bucket``);
- ``subject_result``: one subject and its current result (one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from saas.models.cycle import Cycle, CycleResult, CycleSubject, RunStatus, ScoringRun
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.org.access import Scope
from saas.paging import PER_PAGE, Page, page_within
from saas.results.distribution import BINS, Counted
from saas.scoring.scheme import Scheme
from saas.validation import page_number, record_id

SORTS = ("score", "score_asc", "name")  # the first is the default
FLAGS = ("yes", "no")
NO_BAND = "-"  # the band filter's value for "below every band"


@dataclass(frozen=True)
class ResultsQuery:
    """The table's filters, sort and page: everything lives in the query string."""

    unit: int | None = None
    band: str = ""
    disqualified: str = ""
    excluded: str = ""
    sort: str = SORTS[0]
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ResultsQuery:
        """Tolerant: a hand-edited URL with nonsense in it still shows a table."""

        def flag(name: str) -> str:
            value = args.get(name, "")
            return value if value in FLAGS else ""

        sort = args.get("sort", "")
        return cls(
            unit=record_id(args.get("unit", "")),
            band=" ".join(str(args.get("band", "")).split())[:120],
            disqualified=flag("disqualified"),
            excluded=flag("excluded"),
            sort=sort if sort in SORTS else SORTS[0],
            page=page_number(args.get("page", "")),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link, leaving out the defaults."""
        values = {
            "unit": self.unit,
            "band": self.band,
            "disqualified": self.disqualified,
            "excluded": self.excluded,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        defaults = {("page", 1), ("sort", SORTS[0])}
        return {k: v for k, v in values.items() if v not in ("", None) and (k, v) not in defaults}

    @property
    def filtered(self) -> bool:
        return bool(self.unit or self.band or self.disqualified or self.excluded)


@dataclass(frozen=True)
class CycleHead:
    cycle: Cycle
    scheme: Scheme
    run: ScoringRun | None  # the latest finished run: the cycle's current results
    running: int | None  # the number of a run under way, if any


def cycle_head(session: Session, cycle_id: int) -> CycleHead | None:
    """The cycle, its scheme and its current run, in one statement; None if there is no such
    cycle."""
    finished = aliased(ScoringRun)
    latest = (
        select(finished.id)
        .where(finished.cycle_id == Cycle.id, finished.status == RunStatus.FINISHED)
        .order_by(finished.number.desc())
        .limit(1)
        .correlate(Cycle)
        .scalar_subquery()
    )
    under_way = aliased(ScoringRun)
    running = (
        select(under_way.number)
        .where(under_way.cycle_id == Cycle.id, under_way.status == RunStatus.RUNNING)
        .limit(1)
        .correlate(Cycle)
        .scalar_subquery()
    )
    row = session.execute(
        select(Cycle, SchemeVersion.definition, ScoringRun, running.label("running"))
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
        .outerjoin(ScoringRun, ScoringRun.id == latest)
        .where(Cycle.id == cycle_id)
    ).first()
    if row is None:
        return None
    cycle, definition, run, running_number = row
    # A published version's definition was valid when it was published.
    return CycleHead(cycle, Scheme.model_validate(definition), run, running_number)


# -- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    subject_id: int
    kind: str
    name: str
    number: str  # an employee's number, a unit's code
    unit_name: str | None  # the employee's unit; for a unit, the unit above it
    final: Decimal | None
    band: str | None
    award: Decimal
    fines: Decimal
    disqualified: bool
    disqualified_next: bool
    excluded: bool


def _reach(scope: Scope, query: ResultsQuery | None = None) -> list[ColumnElement[bool]]:
    """Who the reader may see, and the unit filter: both on the subject's unit (``OrgUnit``
    joined on ``CycleSubject.unit_id``)."""
    conditions = [scope.unit_clause()]
    if query is not None and query.unit:
        # The chosen unit and everything under it: its path is a prefix of theirs.
        chosen = select(OrgUnit.path).where(OrgUnit.id == query.unit).scalar_subquery()
        conditions.append(OrgUnit.path.startswith(chosen))
    return conditions


def _filters(scope: Scope, query: ResultsQuery) -> list[ColumnElement[bool]]:
    conditions = _reach(scope, query)
    if query.band == NO_BAND:
        conditions += [CycleResult.band.is_(None), CycleResult.excluded.is_(False)]
    elif query.band:
        conditions.append(CycleResult.band == query.band)
    for flag, column in (
        (query.disqualified, CycleResult.disqualified),
        (query.excluded, CycleResult.excluded),
    ):
        if flag:
            conditions.append(column.is_(flag == "yes"))
    return conditions


def _joined(statement, run_id: int):
    return (
        statement.join(CycleSubject, CycleSubject.id == CycleResult.cycle_subject_id)
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .where(CycleResult.run_id == run_id)
    )


def results_page(session: Session, scope: Scope, run_id: int, query: ResultsQuery) -> Page:
    """One page of a run's results this reader may see: two statements, whatever the size."""
    conditions = _filters(scope, query)
    total = (
        session.scalar(
            _joined(select(func.count()).select_from(CycleResult), run_id).where(*conditions)
        )
        or 0
    )
    page = page_within(total, query.page)
    above = aliased(OrgUnit)
    name = func.coalesce(Employee.name, OrgUnit.name)
    if query.sort == "name":
        order = [name, CycleResult.cycle_subject_id]
    else:
        score = CycleResult.final.asc() if query.sort == "score_asc" else CycleResult.final.desc()
        order = [CycleResult.excluded, score.nulls_last(), name, CycleResult.cycle_subject_id]
    rows = session.execute(
        _joined(
            select(
                CycleResult.cycle_subject_id.label("subject_id"),
                CycleSubject.kind,
                name.label("name"),
                func.coalesce(Employee.number, OrgUnit.code).label("number"),
                case((CycleSubject.employee_id.is_(None), above.name), else_=OrgUnit.name).label(
                    "unit_name"
                ),
                CycleResult.final,
                CycleResult.band,
                CycleResult.award,
                CycleResult.fines,
                CycleResult.disqualified,
                CycleResult.disqualified_next,
                CycleResult.excluded,
            ).select_from(CycleResult),
            run_id,
        )
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .outerjoin(above, above.id == OrgUnit.parent_id)
        .where(*conditions)
        .order_by(*order)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page([ResultRow(**row._mapping) for row in rows], total, page)


def distribution(
    session: Session, scope: Scope, run_id: int, scale: Decimal, query: ResultsQuery | None = None
) -> list[Counted]:
    """How many of the run's results (that the reader may see, in the chosen unit) fall in
    each ``BINS``-th of the scale, per band, excluded and disqualified: one aggregate."""
    # Grouped by their labels: the expressions repeated would bind their numbers anew.
    bucket = func.width_bucket(CycleResult.final, Decimal(0), scale, BINS).label("bucket")
    over = (CycleResult.final > scale).label("over")
    rows = session.execute(
        _joined(
            select(
                bucket,
                over,
                CycleResult.band,
                CycleResult.excluded,
                CycleResult.disqualified,
                func.count(),
            ).select_from(CycleResult),
            run_id,
        )
        .where(*_reach(scope, query))
        .group_by(bucket, over, CycleResult.band, CycleResult.excluded, CycleResult.disqualified)
    )
    return [
        Counted(bucket, bool(over), band, excluded, disqualified, count)
        for bucket, over, band, excluded, disqualified, count in rows
    ]


# -- one subject ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectResult:
    subject: CycleSubject
    name: str
    number: str
    unit_name: str
    result: CycleResult | None  # None: not in the current run (or no run yet)


def subject_result(
    session: Session, scope: Scope, cycle_id: int, subject_id: int, run_id: int | None
) -> SubjectResult | None:
    """One subject of this cycle that the reader may see, with its result in the run; None
    when there is no such subject here or it is outside the reader's scope."""
    row = session.execute(
        select(
            CycleSubject,
            func.coalesce(Employee.name, OrgUnit.name),
            func.coalesce(Employee.number, OrgUnit.code),
            OrgUnit.name,
            CycleResult,
        )
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .outerjoin(
            CycleResult,
            and_(
                CycleResult.cycle_subject_id == CycleSubject.id,
                CycleResult.run_id == (run_id or 0),
            ),
        )
        .where(CycleSubject.id == subject_id, CycleSubject.cycle_id == cycle_id, *_reach(scope))
    ).first()
    if row is None:
        return None
    subject, name, number, unit_name, result = row
    return SubjectResult(subject, name, number, unit_name, result)
