"""Every problem the check reports, with its sheet, row, column and value, and nothing written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from saas.imports.validate import ERROR_CODES
from tests.imports.conftest import (
    EMPLOYEE_HEADERS,
    add_archived_unit,
    add_levels,
    batch_id_of,
    checked,
    count_rows,
    employees_sheet,
    person,
    problems_of,
    unit,
    units_sheet,
    xlsx,
)


def found(batch, code: str) -> list[tuple]:
    """(kind, row, column, value) of every problem with ``code``."""
    return [
        (p["kind"], p["row"], p["column"], p["value"])
        for p in problems_of(batch)
        if p["code"] == code
    ]


def book(units=(), employees=()) -> bytes:
    sheets = {}
    if units:
        sheets["部门"] = units_sheet(*units)
    if employees:
        sheets["人员"] = employees_sheet(*employees)
    return xlsx(sheets)


BASE_UNITS = (unit("HQ", "总部", kind="公司"), unit("OPS", "运营部", "HQ"))


def test_duplicate_column(app, db, tenant):
    content = xlsx(
        {"人员": [[*EMPLOYEE_HEADERS, "Name"], [*person("E1", "张三", "OPS"), "Zhang San"]]}
    )
    batch = checked(app, db, tenant, content)
    assert found(batch, "duplicate_column") == [("employees", 1, "name", None)]
    assert batch.error_count == 1 + 1  # and the unit OPS is unknown here


def test_missing_value_in_a_cell_and_for_a_new_record(app, db, tenant):
    content = book(
        BASE_UNITS,
        [person("E1", None, "OPS"), person("E2", "李四", None)],
    )
    batch = checked(app, db, tenant, content)
    assert found(batch, "missing_value") == [
        ("employees", 2, "name", None),
        ("employees", 3, "unit_code", None),
    ]
    # A new unit needs a kind even when the file has no kind column at all.
    content = xlsx({"部门": [["部门编码", "部门名称"], ["X1", "新部门"]]})
    assert found(checked(app, db, tenant, content), "missing_value") == [("units", 2, "kind", None)]


def test_value_too_long(app, db, tenant):
    long_name = "张" * 101
    batch = checked(app, db, tenant, book(BASE_UNITS, [person("E1", long_name, "OPS")]))
    assert found(batch, "too_long") == [("employees", 2, "name", long_name[:99] + "…")]
    assert problems_of(batch)[0]["params"] == {"max": 100}


def test_duplicate_unit_code(app, db, tenant):
    batch = checked(app, db, tenant, book([*BASE_UNITS, unit("OPS", "又一个运营部", "HQ")]))
    assert found(batch, "duplicate_code") == [("units", 4, "code", "OPS")]
    assert problems_of(batch)[0]["params"] == {"first": 3}


def test_duplicate_employee_number_within_the_file(app, db, tenant):
    people = [person("E1", "张三", "OPS"), person("E2", "李四", "OPS"), person("E1", "王五", "OPZ")]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert found(batch, "duplicate_number") == [("employees", 4, "number", "E1")]
    assert problems_of(batch)[0]["params"] == {"first": 2}
    # The repeated row's other problems are reported too.
    assert found(batch, "unknown_unit") == [("employees", 4, "unit_code", "OPZ")]


def test_unknown_parent(app, db, tenant):
    batch = checked(app, db, tenant, book([*BASE_UNITS, unit("T1", "一班", "NOPE", "班组")]))
    assert found(batch, "unknown_parent") == [("units", 4, "parent_code", "NOPE")]


def test_unit_cycle_within_the_file(app, db, tenant):
    units = [unit("A", "甲", "B"), unit("B", "乙", "C"), unit("C", "丙", "A"), unit("D", "丁", "D")]
    batch = checked(app, db, tenant, book(units))
    assert found(batch, "unit_cycle") == [
        ("units", 2, "parent_code", "B"),
        ("units", 3, "parent_code", "C"),
        ("units", 4, "parent_code", "A"),
        ("units", 5, "parent_code", "D"),
    ]
    chains = [p["params"]["chain"] for p in problems_of(batch)]
    assert chains[0] == "A → B → C → A" and chains[3] == "D → D"


def test_unit_cycle_through_stored_units(app, db, tenant, admin):
    from tests.imports.conftest import batch_id_of, commit, upload

    stored = book(
        [unit("HQ", "总部", kind="公司"), unit("OPS", "运营部", "HQ"), unit("T1", "一班", "OPS")]
    )
    assert (
        commit(admin, tenant, batch_id_of(upload(admin, tenant, stored, "a.xlsx"))).status_code
        == 303
    )
    # Moving HQ under its own grandchild: the loop runs through units not in this file.
    batch = checked(app, db, tenant, book([unit("HQ", "总部", "T1", "公司")]))
    assert found(batch, "unit_cycle") == [("units", 2, "parent_code", "T1")]
    assert problems_of(batch)[0]["params"]["chain"] == "HQ → T1 → OPS → HQ"


def test_unknown_unit(app, db, tenant):
    batch = checked(app, db, tenant, book(BASE_UNITS, [person("E1", "张三", "OPX")]))
    assert found(batch, "unknown_unit") == [("employees", 2, "unit_code", "OPX")]


def test_archived_unit(app, db, tenant):
    add_archived_unit(db, tenant.slug, "OLD")
    content = book([unit("N1", "新部门", "OLD")], [person("E1", "张三", "OLD")])
    batch = checked(app, db, tenant, content)
    assert found(batch, "archived_unit") == [
        ("units", 2, "parent_code", "OLD"),
        ("employees", 2, "unit_code", "OLD"),
    ]


def test_unknown_manager_of_an_employee_and_of_a_unit(app, db, tenant):
    units = [
        unit("HQ", "总部", kind="公司", manager="E9"),
        unit("OPS", "运营部", "HQ", manager="E1"),
    ]
    batch = checked(app, db, tenant, book(units, [person("E1", "张三", "OPS", manager="E8")]))
    assert found(batch, "unknown_manager") == [
        ("units", 2, "manager_number", "E9"),
        ("employees", 2, "manager_number", "E8"),
    ]


def test_manager_cycle(app, db, tenant):
    people = [
        person("E1", "张三", "OPS", manager="E2"),
        person("E2", "李四", "OPS", manager="E1"),
        person("E3", "王五", "OPS", manager="E3"),
        person("E4", "赵六", "OPS", manager="E1"),  # under the loop, not on it
    ]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert found(batch, "manager_cycle") == [
        ("employees", 2, "manager_number", "E2"),
        ("employees", 3, "manager_number", "E1"),
        ("employees", 4, "manager_number", "E3"),
    ]


def test_unknown_position_level_names_the_known_ones(app, db, tenant):
    add_levels(db, tenant.slug, "员工", "主管")
    people = [person("E1", "张三", "OPS", level="主管"), person("E2", "李四", "OPS", level="经理")]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert found(batch, "unknown_position_level") == [("employees", 3, "position_level", "经理")]
    assert problems_of(batch)[0]["params"] == {"known": ["主管", "员工"]}


def test_unknown_kind(app, db, tenant):
    batch = checked(app, db, tenant, book([unit("HQ", "总部", kind="总部门")]))
    assert found(batch, "unknown_kind") == [("units", 2, "kind", "总部门")]


def test_unknown_status(app, db, tenant):
    people = [
        person("E1", "张三", "OPS", status="退休"),
        person("E2", "李四", "OPS", status="on leave"),
    ]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert found(batch, "unknown_status") == [("employees", 2, "status", "退休")]


@pytest.mark.parametrize("value", ["2024-02-30", "next week", "2024-13-01", "20240301"])
def test_bad_date(app, db, tenant, value):
    batch = checked(app, db, tenant, book(BASE_UNITS, [person("E1", "张三", "OPS", hired=value)]))
    assert found(batch, "bad_date") == [("employees", 2, "hire_date", value)]


def test_dates_in_every_accepted_form(app, db, tenant):
    values = [
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1),
        "2024-03-01",
        "2024/3/1",
        "2024年3月1日",
        45352,
    ]
    people = [person(f"E{i}", "张三", "OPS", hired=v) for i, v in enumerate(values)]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert problems_of(batch) == []


def test_contacts_must_be_readable_and_each_belong_to_one_person(app, db, tenant):
    people = [
        person("E1", "张三", "OPS", mobile="12345", email="not an address"),
        person("E2", "李四", "OPS", mobile="138 0013 8000", email="li@example.com"),
        person("E3", "王五", "OPS", mobile="+86 13800138000", email="LI@Example.com"),
        person("E4", "赵六", "OPS", email=tenant.admin_email.upper()),
    ]
    batch = checked(app, db, tenant, book(BASE_UNITS, people))
    assert found(batch, "bad_mobile") == [("employees", 2, "mobile", "12345")]
    assert found(batch, "bad_email") == [("employees", 2, "email", "not an address")]
    # The same number written two ways is the same number.
    assert found(batch, "mobile_taken") == [
        ("employees", 3, "mobile", "13800138000"),
        ("employees", 4, "mobile", "13800138000"),
    ]
    assert found(batch, "email_taken") == [
        ("employees", 3, "email", "li@example.com"),
        ("employees", 4, "email", "li@example.com"),
    ]
    # The administrator's login belongs to no employee: nobody may take it.
    assert found(batch, "email_of_account") == [("employees", 5, "email", tenant.admin_email)]


def test_a_stored_contact_is_taken_unless_the_file_moves_it(app, db, tenant):
    from tests.imports.conftest import admin_client, commit, upload

    client = admin_client(app, tenant)
    first = book(BASE_UNITS, [person("E1", "张三", "OPS", mobile="13800138000")])
    assert commit(client, tenant, batch_id_of(upload(client, tenant, first, "a.xlsx"))).status_code
    clash = checked(
        app, db, tenant, book(employees=[person("E2", "李四", "OPS", mobile="13800138000")])
    )
    assert [p["params"] for p in problems_of(clash) if p["code"] == "mobile_taken"] == [
        {"other": "E1"}
    ]
    # Handing the number on in the same file is fine: E1 gets a new one.
    moved = checked(
        app,
        db,
        tenant,
        book(
            employees=[
                person("E1", "张三", "OPS", mobile="13900139000"),
                person("E2", "李四", "OPS", mobile="13800138000"),
            ]
        ),
    )
    assert problems_of(moved) == []


def test_nothing_is_written_by_a_check(app, db, tenant):
    before = count_rows(db, tenant.slug)
    checked(app, db, tenant, book(BASE_UNITS, [person("E1", "张三", "OPS")]))
    assert count_rows(db, tenant.slug) == before


def test_every_error_code_has_a_test():
    # Every code must appear in an assertion of the form found(...,"code") == [...] above.
    asserted = set(re.findall(r'"(\w+)"\) == \[', Path(__file__).read_text()))
    assert set(ERROR_CODES) <= asserted, set(ERROR_CODES) - asserted
