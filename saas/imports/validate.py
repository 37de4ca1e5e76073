"""Checking an uploaded workbook against the tenant's organisation.

The check reads the tenant's units, employees and position levels once (a ``Snapshot``), then
goes through the rows: it cleans each value, finds every problem (stored as a code and its
parameters, translated only when shown), and plans what a commit would write: which records are
new, which change and which stay as they are. References may point to rows of the same file or
to records already in the organisation; a file row overrides the stored record it names.

Columns missing from a sheet are left as they are on existing records, so a sheet of employee
numbers and statuses updates just the statuses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.imports.columns import (
    COLUMNS,
    EMPLOYEES,
    KINDS,
    STATUS_LOOKUP,
    UNIT_KIND_LOOKUP,
    UNITS,
    column,
    normalise,
)
from saas.imports.formats import Row, Sheet, Workbook
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.user import User
from saas.people.contacts import BadContact, normalise_email, normalise_mobile

# Every problem the check can report; each has a message in saas/imports/messages.py.
ERROR_CODES = (
    "duplicate_column",
    "missing_value",
    "too_long",
    "duplicate_code",
    "duplicate_number",
    "unknown_parent",
    "unit_cycle",
    "unknown_unit",
    "archived_unit",
    "unknown_manager",
    "manager_cycle",
    "unknown_position_level",
    "unknown_kind",
    "unknown_status",
    "bad_date",
    "bad_mobile",
    "bad_email",
    "mobile_taken",
    "email_taken",
    "email_of_account",
)
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
_SHOWN_LENGTH = 100
_EXCEL_LAST_DAY = 2958465  # 9999-12-31 as an Excel serial number
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?"
)
_INVISIBLE = "\ufeff\u200b\u200c\u200d"
# A status cannot be cleared: an empty cell keeps it (a new employee is active).
_KEPT_WHEN_EMPTY = {"status"}

UNIT_FIELDS = tuple(c.field for c in COLUMNS[UNITS])
EMPLOYEE_FIELDS = tuple(c.field for c in COLUMNS[EMPLOYEES])


# -- the organisation as it is ---------------------------------------------------------------


@dataclass
class Snapshot:
    """The tenant's units, employees and levels, keyed the way files refer to them."""

    units: dict[str, dict[str, Any]]  # code -> columns of org_unit
    employees: dict[str, dict[str, Any]]  # number -> columns of employee
    levels: dict[str, int]  # position level name -> id
    # E-mail addresses of accounts linked to no employee: nobody else may take them.
    account_emails: set[str] = field(default_factory=set)
    unit_codes: dict[int, str] = field(default_factory=dict)
    employee_numbers: dict[int, str] = field(default_factory=dict)
    level_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.unit_codes = {u["id"]: code for code, u in self.units.items()}
        self.employee_numbers = {e["id"]: number for number, e in self.employees.items()}
        self.level_names = {i: name for name, i in self.levels.items()}

    def unit_record(self, code: str) -> dict[str, Any]:
        """A stored unit as the columns of a file show it."""
        unit = self.units[code]
        return {
            "code": code,
            "name": unit["name"],
            "parent_code": self.unit_codes.get(unit["parent_id"]),
            "kind": unit["kind"],
            "category": unit["category"],
            "manager_number": self.employee_numbers.get(unit["manager_id"]),
        }

    def employee_record(self, number: str) -> dict[str, Any]:
        """A stored employee as the columns of a file show them."""
        e = self.employees[number]
        return {
            "number": number,
            "name": e["name"],
            "unit_code": self.unit_codes.get(e["unit_id"]),
            "position": e["position"],
            "position_level": self.level_names.get(e["position_level_id"]),
            "employment_form": e["employment_form"],
            "manager_number": self.employee_numbers.get(e["manager_id"]),
            "hire_date": e["hire_date"],
            "status": e["status"],
            "mobile": e["mobile"],
            "email": e["email"],
        }


UNIT_COLUMNS_READ = (
    OrgUnit.id,
    OrgUnit.code,
    OrgUnit.name,
    OrgUnit.kind,
    OrgUnit.category,
    OrgUnit.parent_id,
    OrgUnit.manager_id,
    OrgUnit.path,
    OrgUnit.position,
    OrgUnit.archived_at,
)
EMPLOYEE_COLUMNS_READ = (
    Employee.id,
    Employee.number,
    Employee.name,
    Employee.initials,
    Employee.unit_id,
    Employee.position,
    Employee.position_level_id,
    Employee.employment_form,
    Employee.manager_id,
    Employee.hire_date,
    Employee.status,
    Employee.mobile,
    Employee.email,
)


def pairs(session: Session, statement) -> dict[Any, Any]:
    """A two-column SELECT as a dict of its first column to its second."""
    return {key: value for key, value in session.execute(statement)}


def load_snapshot(session: Session) -> Snapshot:
    units = {row.code: row._asdict() for row in session.execute(select(*UNIT_COLUMNS_READ))}
    employees = {
        row.number: row._asdict() for row in session.execute(select(*EMPLOYEE_COLUMNS_READ))
    }
    levels = pairs(session, select(PositionLevel.name, PositionLevel.id))
    linked = select(Employee.id).where(Employee.user_id == User.id).exists()
    accounts = session.scalars(
        select(func.lower(User.email)).where(~linked, User.email.is_not(None))
    )
    return Snapshot(units, employees, levels, set(accounts))


# -- problems and the plan -------------------------------------------------------------------


def problem(
    kind: str, row: int, column_name: str | None, value: Any, code: str, **params: Any
) -> dict[str, Any]:
    """One problem as stored in ImportBatch.errors: plain JSON, translated when shown."""
    assert code in ERROR_CODES, code
    shown = to_text(value)
    if shown is not None and len(shown) > _SHOWN_LENGTH:
        shown = shown[: _SHOWN_LENGTH - 1] + "…"
    return {
        "kind": kind,
        "row": row,
        "column": column_name,
        "value": shown,
        "code": code,
        "params": params,
    }


@dataclass
class Planned:
    """A file row that survived cleaning: its typed values and what a commit does with it."""

    kind: str
    row: int
    key: str  # unit code or employee number
    values: dict[str, Any]  # typed values of the columns the file has, where valid
    columns: tuple[str, ...] = ()  # the columns the sheet has
    state: str = NEW
    before: dict[str, Any] | None = None  # the stored record, in file columns
    after: dict[str, Any] | None = None  # the record once written, in file columns


@dataclass
class CheckResult:
    problems: list[dict[str, Any]]
    units: list[Planned]
    employees: list[Planned]
    unit_parents: dict[str, str | None]  # every unit's parent code once committed
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        counts = {}
        for kind, planned in ((UNITS, self.units), (EMPLOYEES, self.employees)):
            states = [p.state for p in planned]
            counts[kind] = {state: states.count(state) for state in (NEW, CHANGED, UNCHANGED)}
        return counts


# -- cleaning values -------------------------------------------------------------------------


class BadValue(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def to_text(raw: Any) -> str | None:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD, spaces tidied."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        text = "TRUE" if raw else "FALSE"
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    elif isinstance(raw, dt.datetime):
        text = raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    elif isinstance(raw, dt.date):
        text = raw.isoformat()
    else:
        text = str(raw)
    # Runs of spaces collapse, as the employee and unit forms store them.
    text = " ".join(text.strip(_INVISIBLE).split()).strip(_INVISIBLE)
    return text or None


def to_date(raw: Any) -> dt.date | None:
    """Dates as Excel stores them, or as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # A date cell without a date format reaches us as Excel's serial day number.
        if not 1 <= raw <= _EXCEL_LAST_DAY:
            raise BadValue("bad_date")
        from openpyxl.utils.datetime import from_excel

        return from_excel(raw).date()
    text = to_text(raw)
    if text is None:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise BadValue("bad_date")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadValue("bad_date") from None


def _word(lookup: dict[str, str], code: str) -> Callable[[Any], str | None]:
    def parse(raw: Any) -> str | None:
        text = to_text(raw)
        if text is None:
            return None
        value = lookup.get(normalise(text))
        if value is None:
            raise BadValue(code)
        return value

    return parse


def _contact(normalise: Callable[[str], str], code: str) -> Callable[[Any], str | None]:
    def parse(raw: Any) -> str | None:
        text = to_text(raw)
        if text is None:
            return None
        try:
            return normalise(text)
        except BadContact:
            raise BadValue(code) from None

    return parse


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "mobile": _contact(normalise_mobile, "bad_mobile"),
    "email": _contact(normalise_email, "bad_email"),
    "hire_date": to_date,
    "kind": _word(UNIT_KIND_LOOKUP, "unknown_kind"),
    "status": _word(STATUS_LOOKUP, "unknown_status"),
}


def _clean_value(kind: str, name: str, raw: Any) -> Any:
    parse = _PARSERS.get(name)
    if parse is not None:
        return parse(raw)
    text = to_text(raw)
    limit = column(kind, name).max_length
    if text is not None and limit is not None and len(text) > limit:
        raise BadValue("too_long", max=limit)
    return text


def _clean_row(sheet: Sheet, row: Row, problems: list[dict]) -> dict[str, Any]:
    """Typed values of a row; a value with a problem is reported and left out."""
    values = {}
    for name in sheet.fields:
        raw = row.values.get(name)
        try:
            value = _clean_value(sheet.kind, name, raw)
        except BadValue as exc:
            problems.append(problem(sheet.kind, row.number, name, raw, exc.code, **exc.params))
            continue
        if value is None and name in _KEPT_WHEN_EMPTY:
            continue
        if value is None and column(sheet.kind, name).required:
            problems.append(problem(sheet.kind, row.number, name, raw, "missing_value"))
            continue
        values[name] = value
    return values


@dataclass
class Cleaned:
    """A sheet's rows after cleaning: the first row of each key, and later rows repeating it
    (reported as duplicates, and still checked like the others)."""

    rows: dict[str, Planned] = field(default_factory=dict)
    repeats: list[Planned] = field(default_factory=list)

    def all(self) -> list[Planned]:
        return [*self.rows.values(), *self.repeats]


def _clean_sheet(sheet: Sheet | None, key: str, problems: list[dict]) -> Cleaned:
    cleaned = Cleaned()
    if sheet is None:
        return cleaned
    for name in sheet.duplicated:
        problems.append(problem(sheet.kind, sheet.header_row, name, None, "duplicate_column"))
    duplicate = "duplicate_code" if sheet.kind == UNITS else "duplicate_number"
    for row in sheet.rows:
        values = _clean_row(sheet, row, problems)
        if key not in values:
            continue  # reported as missing or too long; nothing can refer to it
        planned = Planned(sheet.kind, row.number, values[key], values, sheet.fields)
        first = cleaned.rows.get(planned.key)
        if first is None:
            cleaned.rows[planned.key] = planned
            continue
        problems.append(
            problem(sheet.kind, row.number, key, planned.key, duplicate, first=first.row)
        )
        cleaned.repeats.append(planned)
    return cleaned


# -- checking references ---------------------------------------------------------------------


def _cycles(parents: dict[str, str | None], starts: set[str]) -> dict[str, list[str]]:
    """Members of every loop reachable from ``starts``, each with the loop as a chain."""
    on_loop: dict[str, list[str]] = {}
    done: set[str] = set()
    for start in starts:
        trail: list[str] = []
        seen: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in seen:
            seen[node] = len(trail)
            trail.append(node)
            node = parents.get(node)
        if node is not None and node in seen:
            loop = trail[seen[node] :]
            for member in loop:
                on_loop[member] = [*loop[loop.index(member) :], *loop[: loop.index(member)]]
        done.update(trail)
    return on_loop


def _chain(loop: list[str]) -> str:
    return " → ".join([*loop, loop[0]])


def _required_for_new(planned: Planned, names: tuple[str, ...], problems: list[dict]) -> None:
    """A new record needs these even when the sheet lacks their columns (a cell of a column
    the sheet has was checked with the row)."""
    for name in names:
        if name not in planned.columns:
            problems.append(problem(planned.kind, planned.row, name, None, "missing_value"))


def _unit_references(
    planned: Planned,
    unit_codes: set[str],
    employee_numbers: set[str],
    snapshot: Snapshot,
    problems: list[dict],
) -> str | None:
    """Check a unit row's parent and manager; returns its parent once committed."""
    stored = planned.key in snapshot.units
    before = snapshot.unit_record(planned.key)["parent_code"] if stored else None
    if not stored:
        _required_for_new(planned, ("name", "kind"), problems)
    parent = planned.values.get("parent_code", before)
    if parent is not None and parent not in unit_codes:
        problems.append(problem(UNITS, planned.row, "parent_code", parent, "unknown_parent"))
        parent = None
    elif (
        parent is not None
        and (not stored or parent != before)
        and parent in snapshot.units
        and snapshot.units[parent]["archived_at"]
    ):
        problems.append(problem(UNITS, planned.row, "parent_code", parent, "archived_unit"))
    manager = planned.values.get("manager_number")
    if manager is not None and manager not in employee_numbers:
        problems.append(problem(UNITS, planned.row, "manager_number", manager, "unknown_manager"))
    return parent


def _check_units(
    units: Cleaned,
    employee_numbers: set[str],
    snapshot: Snapshot,
    problems: list[dict],
) -> dict[str, str | None]:
    parents = {code: snapshot.unit_record(code)["parent_code"] for code in snapshot.units}
    unit_codes = set(units.rows) | set(snapshot.units)
    for planned in units.all():
        parent = _unit_references(planned, unit_codes, employee_numbers, snapshot, problems)
        if units.rows[planned.key] is planned:
            parents[planned.key] = parent
    for code, loop in _cycles(parents, set(units.rows)).items():
        if code in units.rows:
            problems.append(
                problem(
                    UNITS,
                    units.rows[code].row,
                    "parent_code",
                    parents[code],
                    "unit_cycle",
                    chain=_chain(loop),
                )
            )
    return parents


def _employee_references(
    planned: Planned,
    unit_codes: set[str],
    employee_numbers: set[str],
    snapshot: Snapshot,
    problems: list[dict],
) -> str | None:
    """Check an employee row's unit, level and manager; returns their manager once committed."""
    stored = planned.key in snapshot.employees
    before = snapshot.employee_record(planned.key) if stored else {}
    if not stored:
        _required_for_new(planned, ("name", "unit_code"), problems)
    unit = planned.values.get("unit_code")
    if unit is not None and unit not in unit_codes:
        problems.append(problem(EMPLOYEES, planned.row, "unit_code", unit, "unknown_unit"))
    elif (
        unit is not None
        and unit != before.get("unit_code")
        and unit in snapshot.units
        and snapshot.units[unit]["archived_at"]
    ):
        problems.append(problem(EMPLOYEES, planned.row, "unit_code", unit, "archived_unit"))
    level = planned.values.get("position_level")
    if level is not None and level not in snapshot.levels:
        problems.append(
            problem(
                EMPLOYEES,
                planned.row,
                "position_level",
                level,
                "unknown_position_level",
                known=sorted(snapshot.levels),
            )
        )
    manager = planned.values.get("manager_number", before.get("manager_number"))
    if manager is not None and manager not in employee_numbers:
        problems.append(
            problem(EMPLOYEES, planned.row, "manager_number", manager, "unknown_manager")
        )
        manager = None
    return manager


def _check_employees(
    employees: Cleaned,
    unit_codes: set[str],
    snapshot: Snapshot,
    problems: list[dict],
) -> None:
    managers: dict[str, str | None] = {}
    numbers = set(employees.rows) | set(snapshot.employees)
    for planned in employees.all():
        manager = _employee_references(planned, unit_codes, numbers, snapshot, problems)
        if employees.rows[planned.key] is planned:
            managers[planned.key] = manager
    _check_manager_loops(employees.rows, managers, snapshot, problems)
    for name in ("mobile", "email"):
        _check_contacts(employees, name, snapshot, problems)


def _check_contacts(
    employees: Cleaned, name: str, snapshot: Snapshot, problems: list[dict]
) -> None:
    """A mobile number or e-mail is a login: once committed, it names one person only."""
    final = {number: e[name] for number, e in snapshot.employees.items()}
    final.update({p.key: p.values[name] for p in employees.rows.values() if name in p.values})
    owners: dict[str, list[str]] = {}
    for number, value in final.items():
        if value:
            owners.setdefault(value, []).append(number)
    for planned in employees.all():
        value = planned.values.get(name)
        if not value:
            continue
        others = sorted(set(owners.get(value, [])) - {planned.key})
        if others:
            problems.append(
                problem(EMPLOYEES, planned.row, name, value, f"{name}_taken", other=others[0])
            )
        elif name == "email" and value in snapshot.account_emails:
            problems.append(problem(EMPLOYEES, planned.row, name, value, "email_of_account"))


def _check_manager_loops(
    employees: dict[str, Planned],
    managers: dict[str, str | None],
    snapshot: Snapshot,
    problems: list[dict],
) -> None:
    chain = {n: snapshot.employee_record(n)["manager_number"] for n in snapshot.employees}
    chain.update(managers)
    for number, loop in _cycles(chain, set(employees)).items():
        if number in employees:
            planned = employees[number]
            problems.append(
                problem(
                    EMPLOYEES,
                    planned.row,
                    "manager_number",
                    chain[number],
                    "manager_cycle",
                    chain=_chain(loop),
                )
            )


# -- new, changed, unchanged -----------------------------------------------------------------


def _classify(planned: Planned, before: dict[str, Any] | None, defaults: dict[str, Any]) -> None:
    if before is None:
        planned.state = NEW
        planned.after = {**defaults, **planned.values}
        return
    planned.before = before
    planned.after = {**before, **planned.values}
    planned.state = UNCHANGED if planned.after == before else CHANGED


_UNIT_DEFAULTS = dict.fromkeys(UNIT_FIELDS)
_EMPLOYEE_DEFAULTS = {**dict.fromkeys(EMPLOYEE_FIELDS), "status": "active"}


def check(workbook: Workbook, snapshot: Snapshot) -> CheckResult:
    problems: list[dict[str, Any]] = []
    units = _clean_sheet(workbook.sheets.get(UNITS), "code", problems)
    employees = _clean_sheet(workbook.sheets.get(EMPLOYEES), "number", problems)
    parents = _check_units(units, set(employees.rows) | set(snapshot.employees), snapshot, problems)
    _check_employees(employees, set(units.rows) | set(snapshot.units), snapshot, problems)
    for code, planned in units.rows.items():
        before = snapshot.unit_record(code) if code in snapshot.units else None
        _classify(planned, before, _UNIT_DEFAULTS)
    for number, planned in employees.rows.items():
        before = snapshot.employee_record(number) if number in snapshot.employees else None
        _classify(planned, before, _EMPLOYEE_DEFAULTS)
    order = {kind: i for i, kind in enumerate(KINDS)}
    fields = {kind: [c.field for c in COLUMNS[kind]] for kind in KINDS}
    problems.sort(
        key=lambda p: (
            order[p["kind"]],
            p["row"],
            fields[p["kind"]].index(p["column"]) if p["column"] in fields[p["kind"]] else -1,
        )
    )
    ignored = {
        kind: list(sheet.ignored) for kind, sheet in workbook.sheets.items() if sheet.ignored
    }
    return CheckResult(
        problems, list(units.rows.values()), list(employees.rows.values()), parents, ignored
    )
