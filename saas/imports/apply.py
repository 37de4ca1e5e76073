"""Writing a checked plan: a handful of bulk statements in the caller's transaction.

Units are inserted first (without parents), then every unit whose parent, path or columns
change is updated in one executemany, paths computed here from the final parent of every unit
(so units under a moved unit get their new paths too). Employees follow the same way; managers
are set once everyone exists. Audit rows go in as one multi-row INSERT. The caller commits or
rolls back: a failure anywhere leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from saas.db import utcnow
from saas.imports.validate import CHANGED, NEW, CheckResult, Planned, Snapshot
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.people.names import pinyin_initials

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
    insert_units(session, result, snapshot, unit_ids)
    progress(45, "storing")
    update_unit_tree(session, result, snapshot, unit_ids)
    progress(55, "storing")
    employee_ids = {number: e["id"] for number, e in snapshot.employees.items()}
    insert_employees(session, result, snapshot, unit_ids, employee_ids)
    progress(70, "storing")
    update_employees(session, result, snapshot, unit_ids, employee_ids)
    update_unit_managers(session, result, snapshot, unit_ids, employee_ids)
    progress(85, "storing")
    write_audit(session, result, actor, unit_ids, employee_ids)


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


def insert_units(
    session: Session, result: CheckResult, snapshot: Snapshot, unit_ids: dict[str, int]
) -> None:
    positions = _positions(result, snapshot)
    rows = [
        {
            "code": p.key,
            "name": p.after["name"],
            "kind": p.after["kind"],
            "category": p.after["category"],
            "path": "",  # set with the parents, once every new unit has an id
            "position": positions[p.key],
        }
        for p in result.units
        if p.state == NEW
    ]
    if rows:
        inserted = session.execute(insert(OrgUnit).returning(OrgUnit.code, OrgUnit.id), rows)
        unit_ids.update({code: unit_id for code, unit_id in inserted})


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


def update_unit_tree(
    session: Session, result: CheckResult, snapshot: Snapshot, unit_ids: dict[str, int]
) -> None:
    parent_of = {
        unit_ids[code]: unit_ids[parent] if parent else None
        for code, parent in result.unit_parents.items()
    }
    paths = compute_paths(parent_of)
    planned = {p.key: p for p in result.units}
    updates = []
    for code, unit_id in unit_ids.items():
        stored = snapshot.units.get(code)
        current = stored or {"parent_id": None, "path": ""}
        target = {"parent_id": parent_of[unit_id], "path": paths[unit_id]}
        changed_columns = planned[code].state == CHANGED if code in planned else False
        if changed_columns or any(current[k] != v for k, v in target.items()):
            after = planned[code].after if code in planned else snapshot.unit_record(code)
            updates.append(
                {
                    "id": unit_id,
                    **target,
                    "name": after["name"],
                    "kind": after["kind"],
                    "category": after["category"],
                }
            )
    if updates:
        session.execute(update(OrgUnit), updates)


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
    if updates:
        session.execute(update(OrgUnit), updates)


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
    }


def insert_employees(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    # A manager already stored is set now; one who is new in this file, once they exist.
    rows = [
        {
            "number": p.key,
            **_employee_columns(p.after, snapshot, unit_ids),
            "manager_id": employee_ids.get(p.after["manager_number"]),
        }
        for p in result.employees
        if p.state == NEW
    ]
    if rows:
        inserted = session.execute(insert(Employee).returning(Employee.number, Employee.id), rows)
        employee_ids.update({number: e_id for number, e_id in inserted})


def update_employees(
    session: Session,
    result: CheckResult,
    snapshot: Snapshot,
    unit_ids: dict[str, int],
    employee_ids: dict[str, int],
) -> None:
    changed, managers = [], []
    for p in result.employees:
        manager = employee_ids.get(p.after["manager_number"]) if p.after["manager_number"] else None
        if p.state == CHANGED:
            columns = _employee_columns(p.after, snapshot, unit_ids)
            changed.append({"id": employee_ids[p.key], **columns, "manager_id": manager})
        elif p.state == NEW and manager and p.after["manager_number"] not in snapshot.employees:
            managers.append({"id": employee_ids[p.key], "manager_id": manager})
    for updates in (changed, managers):
        if updates:
            session.execute(update(Employee), updates)


# -- audit -----------------------------------------------------------------------------------


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def _audit_row(
    planned: Planned, key_name: str, record_type: str, record_id: int, actor: str, at: dt.datetime
) -> dict[str, Any]:
    noun = "unit" if record_type == "org_unit" else "employee"
    if planned.state == NEW:
        action, before, after = f"{noun}.created", None, _jsonable(planned.after)
    else:
        keys = [k for k in planned.after if planned.after[k] != planned.before[k]]
        action = f"{noun}.updated"
        before = _jsonable({key_name: planned.key} | {k: planned.before[k] for k in keys})
        after = _jsonable({key_name: planned.key} | {k: planned.after[k] for k in keys})
    return {
        "at": at,
        "actor": actor,
        "action": action,
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
        session.execute(insert(AuditEntry), rows)
