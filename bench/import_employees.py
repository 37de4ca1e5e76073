"""Importing 10,000 employees (and ~200 units) from one xlsx: rows per second per stage.

Builds the workbook in memory, then against a scratch database (created and dropped here):
  - parse:  reading the xlsx into rows,
  - check:  loading the tenant's organisation and checking every row,
  - commit: the transaction that checks again and writes units, employees, managers, paths and
            one audit row per record (the way the worker commits a batch),
and a baseline measured in the same run on the same server: the same 10,000 employee rows
written by one plain multi-row INSERT … VALUES (bound on the client, as PostgreSQL takes at most
65,535 parameters per statement), and by one INSERT … SELECT FROM unnest(arrays), each into an
empty schema with the units already there. The ratios to the faster one say what parsing,
checking, managers, paths and one audit row per record cost on top of writing the rows.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/import_employees.py [EMPLOYEES]
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from saas.config import normalise_database_url  # noqa: E402
from saas.database_setup import ensure_database  # noqa: E402
from saas.imports import apply  # noqa: E402
from saas.imports.batches import check_batch, commit_batch, new_batch  # noqa: E402
from saas.imports.formats import Table, read_workbook, write_xlsx  # noqa: E402
from saas.imports.validate import check, load_snapshot  # noqa: E402
from saas.models.org import OrgUnit, PositionLevel  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.ddl import create_tables  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕"
LEVELS = ("员工", "班组长", "主管", "部门经理")
FORMS = ("正式员工", "合同制", "劳务派遣", "临时工")
UNIT_HEADERS = ["部门编码", "部门名称", "上级部门编码", "部门类型", "部门类别", "负责人工号"]
EMPLOYEE_HEADERS = [
    "工号",
    "姓名",
    "部门编码",
    "岗位",
    "岗位级别",
    "用工形式",
    "直接上级工号",
    "入职日期",
    "状态",
]


def workbook(employees: int, units: int = 200) -> bytes:
    """A company, 19 departments and teams under them; everyone has a manager but the boss."""
    unit_rows = [["C0", "总公司", None, "公司", None, "E000000"]]
    for i in range(1, units):
        parent = "C0" if i < 20 else f"C{i % 19 + 1}"
        kind = "部门" if i < 20 else "班组"
        unit_rows.append([f"C{i}", f"单位{i}", parent, kind, "一线生产部门", None])
    people = []
    for i in range(employees):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[i % 13]
        manager = None if i == 0 else f"E{(i - 1) // 20:06d}"
        hired = dt.date(2010, 1, 1) + dt.timedelta(days=i % 5000)
        people.append(
            [
                f"E{i:06d}",
                name,
                f"C{i % units}",
                "职员",
                LEVELS[i % len(LEVELS)],
                FORMS[i % len(FORMS)],
                manager,
                hired,
                "在职",
            ]
        )
    return write_xlsx(
        [Table("部门", UNIT_HEADERS, unit_rows), Table("人员", EMPLOYEE_HEADERS, people)]
    )


@contextmanager
def scratch_database() -> Iterator[Database]:
    server = make_url(
        normalise_database_url(
            os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
    )
    url = server.set(database=f"kaohe_bench_{secrets.token_hex(4)}")
    ensure_database(url.render_as_string(hide_password=False))
    db = Database(url.render_as_string(hide_password=False))
    try:
        upgrade_all(db)
        yield db
    finally:
        db.dispose()
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        admin.dispose()


def new_schema(db: Database, name: str) -> None:
    with db.engine.begin() as connection:
        create_tables(connection, name)
    with db.tenant(name) as session:
        session.add_all(PositionLevel(name=n, rank=r) for r, n in enumerate(LEVELS, start=1))


def _report(label: str, seconds: float, rows: int) -> None:
    print(f"{label:<46} {seconds:7.2f} s  {rows / seconds:9.0f} rows/s")


def _baseline_rows(db: Database, schema: str, content: bytes) -> list[tuple]:
    """The employee rows as plain tuples, their units already in ``schema`` (not timed)."""
    parsed = read_workbook(content, "bench.xlsx")
    with db.tenant(schema) as session:
        session.execute(
            insert(OrgUnit.__table__),
            [
                {"code": r.values["code"], "name": r.values["name"], "kind": "team", "path": ""}
                for r in parsed.sheets["units"].rows
            ],
        )
    with db.tenant(schema) as session:
        unit_ids = dict(iter(session.execute(select(OrgUnit.code, OrgUnit.id))))
        levels = dict(iter(session.execute(select(PositionLevel.name, PositionLevel.id))))
    now = dt.datetime.now(dt.UTC)
    return [
        (
            r.values["number"],
            r.values["name"],
            "",
            unit_ids[r.values["unit_code"]],
            r.values["position"],
            levels[r.values["position_level"]],
            r.values["employment_form"],
            r.values["hire_date"],
            "active",
            now,
        )
        for r in parsed.sheets["employees"].rows
    ]


BASE_COLUMNS = "number, name, initials, unit_id, position, position_level_id, "
BASE_COLUMNS += "employment_form, hire_date, status, created_at"
BASE_TYPES = ("text", "text", "text", "int", "text", "int", "text", "date", "text", "timestamptz")


def baseline_values(db: Database, schema: str, content: bytes) -> float:
    """One INSERT … VALUES (…), (…), … of every row, bound on the client (PostgreSQL takes
    at most 65,535 parameters per statement, and this has ten per row)."""
    rows = _baseline_rows(db, schema, content)
    row = "(" + ", ".join(["%s"] * len(BASE_TYPES)) + ")"
    query = f'INSERT INTO "{schema}".employee ({BASE_COLUMNS}) VALUES ' + ", ".join(
        [row] * len(rows)
    )
    flat = [value for values in rows for value in values]
    started = time.perf_counter()
    with db.engine.begin() as connection:
        driver = connection.connection.driver_connection
        with psycopg.ClientCursor(driver) as cursor:
            cursor.execute(query, flat)
    return time.perf_counter() - started


def baseline_unnest(db: Database, schema: str, content: bytes) -> float:
    """One INSERT … SELECT FROM unnest(arrays): every row in one statement, bound on the
    server; the fastest plain insert of many rows short of COPY."""
    rows = _baseline_rows(db, schema, content)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    casts = ", ".join(f"%s::{kind}[]" for kind in BASE_TYPES)
    query = f'INSERT INTO "{schema}".employee ({BASE_COLUMNS}) SELECT * FROM unnest({casts})'
    started = time.perf_counter()
    with db.engine.begin() as connection:
        connection.connection.driver_connection.execute(query, arrays)
    return time.perf_counter() - started


def main(employees: int) -> None:
    started = time.perf_counter()
    content = workbook(employees)
    print(
        f"workbook: {employees} employees, 200 units, {len(content) / 1e6:.1f} MB xlsx, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    rows = employees + 200
    with scratch_database() as db:
        tag = secrets.token_hex(3)
        ours, plain, arrays = (f"tenant_{name}_{tag}" for name in ("bench", "values", "unnest"))
        for schema in (ours, plain, arrays):
            new_schema(db, schema)

        started = time.perf_counter()
        parsed = read_workbook(content, "bench.xlsx")
        parse = time.perf_counter() - started
        _report("parse (openpyxl, read-only)", parse, rows)

        with db.tenant(ours) as session:
            started = time.perf_counter()
            result = check(parsed, load_snapshot(session))
            only_check = time.perf_counter() - started
        assert not result.problems, result.problems[:3]
        _report("check (snapshot + every row)", only_check, rows)

        session = db.tenant_session(ours)
        batch = new_batch(session, parsed, "bench.xlsx", content, user_id=1)
        session.commit()
        started = time.perf_counter()
        check_batch(session, batch.id)
        checked = time.perf_counter() - started
        _report("check a batch (parse + check + store)", checked, rows)
        started = time.perf_counter()
        with timing(apply, "apply_plan") as write:
            done = commit_batch(session, ours, batch.id, "bench@kaohe.example.com")
        committed = time.perf_counter() - started
        session.close()
        assert done is not None and done.committed_now, done
        _report("  of which: write units, employees, audit rows", write[0], rows)
        _report("commit a batch (parse + check again + write)", committed, rows)

        with db.tenant(ours) as session:
            stored = session.scalar(select(Employee.initials).where(Employee.number == "E000001"))
            assert stored, "initials were not set"

        by_values = baseline_values(db, plain, content)
        _report("baseline: one INSERT … VALUES of the employees", by_values, employees)
        by_unnest = baseline_unnest(db, arrays, content)
        _report("baseline: one INSERT … SELECT unnest(…)", by_unnest, employees)
        fastest = min(by_values, by_unnest)
        print(
            f"against the faster baseline: write stage {write[0] / fastest:.1f}x, "
            f"whole commit {committed / fastest:.1f}x"
        )
        total = checked + committed
        print(
            f"whole import (check on upload + commit): {total:.1f} s for {rows} rows "
            f"({rows / total:.0f} rows/s)"
        )


@contextmanager
def timing(module, name: str) -> Iterator[list[float]]:
    """Time every call of ``module.name`` while inside the block; yields [seconds]."""
    original = getattr(module, name)
    spent = [0.0]

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    setattr(module, name, timed)
    try:
        yield spent
    finally:
        setattr(module, name, original)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
