"""A tenant admin imports a spreadsheet in a real browser, sees the preview, commits it and
finds the imported units in the org tree; a large file goes through the worker's progress bar
and its preview replaces the bar by itself."""

from __future__ import annotations

import re

import pytest

from tests.browser.login import log_in
from tests.imports.conftest import employees_sheet, person, unit, units_sheet, xlsx

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_NAMES = ("滨海物流集团", "后勤服务中心", "职工食堂早班")


def choose_file(page, name: str, content: bytes) -> None:
    page.locator("input[name=file]").set_input_files(
        {"name": name, "mimeType": XLSX, "buffer": content}
    )
    page.locator("#upload-button").click()


def open_every_branch(page) -> None:
    closed = page.locator("details.org-branch:not([open]) > summary")
    for _ in range(20):
        if closed.count() == 0:
            return
        closed.first.click()


def test_import_a_workbook_and_see_the_tree(page, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant()
    content = xlsx(
        {
            "部门": units_sheet(
                unit("G1", UNIT_NAMES[0], kind="公司"),
                unit("G2", UNIT_NAMES[1], "G1", "事业部", "职能部门"),
                unit("G3", UNIT_NAMES[2], "G2", "班组", "一线生产部门", manager="P1"),
            ),
            "人员": employees_sheet(
                person("P1", "张三丰", "G3", "班组长"), person("P2", "李四", "G3", manager="P1")
            ),
        }
    )
    log_in(page, tenant)
    page.goto(f"/t/{tenant.slug}/imports/")
    choose_file(page, "组织架构.xlsx", content)
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    expect(page.locator("#import-counts tr[data-kind=units] .count-new")).to_have_text("3")
    expect(page.locator("#import-counts tr[data-kind=employees] .count-new")).to_have_text("2")
    page.locator("#commit-button").click()
    expect(page.locator(".import-done")).to_be_visible()

    page.goto(f"/t/{tenant.slug}/org/")
    open_every_branch(page)
    for name in UNIT_NAMES:
        expect(page.locator(".org-name", has_text=name)).to_be_visible()


def test_the_preview_shows_each_problem_with_row_and_column(page, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant()
    content = xlsx(
        {"人员": employees_sheet(person("P1", "张三", "NOPE"), person("P1", "李四", "G1"))}
    )
    log_in(page, tenant)
    page.goto(f"/t/{tenant.slug}/imports/")
    choose_file(page, "bad.xlsx", content)
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("NOPE")
    expect(
        page.locator("#import-problems tr[data-row='3'][data-code=duplicate_number]")
    ).to_be_visible()
    expect(page.locator("#commit-button")).to_have_count(0)


def test_a_large_file_follows_the_worker_and_shows_its_preview(page, make_tenant, worker):
    from playwright.sync_api import expect

    tenant = make_tenant()
    people = [person(f"N{i:04d}", f"员工{i}", "U1") for i in range(600)]
    content = xlsx(
        {"部门": units_sheet(unit("U1", "大部门", kind="公司")), "人员": employees_sheet(*people)}
    )
    log_in(page, tenant)
    page.goto(f"/t/{tenant.slug}/imports/")
    choose_file(page, "large.xlsx", content)
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    # The check runs on the worker; when it is done, the preview takes the bar's place.
    expect(page.locator("#commit-button")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-counts tr[data-kind=employees] .count-new")).to_have_text("600")
    page.locator("#commit-button").click()
    expect(page.locator(".import-done")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-batch")).to_have_attribute("data-status", "committed")
