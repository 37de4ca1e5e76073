"""Creating accounts for a canteen team on a phone (390 px): tick people on the people list
(people-select.js counts them and ticks a whole page), create, and land on the sheet."""

from __future__ import annotations

import re

import pytest

from tenants.slugs import schema_for
from tests.browser.conftest import browser, live_server, phone_page  # noqa: F401  (fixtures)
from tests.browser.login import log_in
from tests.people.conftest import add_employee, add_unit

pytestmark = pytest.mark.browser


def test_accounts_for_a_canteen_team_are_created_on_a_phone(phone_page, db, tenant):  # noqa: F811
    from playwright.sync_api import expect

    phone = phone_page
    with db.tenant(schema_for(tenant.slug)) as session:
        canteen = add_unit(session, "职工食堂", kind="team")
        for number, name in (("ST001", "张三丰"), ("ST002", "李秀英"), ("ST003", "王建华")):
            add_employee(session, number, name, canteen)
        canteen_id = canteen.id
    log_in(phone, tenant)
    phone.goto(f"/t/{tenant.slug}/people/?unit={canteen_id}")
    phone.locator("button.lang-option[value=en]").click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    boxes = phone.locator("input[name=employee]")
    boxes.nth(1).check()
    expect(phone.locator("[data-select-count]")).to_have_text("(1)")
    phone.locator("input[data-select-page]").check()
    expect(phone.locator("[data-select-count]")).to_have_text("(3)")
    phone.locator("input[data-select-page]").uncheck()
    expect(phone.locator("[data-select-count]")).to_have_text("")
    boxes.nth(0).check()
    boxes.nth(2).check()
    phone.locator("#people-select button[type=submit]").click()
    expect(phone.locator("h1")).to_have_text("2 set-up links issued")
    expect(phone.locator(".sheet-status")).to_contain_text("2 set-up cards to print")
    assert re.search(r"/people/accounts$", phone.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
