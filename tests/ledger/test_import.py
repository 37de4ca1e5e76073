"""Ledger entries from Excel: the template (its headers, events and lists, in the reader's
language), a filled-in file added whole, and a file with any wrong cell refused whole with
each cell named by row and column, nothing stored."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from saas.ledger.excel import MAX_ROWS
from saas.models.audit import AuditEntry
from saas.models.ledger import LedgerEntry
from tests.conftest import csrf_token, login
from tests.org.conftest import PASSWORD, add_employee

HEAD_EN = [
    "Employee number",
    "Unit code",
    "Date",
    "Event",
    "What happened (free entry)",
    "Points (free entry)",
    "Fine",
    "Entry source",
    "Note",
]


def _as(client, book, role: str = "admin") -> str:
    if role == "admin":
        login(client, book.org.tenant)
    else:
        login(client, book.org.tenant, PASSWORD, book.email(role))
    return csrf_token(client, book.url("import"))


def _xlsx(rows: list[list], head: list[str] = HEAD_EN) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, book, csrf: str, content: bytes, name: str = "entries.xlsx"):
    return client.post(
        book.url("import"),
        data={"csrf_token": csrf, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _count(db, book) -> int:
    with db.tenant(book.schema) as session:
        return session.scalar(select(func.count()).select_from(LedgerEntry))


def test_the_template_in_each_language(client, book):
    csrf = _as(client, book)
    assert "Download the template" in client.get(book.url("import")).get_data(as_text=True)
    english = client.get(book.url("import/template.xlsx"))
    assert english.status_code == 200 and english.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(english.data))
    entries = workbook["ledger entries"]
    assert [c.value for c in entries[1]] == HEAD_EN and entries.max_row == 1  # no example
    events = workbook["events"]
    labels = {row[0].value: row[2].value for row in events.iter_rows(min_row=2)}
    assert labels["Praise letter, banner or company-level praise"] == "praise_letter"
    assert workbook["lists"].sheet_state == "hidden"
    assert any("D" in str(v.sqref) for v in entries.data_validations.dataValidation)
    client.post("/lang", data={"csrf_token": csrf, "lang": "zh_CN"})
    chinese = load_workbook(io.BytesIO(client.get(book.url("import/template.xlsx")).data))
    head = [c.value for c in chinese["实绩记录"][1]]
    assert head[:4] == ["工号", "部门编码", "日期", "事件"]
    assert "表扬信、锦旗等表扬或公司级表扬" in [r[0].value for r in chinese["事件"].iter_rows()]


def test_a_filled_in_template_is_imported_whole(client, db, book):
    with db.tenant(book.schema) as session:
        add_employee(session, book.org.ids["GC"], "1001", "数字工号")
    csrf = _as(client, book)
    template = load_workbook(io.BytesIO(client.get(book.url("import/template.xlsx")).data))
    sheet = template["ledger entries"]
    sheet.append(["L-IN", "GC", "2026-08-03", "Praise letter, banner or company-level praise"])
    sheet.append([1001, None, dt.datetime(2026, 8, 4), "company_complaint", None, None, 200])
    sheet.append(
        [None, "ZH-XZ", "2026/8/5", None, "卫生检查不合格", -2, None, "inspection", "走廊"]
    )
    sheet.append([])  # blank rows are skipped
    sheet.append(["L-OUT", "ZH-XZ", "2026年8月6日", None, "拾金不昧", 3, 0, "customer"])
    out = io.BytesIO()
    template.save(out)
    done = _upload(client, book, csrf, out.getvalue(), "八月.xlsx")
    assert done.status_code == 302, done.get_data(as_text=True)
    assert "4 entries were imported" in client.get(done.headers["Location"]).get_data(as_text=True)
    with db.tenant(book.schema) as session:
        entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.on)).all()
        assert [(e.kind, e.event, e.label, e.source) for e in entries] == [
            ("employee", "praise_letter", None, "internal"),
            ("employee", "company_complaint", None, "internal"),
            ("unit", None, "卫生检查不合格", "inspection"),
            ("employee", None, "拾金不昧", "customer"),
        ]
        assert entries[1].validity == "pending" and entries[1].fine == 200
        assert entries[2].unit_id == book.org.ids["ZH-XZ"] and entries[2].note == "走廊"
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ledger.entry.import")
        ).all()
        assert len(audit) == 4 and {a.after["file"] for a in audit} == {"八月.xlsx"}


def test_any_wrong_cell_refuses_the_whole_file(client, db, book):
    csrf = _as(client, book)
    rows = [
        ["L-IN", None, "2026-08-03", "praise_letter"],  # right
        ["L-IN", None, "3 August", "praise_letter"],  # C3: not a date
        ["NOBODY", None, "2026-08-03", "praise_letter"],  # A4: no such person
        [None, None, "2026-08-03", "praise_letter"],  # A5: no subject
        ["L-IN", None, "2026-08-03", "no_such_event"],  # D6
        ["L-IN", None, "2026-08-03", None, None, "lots"],  # E7: no label, F7: not a number
        ["L-IN", None, "2099-01-01", None, "x", 101],  # C8 future, F8 out of range
        ["L-IN", "ZH-XZ", "2026-08-03", "praise_letter"],  # B9: not the person's unit
        ["L-IN", None, "=TODAY()", "praise_letter"],  # C10: a formula
        ["L-IN", None, "2026-08-03", "praise_letter", None, None, -5, "newspaper"],  # G11, H11
    ]
    refused = _upload(client, book, csrf, _xlsx(rows))
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Nothing was imported" in body and _count(db, book) == 0
    for cell, said in (
        ("C3", "Not a date"),
        ("A4", "No one whose ledger you keep has the employee number NOBODY"),
        ("A5", "Give an employee number or a unit code"),
        ("D6", "Choose an event of a published scheme"),
        ("E7", "Say what happened"),
        ("F7", "Give a number such as 2"),
        ("C8", "The date cannot be in the future"),
        ("F8", "Points lie between -100 and 100"),
        ("B9", "Employee L-IN is not in unit ZH-XZ"),
        ("C10", "Formulas are not accepted"),
        ("G11", "A fine is zero or more"),
        ("H11", "Choose a source from the list"),
    ):
        assert f'<span class="ledger-cell">{cell}</span>' in body, cell
        assert said in body, said
    assert "Row 3" in body and "Row 2 ·" not in body


def test_the_importer_s_reach(client, db, book):
    csrf = _as(client, book, "manager")
    rows = [["L-OUT", None, "2026-08-03", "praise_letter"], ["L-BOSS", None, "2026-08-03"]]
    refused = _upload(client, book, csrf, _xlsx(rows))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "employee number L-OUT" in body
    assert "employee number L-BOSS" in body and _count(db, book) == 0
    units = _upload(client, book, csrf, _xlsx([[None, "ZH-XZ", "2026-08-03", "praise_letter"]]))
    assert "No unit whose ledger you keep has the code ZH-XZ" in units.get_data(as_text=True)
    mine = _upload(client, book, csrf, _xlsx([["L-IN", "GC", "2026-08-03", "praise_letter"]]))
    assert mine.status_code == 302 and _count(db, book) == 1
    _as(client, book, "committee")
    assert client.get(book.url("import")).status_code == 403
    assert client.get(book.url("import/template.xlsx")).status_code == 403
    assert _upload(client, book, csrf_token(client, book.url()), b"x").status_code == 403


def test_files_that_are_not_a_list_of_entries(client, db, book):
    csrf = _as(client, book)
    for content, said in (
        (b"", "The file is empty."),
        ("工号,日期\nL-IN,2026-08-03\n".encode(), "This is not an Excel (.xlsx) file"),
        (b"PK\x03\x04" + b"\x00" * 60, "This is not an Excel (.xlsx) file"),
        (_xlsx([["L-IN", "2026-08-03"]], head=["Who", "When"]), "The first row must name"),
        (_xlsx([]), "The file has no entries"),
        (b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024), "larger than 2 MB"),
    ):
        refused = _upload(client, book, csrf, content)
        assert refused.status_code == 400 and said in refused.get_data(as_text=True), said
    too_many = [["L-IN", None, "2026-08-03", "praise_letter"]] * (MAX_ROWS + 1)
    refused = _upload(client, book, csrf, _xlsx(too_many))
    assert refused.status_code == 400 and "more than 5000 entries" in refused.get_data(as_text=True)
    assert _count(db, book) == 0


def test_problems_in_chinese(client, db, book):
    csrf = _as(client, book)
    client.post("/lang", data={"csrf_token": csrf, "lang": "zh_CN"})
    head = ["工号", "部门编码", "日期", "事件"]
    refused = _upload(client, book, csrf, _xlsx([["L-IN", None, "明天", "表扬信"]], head=head))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "第 2 行" in body and ">C2</span>" in body
    assert "日期" in body
    assert "不是日期" in body and "未导入任何记录" in body
