"""Writing a checked plan: a handful of bulk statements in the caller's transaction.

New units and employees get their ids from their sequences up front, so each is inserted
complete (parent, path, manager) in one executemany, parents and managers before the rows
that point to them. Stored records that change are updated in one executemany per table;
paths are computed here for every unit from its final parent, so units under a moved unit get
their new paths too. Audit rows go in as one multi-row INSERT. The caller commits or rolls
back: a failure anywhere leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Sequence, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from saas.imports.validate import CHANGED, NEW, CheckResult, Planned, Snapshot
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.user import User
from saas.people.names import pinyin_initials
from tenants.db import TENANT_SCHEMA, utcnow

Progress = Callable[[int, str], None]


def _quiet(percent: int, stage: str) -> None:
    return None


def apply_plan(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    actor: str,
    progress: Progress = _quiet,
) -> None:
    """Write the new and changed rows of a check that found no problem."""
    unit_ids = {code: unit["id"] for code, unit in snapshot.units.items()}
    unit_ids.update(new_ids(session, OrgUnit, result.units))
    write_units(session, result, snapshot, unit_ids)
    progress(50, "storing")
    employee_ids = {number: e["id"] for number, e in snapshot.employees.items()}
    employee_ids.update(new_ids(session, Employee, result.employees))
    insert_employees(session, result, snapshot, unit_ids, employee_ids)
    progress(70, "storing")
    update_employees(session, result, snapshot, unit_ids, employee_ids)
    sync_account_emails(session)
    update_unit_managers(session, result, snapshot, unit_ids, employee_ids)
    progress(85, "storing")
    write_audit(session, result, actor, unit_ids, employee_ids)


# -- bulk statements -------------------------------------------------------------------------


def new_ids(session: Session, model, planned: list[Planned]) -> dict[str, int]:
    """Ids for the new rows, from the table's own sequence as its inserts would take them."""
    keys = [p.key for p in planned if p.state == NEW]
    if not keys:
        return {}
    sequence = Sequence(f"{model.__tablename__}_id_seq", schema=TENANT_SCHEMA)
    count = func.generate_series(1, len(keys))
    ids = session.scalars(select(sequence.next_value()).select_from(count)).all()
    return dict(zip(keys, ids, strict=True))


def bulk_insert(session: Session, model, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model.__table__), rows)


def bulk_update(session: Session, model, rows: list[dict[str, Any]]) -> None:
    """UPDATE by id as one executemany (pipelined by psycopg); every row has the same keys."""
    if not rows:
        return
    table = model.__table__
    names = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(f"_{name}") for name in names})
    )
    session.execute(statement, [{f"_{k}": v for k, v in row.items()} for row in rows])


# -- units -----------------------------------------------------------------------------------


def _positions(result: CheckResult, snapshot: Snapshot) -> dict[str, int]:
    """New units go after their stored siblings, in the order of the file."""
    last: dict[str | None, int] = defaultdict(lambda: -1)
    for code in snapshot.units:
        parent = snapshot.unit_record(code)["parent_code"]
        last[parent] = max(last[parent], snapshot.units[code]["position"])
    positions = {}
    for planned in result.units:
        if planned.state == NEW:
            parent = result.unit_parents.get(planned.key)
            last[parent] += 1
            positions[planned.key] = last[parent]
    return positions


def compute_paths(parent_of: dict[int, int | None]) -> dict[int, str]:
    """Each unit's chain of ids from its root, e.g. {9: "1/4/9/"}."""
    paths: dict[int, str] = {}
    for unit_id in parent_of:
        chain: list[int] = []
        node: int | None = unit_id
        while node is not None and node not in paths:
            chain.append(node)
            if len(chain) > len(parent_of):
                raise ValueError(f"the parents of unit {unit_id} form a loop")
            node = parent_of[node]
        prefix = paths[node] if node is not None else ""
        for member in reversed(chain):
            prefix = f"{prefix}{member}/"
            paths[member] = prefix
    return paths


def _unit_columns(after: dict[str, Any], unit_id: int, parent_of, paths) -> dict[str, Any]:
    return {
        "id": unit_id,
        "parent_id": parent_of[unit_id],
        "path": paths[unit_id],
        "name": after["name"],
        "kind": after["kind"],
        "category": after["category"],
    }


def write_units(
    session: Session, result: CheckResult, snapshot: Snapshot, unit_ids: dict[str, int]
) -> None:
    """Insert new units, parents first, and update stored units that change or move."""
    parent_of = {
        unit_ids[code]: unit_ids[parent] if parent else None
        for code, parent in result.unit_parents.items()
    }
    paths = compute_paths(parent_of)
    planned = {p.key: p for p in result.units}
    positions = _positions(result, snapshot)
    new = [
        {**_unit_columns(p.after, unit_ids[p.key], parent_of, paths), "code": p.key}
        | {"position": positions[p.key]}
        for p in result.units
        if p.state == NEW
    ]
    bulk_insert(session, OrgUnit, sorted(new, key=lambda row: row["path"].count("/")))
    updates = []
    for code, stored in snapshot.units.items():
        unit_id = stored["id"]
        moved = (stored["parent_id"], stored["path"]) != (parent_of[unit_id], paths[unit_id])
        changed = code in planned and planned[code].state == CHANGED
        if moved or changed:
            after = planned[code].after if changed else snapshot.unit_record(code)
            updates.append(_unit_columns(after, unit_id, parent_of, paths))
    bulk_update(session, OrgUnit, updates)


def update_unit_managers(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    updates = []
    for p in result.units:
        if "manager_number" not in p.values:
            continue
        number = p.values["manager_number"]
        target = employee_ids[number] if number else None
        current = snapshot.units[p.key]["manager_id"] if p.key in snapshot.units else None
        if target != current:
            updates.append({"id": unit_ids[p.key], "manager_id": target})
    bulk_update(session, OrgUnit, updates)


# -- employees -------------------------------------------------------------------------------


def _employee_columns(
    after: dict[str, Any], snapshot: Snapshot, unit_ids: dict[str, int]
) -> dict[str, Any]:
    return {
        "name": after["name"],
        "initials": pinyin_initials(after["name"]),
        "unit_id": unit_ids[after["unit_code"]],
        "position": after["position"],
        "position_level_id": snapshot.levels.get(after["position_level"]),
        "employment_form": after["employment_form"],
        "hire_date": after["hire_date"],
        "status": after["status"],
        "mobile": after["mobile"],
        "email": after["email"],
    }


def _manager_depths(new: list[Planned]) -> dict[str, int]:
    """How many new managers stand above each new employee: inserting by depth puts every
    manager before the people under them (the check has ruled out loops)."""
    managers = {p.key: p.after["manager_number"] for p in new}
    depths: dict[str, int] = {}
    for number in managers:
        chain = []
        node = number
        while node in managers and node not in depths:
            chain.append(node)
            node = managers[node]
        depth = depths.get(node, -1)
        for member in reversed(chain):
            depth += 1
            depths[member] = depth
    return depths


def insert_employees(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    new = [p for p in result.employees if p.state == NEW]
    depths = _manager_depths(new)
    rows = [
        {
            "id": employee_ids[p.key],
            "number": p.key,
            **_employee_columns(p.after, snapshot, unit_ids),
            "manager_id": employee_ids.get(p.after["manager_number"]),
        }
        for p in sorted(new, key=lambda p: depths[p.key])
    ]
    bulk_insert(session, Employee, rows)


def update_employees(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    changed = [
        {
            "id": employee_ids[p.key],
            **_employee_columns(p.after, snapshot, unit_ids),
            "manager_id": employee_ids.get(p.after["manager_number"]),
        }
        for p in result.employees
        if p.state == CHANGED
    ]
    bulk_update(session, Employee, changed)


def sync_account_emails(session: Session) -> None:
    """A linked account logs in and gets its mail at its person's e-mail: one UPDATE."""
    session.execute(
        update(User)
        .where(Employee.user_id == User.id, User.email.is_distinct_from(Employee.email))
        .values(email=Employee.email)
    )


# -- audit -----------------------------------------------------------------------------------


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


# What a written row is in the audit log: the org and people areas' own actions.
AUDIT_ACTIONS = {
    ("org_unit", NEW): "unit.created",
    ("org_unit", CHANGED): "unit.updated",
    ("employee", NEW): "employee.created",
    ("employee", CHANGED): "employee.updated",
}


def _audit_row(
    planned: Planned, key_name: str, record_type: str, record_id: int, actor: str, at: dt.datetime
) -> dict[str, Any]:
    if planned.state == NEW:
        before, after = None, _jsonable(planned.after)
    else:
        keys = [k for k in planned.after if planned.after[k] != planned.before[k]]
        before = _jsonable({key_name: planned.key} | {k: planned.before[k] for k in keys})
        after = _jsonable({key_name: planned.key} | {k: planned.after[k] for k in keys})
    return {
        "at": at,
        "actor": actor,
        "action": AUDIT_ACTIONS[record_type, planned.state],
        "record_type": record_type,
        "record_id": str(record_id),
        "before": before,
        "after": after,
    }


def write_audit(
    session: Session,
    result: CheckResult,
    actor: str,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    """One audit row per created or updated unit and employee, in one multi-row INSERT."""
    at = utcnow()
    rows = [
        _audit_row(p, "code", "org_unit", unit_ids[p.key], actor, at)
        for p in result.units
        if p.state in (NEW, CHANGED)
    ]
    rows += [
        _audit_row(p, "number", "employee", employee_ids[p.key], actor, at)
        for p in result.employees
        if p.state in (NEW, CHANGED)
    ]
    if rows:
        bulk_insert(session, AuditEntry, rows)
