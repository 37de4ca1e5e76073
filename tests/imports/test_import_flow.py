"""Uploading, previewing and committing spreadsheets through the pages, as a tenant admin."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from saas.models.audit import AuditEntry
from tenants.slugs import schema_for
from tests.conftest import csrf_token
from tests.imports.conftest import (
    EMPLOYEE_HEADERS,
    UNIT_HEADERS,
    batch_id_of,
    commit,
    count_rows,
    counts_of,
    csv_bytes,
    employees_by_number,
    employees_sheet,
    load_batch,
    person,
    problems_of,
    unit,
    units_by_code,
    units_sheet,
    upload,
    xlsx,
)

ORG = {
    "部门": units_sheet(
        unit("HQ", "青岛港口粮食储运有限公司", kind="公司", manager="E001"),
        unit("LOG", "后勤服务中心", "HQ", "事业部", "职能部门"),
        unit("CAN", "职工食堂", "LOG", category="一线生产部门", manager="E002"),
        unit("T1", "早班班组", "CAN", "班组", "一线生产部门"),
    ),
    "人员": employees_sheet(
        person("E003", "王小明", "T1", "厨师", manager="E002", form="劳务派遣"),
        person("E001", "欧阳娜娜", "HQ", "总经理", form="正式员工"),
        person("E002", "张三丰", "CAN", "食堂主管", manager="E001", hired="2019/7/15"),
        person("E004", "Li Lei", "T1", "帮厨", manager="E002", status="休假"),
    ),
}


def import_file(client, tenant, content: bytes, filename: str = "org.xlsx", kind: str = ""):
    batch_id = batch_id_of(upload(client, tenant, content, filename, kind))
    response = commit(client, tenant, batch_id)
    assert response.status_code == 303
    return batch_id


def test_a_workbook_with_both_sheets_builds_the_tree_and_the_people(admin, db, tenant):
    batch_id = batch_id_of(upload(admin, tenant, xlsx(ORG), "组织.xlsx"))
    page = admin.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    assert 'id="commit-button"' in page
    assert counts_of(load_batch(db, tenant, batch_id)) == {
        "units": {"new": 4, "changed": 0, "unchanged": 0},
        "employees": {"new": 4, "changed": 0, "unchanged": 0},
    }
    assert count_rows(db, tenant.slug)["units"] == 0  # the preview writes nothing

    commit(admin, tenant, batch_id)
    units = units_by_code(db, tenant.slug)
    hq, log, can, t1 = (units[c] for c in ("HQ", "LOG", "CAN", "T1"))
    assert (hq.path, log.path, can.path) == (
        f"{hq.id}/",
        f"{hq.id}/{log.id}/",
        f"{log.path}{can.id}/",
    )
    assert t1.path == f"{hq.id}/{log.id}/{can.id}/{t1.id}/"
    assert (log.kind, log.category, t1.kind) == ("business_unit", "职能部门", "team")
    people = employees_by_number(db, tenant.slug)
    assert hq.manager_id == people["E001"].id and can.manager_id == people["E002"].id
    assert people["E003"].manager_id == people["E002"].id
    assert people["E002"].hire_date == dt.date(2019, 7, 15)
    assert people["E003"].employment_form == "劳务派遣"
    assert people["E004"].status == "on_leave"
    assert {n: p.initials for n, p in people.items()} == {
        "E001": "oynn",
        "E002": "zsf",
        "E003": "wxm",
        "E004": "ll",
    }
    assert load_batch(db, tenant, batch_id).status == "committed"


def test_commit_writes_one_audit_row_per_record_and_one_for_the_import(admin, db, tenant):
    before = count_rows(db, tenant.slug)["audit"]
    batch_id = import_file(admin, tenant, xlsx(ORG))
    with db.tenant(schema_for(tenant.slug)) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
        actions = [r.action for r in rows]
        assert actions.count("unit.created") == 4 and actions.count("employee.created") == 4
        assert actions.count("import.committed") == 1
        assert {r.actor for r in rows} == {tenant.admin_email}
        batch_row = next(r for r in rows if r.action == "import.committed")
        assert batch_row.record_id == str(batch_id)
        assert batch_row.after["counts"]["employees"]["new"] == 4
        created = next(r for r in rows if r.after and r.after.get("number") == "E002")
        assert created.after["hire_date"] == "2019-07-15" and created.after["unit_code"] == "CAN"


def test_a_second_file_updates_inserts_moves_and_deletes_nothing(admin, db, tenant):
    import_file(admin, tenant, xlsx(ORG))
    first_ids = {c: u.id for c, u in units_by_code(db, tenant.slug).items()}
    audit_before = count_rows(db, tenant.slug)["audit"]
    # CAN moves under HQ (its team T1, not in the file, moves with it); E003 changes unit;
    # a new unit and employee arrive; E001, LOG and T1 are not in the file and stay.
    second = {
        "部门": units_sheet(
            unit("CAN", "职工食堂", "HQ", category="一线生产部门", manager="E002"),
            unit("NEW", "新设部门", "LOG"),
        ),
        "人员": employees_sheet(
            person("E003", "王小明", "NEW", "厨师", manager="E002", form="劳务派遣"),
            person("E002", "张三丰", "CAN", "食堂主管", manager="E001", hired="2019/7/15"),
            person("E005", "赵敏", "NEW"),
        ),
    }
    batch_id = batch_id_of(upload(admin, tenant, xlsx(second), "second.xlsx"))
    assert counts_of(load_batch(db, tenant, batch_id)) == {
        "units": {"new": 1, "changed": 1, "unchanged": 0},
        "employees": {"new": 1, "changed": 1, "unchanged": 1},
    }
    commit(admin, tenant, batch_id)
    units = units_by_code(db, tenant.slug)
    assert {c: u.id for c, u in units.items() if c != "NEW"} == first_ids
    hq, can, t1 = units["HQ"], units["CAN"], units["T1"]
    assert can.parent_id == hq.id and can.path == f"{hq.id}/{can.id}/"
    assert t1.path == f"{hq.id}/{can.id}/{t1.id}/"
    assert units["NEW"].path == f"{hq.id}/{units['LOG'].id}/{units['NEW'].id}/"
    people = employees_by_number(db, tenant.slug)
    assert len(people) == 5 and people["E003"].unit_id == units["NEW"].id
    assert people["E005"].status == "active" and people["E005"].initials == "zm"
    with db.tenant(schema_for(tenant.slug)) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[audit_before:]
        moved = next(r for r in rows if r.action == "unit.updated")
        assert moved.before == {"code": "CAN", "parent_code": "LOG"}
        assert moved.after == {"code": "CAN", "parent_code": "HQ"}
        assert [r.action for r in rows].count("employee.updated") == 1


def test_a_sheet_with_some_columns_updates_only_those(admin, db, tenant):
    import_file(admin, tenant, xlsx(ORG))
    statuses = xlsx({"人员": [["工号", "状态"], ["E003", "离职"], ["E004", ""]]})
    import_file(admin, tenant, statuses, "statuses.xlsx")
    people = employees_by_number(db, tenant.slug)
    assert people["E003"].status == "left" and people["E003"].position == "厨师"
    assert people["E004"].status == "on_leave"  # an empty status leaves it as it was


def test_gbk_csv_with_chinese_names(admin, db, tenant):
    units = csv_bytes(
        units_sheet(unit("HQ", "总公司", kind="公司"), unit("SC", "市场部", "HQ")), "gbk"
    )
    import_file(admin, tenant, units, "部门.csv")
    people = csv_bytes(
        employees_sheet(
            person("0012", "欧阳锋", "SC", "销售经理", hired="2021/3/8"),
            person("0013", "诸葛亮", "SC", "策划", manager="0012", hired="2022-11-30"),
        ),
        "gbk",
    )
    assert people.decode("gbk").startswith("工号")  # really GBK, not UTF-8
    batch_id = import_file(admin, tenant, people, "人员.csv", kind="employees")
    assert load_batch(db, tenant, batch_id).kind == "employees"
    stored = employees_by_number(db, tenant.slug)
    assert stored["0012"].name == "欧阳锋" and stored["0013"].name == "诸葛亮"
    assert stored["0013"].manager_id == stored["0012"].id
    assert (stored["0012"].initials, stored["0013"].initials) == ("oyf", "zgl")
    assert stored["0012"].hire_date == dt.date(2021, 3, 8)


def test_utf8_csv_with_and_without_bom(admin, db, tenant):
    rows = units_sheet(
        unit("HQ", "总公司", kind="公司"), unit("RD", "研发部", "HQ", category="职能部门")
    )
    import_file(admin, tenant, csv_bytes(rows, "utf-8-sig"), "units.csv")
    assert units_by_code(db, tenant.slug)["RD"].name == "研发部"
    people = csv_bytes(employees_sheet(person("A1", "岳不群", "RD")), "utf-8")
    import_file(admin, tenant, people, "people.csv")
    assert employees_by_number(db, tenant.slug)["A1"].name == "岳不群"


def test_english_headers_and_words(admin, db, tenant):
    english = {
        "units": [["Code", "Name", "Parent code", "Kind"], ["HQ", "Head office", None, "company"]],
        "employees": [
            ["Employee number", "Name", "Unit code", "Hire date", "Status"],
            ["E1", "Ada", "HQ", "2024-01-02", "on leave"],
        ],
    }
    import_file(admin, tenant, xlsx(english), "english.xlsx")
    assert employees_by_number(db, tenant.slug)["E1"].status == "on_leave"
    assert units_by_code(db, tenant.slug)["HQ"].kind == "company"


def test_the_preview_lists_problems_in_the_users_language(admin, db, tenant):
    content = xlsx({"人员": employees_sheet(person("E1", "张三", "NOPE"))})
    batch_id = batch_id_of(upload(admin, tenant, content, "bad.xlsx"))
    url = f"/t/{tenant.slug}/imports/{batch_id}"
    page = admin.get(url).get_data(as_text=True)
    assert 'data-row="2" data-code="unknown_unit" data-column="unit_code"' in page
    assert "部门编码" in page and "NOPE" in page
    assert 'id="commit-button"' not in page
    token = csrf_token(admin, url)
    admin.post("/lang", data={"lang": "en", "next": url, "csrf_token": token})
    page = admin.get(url).get_data(as_text=True)
    assert "Unit code" in page and "No unit has the code NOPE" in page


def test_committing_a_file_with_problems_is_refused(admin, db, tenant):
    content = xlsx({"人员": employees_sheet(person("E1", "张三", "NOPE"))})
    batch_id = batch_id_of(upload(admin, tenant, content, "bad.xlsx"))
    response = commit(admin, tenant, batch_id)
    assert response.status_code == 303
    assert count_rows(db, tenant.slug)["employees"] == 0
    assert load_batch(db, tenant, batch_id).status == "checked"


def test_the_organisation_changing_after_the_check_is_caught_at_commit(admin, db, tenant):
    import_file(admin, tenant, xlsx({"部门": units_sheet(unit("HQ", "总部", kind="公司"))}))
    batch_id = batch_id_of(
        upload(admin, tenant, xlsx({"人员": employees_sheet(person("E1", "张三", "HQ"))}), "p.xlsx")
    )
    with db.tenant(schema_for(tenant.slug)) as session:
        from saas.models.org import OrgUnit

        session.scalars(select(OrgUnit)).one().archived_at = dt.datetime.now(dt.UTC)
    commit(admin, tenant, batch_id)
    batch = load_batch(db, tenant, batch_id)
    assert [p["code"] for p in problems_of(batch)] == ["archived_unit"]
    assert count_rows(db, tenant.slug)["employees"] == 0


def test_a_failure_during_commit_leaves_nothing_written(admin, db, tenant, monkeypatch):
    import saas.imports.apply as apply

    batch_id = batch_id_of(upload(admin, tenant, xlsx(ORG), "org.xlsx"))
    before = count_rows(db, tenant.slug)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away half-way")

    # Units and employees are inserted by then: the failure comes late in the transaction.
    monkeypatch.setattr(apply, "update_unit_managers", broken)
    response = commit(admin, tenant, batch_id)
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page and 'id="commit-button"' in page
    assert count_rows(db, tenant.slug) == before
    assert load_batch(db, tenant, batch_id).status == "checked"

    monkeypatch.undo()
    commit(admin, tenant, batch_id)
    assert count_rows(db, tenant.slug)["employees"] == 4


def test_committing_twice_writes_once(admin, db, tenant):
    batch_id = import_file(admin, tenant, xlsx(ORG))
    after_first = count_rows(db, tenant.slug)
    commit(admin, tenant, batch_id)
    assert count_rows(db, tenant.slug) == after_first


def test_discarding_an_upload(admin, db, tenant):
    batch_id = batch_id_of(upload(admin, tenant, xlsx(ORG), "org.xlsx"))
    token = csrf_token(admin, f"/t/{tenant.slug}/imports/{batch_id}")
    response = admin.post(
        f"/t/{tenant.slug}/imports/{batch_id}/discard", data={"csrf_token": token}
    )
    assert response.status_code == 303
    batch = load_batch(db, tenant, batch_id)
    assert batch.status == "discarded" and batch.content == b""
    commit(admin, tenant, batch_id)
    assert count_rows(db, tenant.slug)["units"] == 0


def upload_error(admin, tenant, content: bytes, filename: str, kind: str = "") -> str:
    response = upload(admin, tenant, content, filename, kind)
    assert response.status_code == 400, response.status_code
    return response.get_data(as_text=True)


def read_in_english(client, tenant) -> None:
    path = f"/t/{tenant.slug}/imports/"
    client.post("/lang", data={"lang": "en", "next": path, "csrf_token": csrf_token(client, path)})


def test_files_that_are_not_spreadsheets_get_a_clear_error(admin, db, tenant):
    read_in_english(admin, tenant)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert "is not a spreadsheet Kaohe can read" in upload_error(admin, tenant, png, "photo.png")
    fake = b"%PDF-1.7 not really a workbook"
    assert "is not a spreadsheet" in upload_error(admin, tenant, fake, "report.xlsx")
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "is not a spreadsheet" in upload_error(admin, tenant, zipped.getvalue(), "a.xlsx")
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert ".xls" in upload_error(admin, tenant, old, "old.xls")
    assert "The file is empty" in upload_error(admin, tenant, b"", "empty.csv")
    nonsense = csv_bytes([["a", "b"], ["1", "2"]])
    assert "none of its cells is a column" in upload_error(admin, tenant, nonsense, "x.csv")
    only_header = csv_bytes([EMPLOYEE_HEADERS])
    assert "no rows to import" in upload_error(admin, tenant, only_header, "x.csv")
    units = csv_bytes(units_sheet(unit("A", "甲")))
    assert "but this file holds" in upload_error(admin, tenant, units, "u.csv", "employees")
    assert count_rows(db, tenant.slug)["units"] == 0
    with db.tenant(schema_for(tenant.slug)) as session:
        from saas.models.imports import ImportBatch

        assert session.scalars(select(ImportBatch)).all() == []


def test_a_file_over_10_mb_is_refused_with_a_message(admin, db, tenant):
    read_in_english(admin, tenant)
    response = upload(admin, tenant, b"x" * (10 * 1024 * 1024 + 1), "big.csv")
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_the_template_has_both_sheets_and_instructions(admin, db, tenant):
    response = admin.get(f"/t/{tenant.slug}/imports/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["填写说明", "部门", "人员", "下拉选项"]
    assert [c.value for c in book["部门"][1]] == UNIT_HEADERS
    assert [c.value for c in book["人员"][1]] == EMPLOYEE_HEADERS
    assert book["人员"].max_row == 2 and book["部门"].max_row == 2
    assert book["填写说明"].max_row > 5
    # The template as it comes imports cleanly: its example rows are valid.
    batch_id = batch_id_of(upload(admin, tenant, response.data, "template.xlsx"))
    assert problems_of(load_batch(db, tenant, batch_id)) == []


def test_rows_in_any_order_and_a_stored_unit_moving_under_a_new_one(admin, db, tenant):
    import_file(admin, tenant, xlsx({"部门": units_sheet(unit("HQ", "总部", kind="公司"))}))
    import_file(admin, tenant, xlsx({"部门": units_sheet(unit("OLD", "老部门", "HQ"))}))
    content = xlsx(
        {
            "部门": units_sheet(
                unit("OLD", "老部门", "MID"),  # a stored unit, now under a unit new in this file
                unit("LEAF", "班组", "MID", "班组"),
                unit("MID", "中层", "TOP"),
                unit("TOP", "新事业部", "HQ", "事业部"),
            ),
            "人员": employees_sheet(
                person("E3", "丙", "LEAF", manager="E2"),
                person("E2", "乙", "MID", manager="E1"),
                person("E1", "甲", "TOP"),
            ),
        }
    )
    import_file(admin, tenant, content)
    u = units_by_code(db, tenant.slug)
    assert u["OLD"].path == f"{u['HQ'].id}/{u['TOP'].id}/{u['MID'].id}/{u['OLD'].id}/"
    assert u["LEAF"].path == f"{u['HQ'].id}/{u['TOP'].id}/{u['MID'].id}/{u['LEAF'].id}/"
    people = employees_by_number(db, tenant.slug)
    assert people["E3"].manager_id == people["E2"].id
    assert people["E2"].manager_id == people["E1"].id
