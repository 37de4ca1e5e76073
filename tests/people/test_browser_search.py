"""In a real browser: typing in the search box swaps only the results and keeps the address
bar in step, so the list can be shared and the back button works."""

from __future__ import annotations

import re

from tests.browser.conftest import browser, live_server, page  # noqa: F401  (fixtures)
from tests.conftest import ADMIN_PASSWORD


def test_search_as_you_type_filters_and_updates_the_url(page, org):  # noqa: F811
    slug = org.tenant.slug
    page.goto(f"/t/{slug}/login")
    page.locator("input[name=identifier]").fill(org.tenant.admin_email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(rf"/t/{slug}/$"))

    page.goto(f"/t/{slug}/people/")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 3
    marker = page.evaluate("window.kaoheMarker = 1")  # survives only if the page is not reloaded
    page.locator("#people-q").press_sequentially("zsf", delay=30)
    page.wait_for_url(re.compile(r"q=zsf"))
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "张三丰" in page.locator("#results").inner_text()
    assert page.evaluate("window.kaoheMarker") == 1, marker

    page.locator("#people-q").fill("")
    page.locator("select[name=unit]").select_option(str(org.office))
    page.wait_for_url(re.compile(rf"unit={org.office}"))
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "李小红" in page.locator("#results").inner_text()

    # The address is a shareable link: opening it fresh shows the same list.
    page.goto(page.url)
    assert page.locator("#results tbody tr").count() == 1
    assert page.locator("select[name=unit]").input_value() == str(org.office)
