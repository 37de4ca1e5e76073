"""Export → import → export: the import finds every row unchanged, and the bytes are equal."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import csrf_token
from tests.imports.conftest import (
    batch_id_of,
    commit,
    count_rows,
    counts_of,
    employees_sheet,
    load_batch,
    person,
    unit,
    units_sheet,
    upload,
    xlsx,
)

ORG = xlsx(
    {
        "部门": units_sheet(
            unit("HQ", "总部", kind="公司", manager="0001"),
            unit("B-2", "后勤服务中心", "HQ", "事业部", "职能部门"),
            unit("C-3", '食堂, "一号"', "B-2", "班组", "一线生产部门", "0002"),
            unit("P-9", "=外包保洁公司", "HQ", "服务商"),
        ),
        "人员": employees_sheet(
            person("0001", "欧阳娜娜", "HQ", "总经理", form="正式员工", hired=None),
            person(
                "0002",
                "张三丰",
                "C-3",
                "主管",
                manager="0001",
                hired="2019/7/15",
                mobile="+86 138-0013-8000",
                email="Zhang.SF@Example.com",
            ),
            person("0010", "Li Lei", "C-3", "厨师", manager="0002", status="离职"),
            person("0011", "王五", "P-9", form="外包人员", status="休假"),
        ),
    }
)


@pytest.fixture
def organised(admin, db, tenant):
    batch_id = batch_id_of(upload(admin, tenant, ORG, "org.xlsx"))
    commit(admin, tenant, batch_id)
    assert count_rows(db, tenant.slug)["employees"] == 4
    return tenant


def export(client, tenant, fmt: str, **params) -> bytes:
    response = client.get(f"/t/{tenant.slug}/imports/export.{fmt}", query_string=params)
    assert response.status_code == 200, response.status_code
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def reimport(client, db, tenant, content: bytes, filename: str) -> dict:
    batch_id = batch_id_of(upload(client, tenant, content, filename))
    counts = counts_of(load_batch(db, tenant, batch_id))
    commit(client, tenant, batch_id)
    return counts


UNCHANGED_UNITS = {"new": 0, "changed": 0, "unchanged": 4}
UNCHANGED_PEOPLE = {"new": 0, "changed": 0, "unchanged": 4}


def test_xlsx_round_trip(admin, db, organised):
    tenant = organised
    first = export(admin, tenant, "xlsx")
    book = load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["部门", "人员", "下拉选项"]
    assert book["下拉选项"].sheet_state == "hidden"  # the words of the drop-down lists
    rows = [[c.value for c in row] for row in book["人员"].iter_rows()]
    assert rows[1][:3] == ["0001", "欧阳娜娜", "HQ"]  # numbers stay text, leading zeros kept
    assert book["人员"]["H3"].is_date and rows[2][8] == "在职"
    # Contacts are written as stored: the mobile number's digits, the e-mail in lower case.
    assert rows[2][9:] == ["13800138000", "zhang.sf@example.com"]
    assert rows[1][9:] == [None, None]
    assert book["部门"]["B5"].data_type == "s"  # "=外包保洁公司" is text, not a formula
    audit_before = count_rows(db, tenant.slug)["audit"]
    assert reimport(admin, db, tenant, first, "export.xlsx") == {
        "units": UNCHANGED_UNITS,
        "employees": UNCHANGED_PEOPLE,
    }
    assert count_rows(db, tenant.slug)["audit"] == audit_before + 1  # the import's own row
    assert export(admin, tenant, "xlsx") == first


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_round_trip(admin, db, organised, encoding):
    tenant = organised
    units = export(admin, tenant, "csv", kind="units", encoding=encoding)
    people = export(admin, tenant, "csv", kind="employees", encoding=encoding)
    if encoding == "utf-8":
        assert units.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads it as UTF-8
    else:
        assert people.decode("gbk").startswith("工号,姓名,部门编码")
    assert reimport(admin, db, tenant, units, "units.csv")["units"] == UNCHANGED_UNITS
    assert reimport(admin, db, tenant, people, "people.csv")["employees"] == UNCHANGED_PEOPLE
    assert export(admin, tenant, "csv", kind="units", encoding=encoding) == units
    assert export(admin, tenant, "csv", kind="employees", encoding=encoding) == people


def test_english_export_round_trip(admin, db, organised):
    tenant = organised
    url = f"/t/{tenant.slug}/imports/"
    admin.post("/lang", data={"lang": "en", "next": url, "csrf_token": csrf_token(admin, url)})
    first = export(admin, tenant, "xlsx", kind="employees")
    book = load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["employees", "lists"]
    assert book["employees"]["A1"].value == "Employee number"
    assert [r[8].value for r in book["employees"].iter_rows(min_row=2)] == [
        "active",
        "active",
        "left",
        "on leave",
    ]
    assert reimport(admin, db, tenant, first, "e.xlsx")["employees"] == UNCHANGED_PEOPLE
    assert export(admin, tenant, "xlsx", kind="employees") == first


def test_an_edited_export_changes_only_what_was_edited(admin, db, organised):
    tenant = organised
    book = load_workbook(io.BytesIO(export(admin, tenant, "xlsx")))
    book["人员"]["B4"] = "李雷"
    buffer = io.BytesIO()
    book.save(buffer)
    counts = reimport(admin, db, tenant, buffer.getvalue(), "edited.xlsx")
    assert counts["employees"] == {"new": 0, "changed": 1, "unchanged": 3}
    assert counts["units"] == UNCHANGED_UNITS


def test_bad_export_parameters_are_refused(admin, organised):
    base = f"/t/{organised.slug}/imports/export"
    assert admin.get(f"{base}.csv").status_code == 400  # a CSV holds one kind
    assert admin.get(f"{base}.csv?kind=people").status_code == 400
    assert admin.get(f"{base}.csv?kind=units&encoding=latin-1").status_code == 400
    assert admin.get(f"{base}.xlsx?kind=all").status_code == 400
