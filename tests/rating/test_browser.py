"""The rating form in a browser at phone width: from the start page's to-do to a submitted
sheet, every field saved as it is left. bench/rating_screenshots.py photographs the to-do,
the list and the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (  # noqa: F401  the browser fixtures
    PHONE,
    browser,
    live_server,
)
from tests.org.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _pages(browser, live_server, **options):  # noqa: F811
    """A fresh page that fails the test on a console error, but for the 400 a refused value
    answers with (Chromium reports every 4xx response on the console)."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def phone_page(browser, live_server):  # noqa: F811
    yield from _pages(browser, live_server, **PHONE)


def _log_in(page, place, name: str) -> None:
    page.goto(f"/t/{place.slug}/login")
    page.locator("input[name=identifier]").fill(place.email(name))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(place.slug)}/$"))


def _saved(page, key: str) -> None:
    page.locator(f"#item-{key} .item-saved").wait_for()


def test_a_rater_fills_in_and_submits_a_sheet_on_a_phone(phone_page, place):
    page = phone_page
    _log_in(page, place, "li")
    page.get_by_role("link", name=re.compile("Ratings to do")).click()
    page.locator(".sheet-link", has_text="wang").click()
    page.wait_for_url(re.compile(r"/rating/sheets/\d+$"))
    page.locator("#f-A1").fill("8.5")
    page.locator("#f-A1").press("Tab")
    _saved(page, "A1")
    page.locator("#item-A2 .choice", has_text="Yes").click()
    _saved(page, "A2")
    page.locator("#item-A3 .choice", has_text="良").click()
    _saved(page, "A3")
    for _ in range(2):
        page.locator("#item-A4 [data-step='1']").click()
    expect(page.locator("#f-A4")).to_have_value("2")
    _saved(page, "A4")
    page.locator("#item-A5 .choice", has_text="Yes").click()
    _saved(page, "A5")
    page.locator("#f-B").fill("61")
    page.locator("#f-B").press("Tab")
    page.locator("#item-B .field-error", has_text="from 0 to 60").wait_for()
    page.locator("#f-B").fill("55")
    page.locator("#f-B").press("Tab")
    _saved(page, "B")
    expect(page.locator("#sheet-summary strong")).to_have_text("87.5")
    assert page.locator("#sub-0").inner_text() == "32.5"
    assert place.sheet("li").values == {
        "A1": "8.5",
        "A2": True,
        "A3": "良",
        "A4": "2",
        "A5": True,
        "B": "55",
    }
    # Nothing sticks out sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Submit").click()
    page.locator(".flash-success", has_text="Submitted").first.wait_for()
    assert place.sheet("li").status == "submitted"
    assert page.locator("#f-A1").count() == 0
