"""The department grid (评分表格): one rater rates every subject assigned to them for one
source of one cycle at once — rows are the subjects, columns the rated items (a section
rated as a whole is one column) — typically a department supervisor rating all their staff.

Three ways in, one set of rules:

- ``load`` reads the grid for a page or a download in two statements;
- ``save_cell`` saves one cell as the rater types, in two statements: the scheme and the
  sheet's state, then one guarded ``UPDATE`` that holds only for a sheet assigned to the
  actor (``assigned_to``), not submitted, in an open cycle;
- ``apply`` saves many cells at once (the grid posted without JavaScript, an uploaded
  spreadsheet): every value is checked first and nothing is written unless all are right.

Every value goes through ``saas.rating.values.parse``. ``submit_complete`` submits every
sheet of the grid whose items are all rated. A row's total is the rater's total for that
subject: each item's points (the item's mode turns the value into points), each section's
subtotal capped at its maximum, the sections added up — the engine's rule for one rater;
the page computes the same in the browser as the rater types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.cycle import Cycle, CycleStatus, CycleSubject, RatingSheet, SheetStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.rating.mine import assigned_to
from saas.rating.values import Stored, parse
from saas.scoring.scheme import Item, Mode, Scheme, SectionScoring, SourceKind
from saas.validation import Invalid

ZERO = Decimal(0)
SOURCES = frozenset(kind.value for kind in SourceKind)
MAX_ROWS = 2000  # sheets one rater has in one grid; more is not a department


@dataclass(frozen=True)
class Column:
    """One rated item (or a section rated as a whole) as a column of the grid."""

    item: Item
    section: int  # the index of its section in the scheme
    section_title: str

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def text(self) -> str:
        return self.item.text

    @property
    def mode(self) -> str:
        return self.item.mode.value

    @property
    def max(self) -> Decimal:
        return self.item.max or ZERO

    @property
    def choices(self) -> tuple[str, ...]:
        """The stored values a select offers (scale labels), empty for typed cells."""
        return tuple(level.label for level in self.item.scale)


@dataclass(frozen=True)
class SectionHead:
    index: int
    key: str
    title: str
    max: Decimal
    span: int  # how many columns it heads
    whole: bool  # rated as a whole: its one column is the section itself


@dataclass
class Row:
    sheet_id: int
    name: str
    number: str | None
    unit: str | None
    status: str
    values: dict[str, Stored]
    total: Decimal = ZERO
    missing: int = 0  # rated items without a value

    @property
    def complete(self) -> bool:
        return self.missing == 0

    @property
    def submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


@dataclass
class Grid:
    cycle_id: int
    cycle_name: str
    period: str
    cycle_status: str
    source: str
    scheme: Scheme
    columns: list[Column]
    sections: list[SectionHead]
    rows: list[Row] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.cycle_status == CycleStatus.OPEN

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    @property
    def complete_rows(self) -> int:
        return sum(1 for row in self.rows if row.complete and not row.submitted)


# -- points, as the engine counts them for one rater ---------------------------------------


def points(item: Item, stored: Stored) -> Decimal | None:
    """The points a stored value gives ``item``, within its range; None when empty."""
    if stored is None:
        return None
    top = item.max or ZERO
    if item.mode in (Mode.YES_NO, Mode.CRITICAL):
        return top if stored is True else ZERO
    if item.mode is Mode.SCALE:
        found = next((level.points for level in item.scale if level.label == stored), None)
        return None if found is None else min(max(found, ZERO), top)
    if item.mode is Mode.DEDUCTION:
        per = item.per_occurrence or ZERO
        return max(top - per * int(str(stored)), item.floor)
    return min(max(Decimal(str(stored)), ZERO), top)


def total(columns: Iterable[Column], sections: Mapping[int, Decimal], values: Mapping) -> Decimal:
    """Each section's items added up and capped at the section's maximum, then the sections
    added up: a row's total."""
    subtotals: dict[int, Decimal] = {}
    for column in columns:
        found = points(column.item, values.get(column.key))
        if found is not None:
            subtotals[column.section] = subtotals.get(column.section, ZERO) + found
    return sum((min(value, sections[s]) for s, value in subtotals.items()), ZERO)


def _layout(scheme: Scheme) -> tuple[list[Column], list[SectionHead]]:
    columns = [Column(item, s, scheme.sections[s].title) for s, item in scheme.rated()]
    heads = []
    for s, section in enumerate(scheme.sections):
        span = sum(1 for column in columns if column.section == s)
        if span:
            whole = section.scoring is SectionScoring.SECTION
            heads.append(SectionHead(s, section.key, section.title, section.max, span, whole))
    return columns, heads


def _finish(grid: Grid, row: Row) -> Row:
    maxima = {head.index: head.max for head in grid.sections}
    row.total = total(grid.columns, maxima, row.values)
    row.missing = sum(1 for column in grid.columns if row.values.get(column.key) is None)
    return row


# -- reading --------------------------------------------------------------------------------


def load(session: Session, actor: Actor, cycle_id: int, source: str) -> Grid | None:
    """The grid of ``actor``'s sheets for ``source`` in the cycle, or None when they have
    none there (not found: a rater learns nothing of cycles they do not rate in)."""
    if source not in SOURCES:
        return None
    head = session.execute(
        select(Cycle.name, Cycle.period, Cycle.status, SchemeVersion.definition)
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
        .where(Cycle.id == cycle_id)
    ).first()
    if head is None or head.status == CycleStatus.DRAFT:  # raters see a cycle once it opens
        return None
    rows = session.execute(
        select(
            RatingSheet.id,
            RatingSheet.status,
            RatingSheet.values,
            func.coalesce(Employee.name, OrgUnit.name).label("name"),
            Employee.number,
            OrgUnit.name.label("unit"),
        )
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .where(
            RatingSheet.cycle_id == cycle_id,
            RatingSheet.source == source,
            CycleSubject.included.is_(True),
            assigned_to(actor),
        )
        .order_by(OrgUnit.name, Employee.number, RatingSheet.id)
        .limit(MAX_ROWS)
    ).all()
    if not rows:
        return None
    scheme = Scheme.model_validate(head.definition)
    columns, sections = _layout(scheme)
    grid = Grid(cycle_id, head.name, head.period, head.status, source, scheme, columns, sections)
    for r in rows:
        shown_unit = None if r.number is None else r.unit  # a unit subject is its own unit
        grid.rows.append(
            _finish(grid, Row(r.id, r.name, r.number, shown_unit, r.status, dict(r.values)))
        )
    return grid


def assigned_grids(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every (cycle, source) where ``actor`` has sheets in an open cycle, with counts: the
    grids they may open."""
    found = session.execute(
        select(
            Cycle.id,
            Cycle.name,
            Cycle.period,
            Cycle.rating_due,
            RatingSheet.source,
            func.count().label("sheets"),
            func.count().filter(RatingSheet.status == SheetStatus.SUBMITTED).label("submitted"),
        )
        .join(Cycle, Cycle.id == RatingSheet.cycle_id)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(
            Cycle.status == CycleStatus.OPEN,
            CycleSubject.included.is_(True),
            assigned_to(actor),
        )
        .group_by(Cycle.id, RatingSheet.source)
        .order_by(Cycle.rating_due, Cycle.id, RatingSheet.source)
    )
    return [dict(row._mapping) for row in found]


# -- saving one cell ------------------------------------------------------------------------


@dataclass(frozen=True)
class CellSaved:
    sheet_id: int
    key: str
    value: Stored
    total: Decimal
    status: str
    missing: int


def _guards(actor: Actor, cycle_id: int, source: str) -> list[Any]:
    """What a sheet must be for ``actor`` to write it from this grid."""
    return [
        RatingSheet.cycle_id == cycle_id,
        RatingSheet.source == source,
        RatingSheet.status != SheetStatus.SUBMITTED,
        assigned_to(actor),
        RatingSheet.cycle_id.in_(
            select(Cycle.id).where(Cycle.id == cycle_id, Cycle.status == CycleStatus.OPEN)
        ),
        RatingSheet.cycle_subject_id.in_(
            select(CycleSubject.id).where(
                CycleSubject.cycle_id == cycle_id, CycleSubject.included.is_(True)
            )
        ),
    ]


def not_open() -> Refused:
    return Refused(_l("This cycle is not open for rating."))


def locked() -> Refused:
    return Refused(_l("This rating is submitted; the administrator can reopen it."))


def save_cell(
    session: Session, actor: Actor, cycle_id: int, source: str, sheet_id: int, key: str, raw: Any
) -> CellSaved | None:
    """Save one value of one sheet; None when the sheet is not the actor's to rate here.

    Two statements: the scheme with the cycle's and the sheet's state (to say why a save is
    refused and to read the value in its item's mode), then the guarded UPDATE, which holds
    only while the sheet is the actor's, not submitted, in an open cycle."""
    if source not in SOURCES:
        return None
    found = session.execute(
        select(Cycle.status, RatingSheet.status.label("sheet"), SchemeVersion.definition)
        .join(Cycle, Cycle.id == RatingSheet.cycle_id)
        .join(SchemeVersion, SchemeVersion.id == Cycle.scheme_version_id)
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(
            RatingSheet.id == sheet_id,
            RatingSheet.cycle_id == cycle_id,
            RatingSheet.source == source,
            CycleSubject.included.is_(True),
            assigned_to(actor),
        )
    ).first()
    if found is None:
        return None
    if found.status != CycleStatus.OPEN:
        raise not_open()
    if found.sheet == SheetStatus.SUBMITTED:
        raise locked()
    scheme = Scheme.model_validate(found.definition)
    columns, sections = _layout(scheme)
    column = next((c for c in columns if c.key == key), None)
    if column is None:
        raise Invalid(_l("This grid has no such column."), key)
    stored = parse(column.item, raw)
    if stored is None:
        changed = RatingSheet.values.op("-")(key)
    else:
        changed = RatingSheet.values.op("||")(bindparam("cell", {key: stored}, type_=JSONB))
    saved = session.execute(
        update(RatingSheet)
        .where(RatingSheet.id == sheet_id, *_guards(actor, cycle_id, source))
        .values(values=changed, status=SheetStatus.DRAFT, saved_at=func.now())
        .returning(RatingSheet.values, RatingSheet.status)
        .execution_options(synchronize_session=False)
    ).first()
    if saved is None:  # submitted or closed between the two statements
        raise locked()
    maxima = {head.index: head.max for head in sections}
    values = saved.values
    return CellSaved(
        sheet_id,
        key,
        values.get(key),
        total(columns, maxima, values),
        saved.status,
        sum(1 for c in columns if values.get(c.key) is None),
    )


# -- saving many cells at once: all or nothing ------------------------------------------------


@dataclass
class RowInput:
    """What a posted grid or an uploaded file gives for one sheet: raw values by item key;
    ``line`` is the file's row number (None for the page's own form)."""

    sheet_id: Any
    values: dict[str, Any]
    line: int | None = None


def cell_field(sheet_id: int, key: str) -> str:
    """The name of a cell's form field, and the field its problems are reported under."""
    return f"v-{sheet_id}-{key}"


def _where(line: int | None, column: Column | None, problem: Any) -> Any:
    if line is None:
        return problem
    if column is None:
        return _l("Row %(row)d: %(problem)s", row=line, problem=problem)
    return _l(
        "Row %(row)d, “%(column)s”: %(problem)s", row=line, column=column.text, problem=problem
    )


def apply(
    session: Session,
    actor: Actor,
    cycle_id: int,
    source: str,
    rows: list[RowInput],
    *,
    how: str = "grid",
) -> int | None:
    """Save every given value of every given sheet, or nothing: every problem is raised at
    once (``Invalid.many``: by cell field for the page's form, all under "" with the row
    and column named for a file). Returns how many cells changed; None when the actor has
    no grid here. Each changed sheet is audited (``how``: "grid" or "upload")."""
    grid = load(session, actor, cycle_id, source)
    if grid is None:
        return None
    if not grid.open:
        raise not_open()
    by_id = {row.sheet_id: row for row in grid.rows}
    problems: dict[str, list[Any]] = {}
    wanted: dict[int, dict[str, Stored]] = {}
    for given in rows:
        sheet = by_id.get(given.sheet_id) if isinstance(given.sheet_id, int) else None
        if sheet is None:
            problems.setdefault("", []).append(
                _where(given.line, None, _l("this row is not one of the ratings assigned to you."))
            )
            continue
        if given.sheet_id in wanted:
            problems.setdefault("", []).append(
                _where(given.line, None, _l("this person appears twice in the file."))
            )
            continue
        if sheet.submitted:
            if given.line is not None:  # the page's form leaves submitted rows out
                problems.setdefault("", []).append(
                    _where(
                        given.line,
                        None,
                        _l("%(name)s's rating is already submitted.", name=sheet.name),
                    )
                )
            continue
        parsed: dict[str, Stored] = {}
        for key, raw in given.values.items():
            column = grid.column(key)
            if column is None:
                continue
            try:
                parsed[key] = parse(column.item, raw)
            except Invalid as error:
                where = cell_field(sheet.sheet_id, key) if given.line is None else ""
                problems.setdefault(where, []).append(_where(given.line, column, error.message))
        wanted[given.sheet_id] = parsed
    if problems:
        raise Invalid.many(problems)
    changed_cells = 0
    changes: dict[int, tuple[dict[str, Stored], dict[str, Stored]]] = {}
    for sheet_id, parsed in wanted.items():
        old = by_id[sheet_id].values
        before = {k: old.get(k) for k, v in parsed.items() if old.get(k) != v}
        if before:
            changes[sheet_id] = (before, {k: parsed[k] for k in before})
            changed_cells += len(before)
    if not changes:
        return 0
    locked_rows = session.execute(
        select(RatingSheet)
        .where(RatingSheet.id.in_(changes), *_guards(actor, cycle_id, source))
        .with_for_update()
    ).scalars()
    sheets = {sheet.id: sheet for sheet in locked_rows}
    if len(sheets) != len(changes):  # submitted or closed meanwhile: nothing is written
        raise locked()
    now = dt.datetime.now(dt.UTC)
    for sheet_id, (before, after) in changes.items():
        sheet = sheets[sheet_id]
        # On the locked row's values: a cell saved meanwhile in another tab stays saved.
        merged = {**sheet.values, **after}
        sheet.values = {k: v for k, v in merged.items() if v is not None}
        sheet.status = SheetStatus.DRAFT
        sheet.saved_at = now
        record(
            session,
            actor.email,
            "rating_sheet.upload" if how == "upload" else "rating_sheet.grid_save",
            "rating_sheet",
            sheet_id,
            {"values": before},
            {"values": after},
        )
    session.flush()
    return changed_cells


# -- submitting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    names: list[str]  # submitted now
    incomplete: list[str]  # not submitted: items still without a value


def submit_complete(session: Session, actor: Actor, cycle_id: int, source: str) -> Submitted | None:
    """Submit every sheet of the grid whose items all have a value; list the others. Each
    submission is audited. None when the actor has no grid here."""
    grid = load(session, actor, cycle_id, source)
    if grid is None:
        return None
    if not grid.open:
        raise not_open()
    ready = [row for row in grid.rows if row.complete and not row.submitted]
    incomplete = [row.name for row in grid.rows if not row.complete and not row.submitted]
    if not ready:
        return Submitted([], incomplete)
    sheets = {
        sheet.id: sheet
        for sheet in session.execute(
            select(RatingSheet)
            .where(RatingSheet.id.in_([row.sheet_id for row in ready]))
            .where(*_guards(actor, cycle_id, source))
            .with_for_update()
        ).scalars()
    }
    now = dt.datetime.now(dt.UTC)
    names = []
    for row in ready:
        sheet = sheets.get(row.sheet_id)
        if sheet is None or sheet.values != row.values:  # changed meanwhile: left as it is
            continue
        before = {"status": sheet.status}
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
        record(
            session,
            actor.email,
            "rating_sheet.grid_submit",
            "rating_sheet",
            sheet.id,
            before,
            {"status": SheetStatus.SUBMITTED.value, "total": str(row.total)},
        )
        names.append(row.name)
    session.flush()
    return Submitted(names, incomplete)
