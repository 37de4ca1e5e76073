"""Adding ledger entries from an Excel file, all or nothing (saas/ledger/excel.py reads it).

Every row is checked as the add form checks an entry (``service.checked``), and its subject
against the importer's reach (``ledger.enter``: an employee number or unit code outside it is
"not found", like a record out of reach). Every problem is named by row and column; when
there is any, nothing is stored. Otherwise the entries are added in one transaction, each
with an audit row naming the file. A fixed number of queries whatever the file's length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Reach
from saas.imports.columns import normalise
from saas.ledger import excel
from saas.ledger.excel import RawFile, RawRow, as_date, as_number_text, as_text
from saas.ledger.service import (
    LABEL_LIMIT,
    NOTE_LIMIT,
    checked,
    new_entry,
    published_rules,
    shown,
    unit_reach,
)
from saas.models.audit import record
from saas.models.ledger import EntryKind, EntrySource, LedgerEntry
from saas.models.org import OrgUnit, UnitKind
from saas.models.people import Employee
from saas.validation import Invalid, finite_decimal

CODE_LIMIT = 40
FILE_NAME_LIMIT = 120
_NUMBER = _l("Give a number such as 2 or -1.5.")


@dataclass(frozen=True)
class Problem:
    row: int
    cell: str  # e.g. "C5"; the row alone when the problem is the row's
    column: str  # the header as the file writes it
    message: Any


class Rejected(Exception):
    """The file's rows have problems; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class _Lookups:
    rules: dict[str, dict[str, Any]]
    events: dict[str, str]  # normalised key or label → event key
    sources: dict[str, str]
    people: dict[str, tuple[int, int, str]]  # number → (employee id, unit id, unit code)
    units: dict[str, tuple[int, str]]  # code → (unit id, kind)


def import_entries(
    session: Session, actor: Actor, raw: RawFile, file_name: str, today: dt.date, lang: str
) -> list[LedgerEntry]:
    """Add every row of ``raw`` as an entry, or raise ``Rejected`` with every problem (a
    column the file lacks is named in ``lang``)."""
    actor.require("ledger.enter")
    found = _lookups(session, actor, raw)
    problems: list[Problem] = []
    planned = []
    for row in raw.rows:
        entry = _row(actor, _Cells(raw, row, problems, lang), found, today)
        if entry is not None:
            planned.append(entry)
    if problems:
        raise Rejected(problems)
    session.add_all(planned)
    session.flush()
    name = (file_name or "")[:FILE_NAME_LIMIT]
    for entry in planned:
        after = {**shown(entry), "file": name}
        record(session, actor.email, "ledger.entry.import", "ledger_entry", entry.id, None, after)
    return planned


def _lookups(session: Session, actor: Actor, raw: RawFile) -> _Lookups:
    rules = published_rules(session)
    events: dict[str, str] = {}
    for key, rule in rules.items():
        for word in (rule.get("label"), rule.get("label_en"), key):
            if word:
                events.setdefault(normalise(str(word)), key)
    numbers = {as_text(r.values["number"])[:CODE_LIMIT] for r in raw.rows if "number" in r.values}
    codes = {as_text(r.values["unit"])[:CODE_LIMIT] for r in raw.rows if "unit" in r.values}
    return _Lookups(
        rules,
        events,
        excel.source_lookup(),
        _people(session, actor, numbers),
        _units(session, actor, codes),
    )


def _people(session: Session, actor: Actor, numbers: set[str]) -> dict:
    """The people among ``numbers`` whose ledger the actor may add to (never a manager's own
    record unless they reach everyone)."""
    if not numbers:
        return {}
    query = (
        select(Employee.number, Employee.id, Employee.unit_id, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(Employee.number.in_(numbers), unit_reach(actor, "ledger.enter"))
    )
    if Reach.ALL not in actor.reach("ledger.enter") and actor.scope.employee_id is not None:
        query = query.where(Employee.id != actor.scope.employee_id)
    return {row.number: (row.id, row.unit_id, row.code) for row in session.execute(query)}


def _units(session: Session, actor: Actor, codes: set[str]) -> dict:
    if not codes:
        return {}
    rows = session.execute(
        select(OrgUnit.code, OrgUnit.id, OrgUnit.kind).where(
            OrgUnit.code.in_(codes),
            OrgUnit.archived_at.is_(None),
            unit_reach(actor, "ledger.enter"),
        )
    )
    return {row.code: (row.id, row.kind) for row in rows}


class _Cells:
    """One row's problems, each placed at its cell."""

    def __init__(self, raw: RawFile, row: RawRow, problems: list[Problem], lang: str) -> None:
        self.raw, self.row, self.problems, self.lang = raw, row, problems, lang
        self.fields: set[str] = set()

    def add(self, field: str, message: Any) -> None:
        self.fields.add(field)
        letter = self.raw.letters.get(field, "")
        column = self.raw.headers.get(field) or excel.header(field, self.lang)
        self.problems.append(
            Problem(self.row.number, f"{letter}{self.row.number}", column, message)
        )


def _row(actor: Actor, cells: _Cells, found: _Lookups, today: dt.date) -> LedgerEntry | None:
    row = cells.row
    values = row.values
    for field in row.formulas:
        cells.add(field, _l("Formulas are not accepted; type the value."))
    if row.formulas:
        return None
    subject = _subject(values, found, cells)
    on = None
    if "on" in values:
        on = as_date(values["on"])
        if on is None:
            cells.add("on", _l("Not a date: write it as YYYY-MM-DD, e.g. 2026-08-03."))
    event = None
    if "event" in values:
        text = as_text(values["event"])
        event = found.events.get(normalise(text), text[:60])
    points = _number(values, "points", Decimal(1000), cells)
    fine = _number(values, "fine", Decimal(10**7), cells)
    source = EntrySource.INTERNAL.value
    if "source" in values:
        source = found.sources.get(normalise(as_text(values["source"])), "")
        if not source:
            cells.add("source", _l("Choose a source from the list."))
    try:
        fields = checked(
            found.rules,
            on=on,
            event=event,
            label=as_text(values.get("label", ""))[: LABEL_LIMIT + 1],
            points=points,
            fine=fine,
            note=as_text(values.get("note", ""))[: NOTE_LIMIT + 1],
            source=source or EntrySource.INTERNAL.value,
            today=today,
        )
    except Invalid as refused:
        fields = None
        for field, messages in refused.errors.items():
            if field not in cells.fields:  # a cell that could not be read says so once
                for message in messages:
                    cells.add(field or "on", message)
    if fields is None or subject is None or cells.fields:
        return None
    return new_entry(actor, subject, fields)


def _number(values: dict, field: str, below: Decimal, cells: _Cells) -> Decimal | None:
    if field not in values:
        return None
    number = finite_decimal(as_number_text(values[field]), below)
    if number is None:
        cells.add(field, _NUMBER)
    return number


def _subject(values: dict, found: _Lookups, cells: _Cells):
    """(kind, employee id, unit id) of the row's subject, or None with the problem noted."""
    number = as_text(values.get("number", ""))[:CODE_LIMIT]
    code = as_text(values.get("unit", ""))[:CODE_LIMIT]
    if number:
        person = found.people.get(number)
        if person is None:
            cells.add(
                "number",
                _l("No one whose ledger you keep has the employee number %(value)s.", value=number),
            )
            return None
        if code and code != person[2]:
            cells.add(
                "unit",
                _l("Employee %(number)s is not in unit %(code)s.", number=number, code=code),
            )
            return None
        return (EntryKind.EMPLOYEE, person[0], person[1])
    if code:
        unit = found.units.get(code)
        if unit is None:
            cells.add(
                "unit", _l("No unit whose ledger you keep has the code %(value)s.", value=code)
            )
            return None
        kind = EntryKind.PROVIDER if unit[1] == UnitKind.PROVIDER else EntryKind.UNIT
        return (kind, None, unit[0])
    cells.add("number", _l("Give an employee number or a unit code."))
    return None
