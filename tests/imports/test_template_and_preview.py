"""The import template's drop-down lists, the one vocabulary of files and pages, and the
preview that lists the rows an import will create or change."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from saas.imports import preview
from saas.imports.columns import EMPLOYEES, STATUS_WORDS, UNIT_KIND_WORDS, UNITS, column
from tests.imports.conftest import (
    add_levels,
    batch_id_of,
    commit,
    employees_sheet,
    person,
    unit,
    units_sheet,
    upload,
    xlsx,
)
from tests.imports.test_import_flow import import_file

ROOT = Path(__file__).resolve().parents[2]


def drop_downs(book, sheet: str) -> dict[str, tuple[list[str], bool]]:
    """Header of each column with a list rule -> (its words, whether other words are refused)."""
    lists = book["下拉选项"] if "下拉选项" in book.sheetnames else book["lists"]
    found = {}
    for rule in book[sheet].data_validations.dataValidation:
        assert rule.type == "list"
        letter, first, last = re.fullmatch(
            r"'?[^!]+'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", rule.formula1
        ).groups()
        words = [lists[f"{letter}{row}"].value for row in range(int(first), int(last) + 1)]
        target = str(rule.sqref).split(":")[0]
        header = book[sheet][re.sub(r"\d+", "1", target)].value
        assert target.endswith("2")  # from the first row under the header
        found[header] = (words, bool(rule.showErrorMessage))
    return found


def test_the_template_offers_drop_downs_for_kinds_statuses_levels_and_forms(admin, db, tenant):
    add_levels(db, tenant.slug, "员工", "班组长", "部门主管")
    response = admin.get(f"/t/{tenant.slug}/imports/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book["下拉选项"].sheet_state == "hidden"
    units = drop_downs(book, "部门")
    assert units == {"部门类型": ([zh for zh, _en in UNIT_KIND_WORDS.values()], True)}
    people = drop_downs(book, "人员")
    assert people["状态"] == (["在职", "休假", "离职"], True)
    assert people["职级"] == (["员工", "班组长", "部门主管"], True)
    forms, strict = people["用工形式"]
    assert "正式员工" in forms and "劳务派遣" in forms and not strict  # suggestions only
    # The example rows use words of the lists.
    assert book["部门"]["D2"].value in units["部门类型"][0]
    assert book["人员"]["I2"].value in people["状态"][0]


def test_an_english_template_lists_english_words(admin, tenant):
    with admin.session_transaction() as session:
        session["lang"] = "en"
    book = load_workbook(io.BytesIO(admin.get(f"/t/{tenant.slug}/imports/template.xlsx").data))
    assert book.sheetnames == ["instructions", "units", "employees", "lists"]
    assert drop_downs(book, "units")["Kind"][0] == [en for _zh, en in UNIT_KIND_WORDS.values()]
    people = drop_downs(book, "employees")
    assert people["Status"][0] == ["active", "on leave", "left"]
    assert "Position level" not in people  # no levels yet: nothing to pick from


def test_the_export_has_the_same_drop_downs_and_still_round_trips(admin, db, tenant):
    import_file(admin, tenant, xlsx({"部门": units_sheet(unit("HQ", "总部", kind="公司"))}))
    book = load_workbook(
        io.BytesIO(admin.get(f"/t/{tenant.slug}/imports/export.xlsx", query_string={}).data)
    )
    assert "部门类型" in drop_downs(book, "部门") and "状态" in drop_downs(book, "人员")


# -- one vocabulary --------------------------------------------------------------------------


def test_files_and_pages_use_the_same_words(app):
    from saas.goals import actuals_import as actuals
    from saas.org.units import KIND_LABELS
    from saas.people.employees import STATUS_LABELS

    same_as_page = {
        (EMPLOYEES, "number"): "Employee number",
        (EMPLOYEES, "unit_code"): "Unit code",
        (EMPLOYEES, "position"): "Position",
        (EMPLOYEES, "position_level"): "Position level",
        (EMPLOYEES, "employment_form"): "Employment form",
        (EMPLOYEES, "hire_date"): "Hire date",
        (EMPLOYEES, "status"): "Status",
        (UNITS, "parent_code"): "Parent unit code",
    }
    goal_columns = {"title": "Title", "actual": "Actual", "done": "Done?", "note": "Note"}
    with app.test_request_context():
        for lang, locale, index in (("zh", "zh_CN", 0), ("en", "en", 1)):
            with force_locale(locale):
                for kind, label in KIND_LABELS.items():
                    assert UNIT_KIND_WORDS[kind][index].lower() == str(label).lower()
                for status, label in STATUS_LABELS.items():
                    assert STATUS_WORDS[status][index].lower() == str(label).lower()
                if lang == "zh":  # English headers are capitalised as headers
                    for (kind, name), label in same_as_page.items():
                        assert column(kind, name).zh == str(label_of(label))
                    for name, label in goal_columns.items():
                        assert actuals.column(name).zh == str(label_of(label))


def label_of(text: str):
    from flask_babel import gettext

    return gettext(text)


def test_the_old_words_are_still_read(app, db, tenant, admin):
    content = xlsx(
        {
            "部门": units_sheet(unit("HQ", "总部", kind="公司"), unit("S1", "一号", "HQ", "站点")),
            "人员": [
                ["工号", "姓名", "部门编码", "岗位级别", "状态"],
                ["E1", "张三", "S1", None, "在岗"],
            ],
        }
    )
    batch_id = batch_id_of(upload(admin, tenant, content, "old-words.xlsx"))
    assert commit(admin, tenant, batch_id).status_code == 303


def test_the_import_guide_lists_every_word_of_the_file():
    guide = (ROOT / "docs" / "imports.md").read_text(encoding="utf-8")
    from saas.imports.columns import COLUMNS

    words = [w for pair in (*UNIT_KIND_WORDS.values(), *STATUS_WORDS.values()) for w in pair]
    words += [c.zh for cs in COLUMNS.values() for c in cs] + [
        c.en for cs in COLUMNS.values() for c in cs
    ]
    assert [w for w in words if w not in guide] == []


# -- the preview lists rows ------------------------------------------------------------------


def listed(page: str) -> dict[str, str]:
    """data-key -> the text of its row in the list of planned rows."""
    part = page.split('id="import-planned"')[1].split("</section>")[0]
    rows = re.findall(
        r'<tr data-row="\d+" data-state="(\w+)" data-key="([^"]+)">(.*?)</tr>', part, re.S
    )
    return {
        key: state + " " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
        for state, key, body in rows
    }


def test_the_preview_lists_the_rows_it_creates_and_changes(admin, db, tenant):
    import_file(
        admin,
        tenant,
        xlsx(
            {
                "部门": units_sheet(unit("HQ", "总部", kind="公司")),
                "人员": employees_sheet(person("E1", "张三", "HQ", "厨师")),
            }
        ),
    )
    content = xlsx(
        {
            "部门": units_sheet(
                unit("HQ", "总部", kind="公司"), unit("S1", "第一食堂", "HQ", "场所")
            ),
            "人员": employees_sheet(person("E1", "张三", "S1", "主厨", status="休假")),
        }
    )
    batch_id = batch_id_of(upload(admin, tenant, content, "changes.xlsx"))
    page = admin.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    rows = listed(page)
    assert set(rows) == {"S1", "E1"}  # the unchanged unit HQ is only counted
    assert rows["S1"].startswith("new") and "第一食堂" in rows["S1"] and "场所" in rows["S1"]
    assert rows["E1"].startswith("changed")
    assert "HQ → S1" in rows["E1"] and "厨师 → 主厨" in rows["E1"] and "在职 → 休假" in rows["E1"]
    assert "张三 →" not in rows["E1"]  # unchanged fields are left out
    commit(admin, tenant, batch_id)
    done = admin.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    assert set(listed(done)) == {"S1", "E1"}  # the record of what was imported


def test_a_long_preview_is_paged_and_capped_with_a_count(admin, tenant, monkeypatch):
    monkeypatch.setattr(preview, "KEPT", 70)
    units = [unit("HQ", "总部", kind="公司")]
    units += [unit(f"U{i:03}", f"班组{i}", "HQ", "班组") for i in range(120)]
    batch_id = batch_id_of(upload(admin, tenant, xlsx({"部门": units_sheet(*units)}), "big.xlsx"))
    with admin.session_transaction() as session:
        session["lang"] = "en"
    first = admin.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    assert len(listed(first)) == 50 and "U000" in listed(first)
    assert "The first 70 of 121 rows that are new or changed are listed" in first
    second = admin.get(f"/t/{tenant.slug}/imports/{batch_id}?page=2").get_data(as_text=True)
    assert len(listed(second)) == 20 and "U068" in listed(second)
    assert "U069" not in listed(second)
    junk = admin.get(f"/t/{tenant.slug}/imports/{batch_id}?page=²").get_data(as_text=True)
    assert len(listed(junk)) == 50


@pytest.mark.parametrize("page", ["0", "-3", "99999999999999999999", "x"])
def test_any_page_number_gives_a_page(admin, tenant, page):
    content = xlsx({"部门": units_sheet(unit("HQ", "总部", kind="公司"))})
    batch_id = batch_id_of(upload(admin, tenant, content, "one.xlsx"))
    response = admin.get(f"/t/{tenant.slug}/imports/{batch_id}", query_string={"page": page})
    assert response.status_code == 200 and "HQ" in listed(response.get_data(as_text=True))
