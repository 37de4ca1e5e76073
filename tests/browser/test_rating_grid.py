"""A supervisor rates five staff in the grid on a phone, with the keyboard only: the row
totals add up as they type, every cell is saved as they leave it, and after a reload the
values are still there. bench/rating_screenshots.py photographs the grid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from saas.models.cycle import RatingSheet
from tests.browser.conftest import PHONE
from tests.org.conftest import PASSWORD
from tests.rating.grid_setup import STAFF, build

# Per person: punctuality (typed), uniform (y/n key), and the row total it gives.
POINTS = ("8", "9.5", "10", "7", "6.5")
UNIFORM = ("y", "n", "y", "y", "n")


def _log_in(page, world) -> None:
    page.goto(f"/t/{world.slug}/login")
    page.locator("input[name=identifier]").fill(world.manager_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(world.slug)}/$"))


def _phone(browser, live_server, errors: list[str], **options):
    """A page that records console errors; the one 400 of the refused cell is expected."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


def _total(page, row: int) -> str:
    return page.locator("tr[data-row]").nth(row).locator("[data-total]").first.inner_text()


def _settled(page) -> None:
    expect(page.locator(".rgrid-cell.saving")).to_have_count(0)


@pytest.fixture
def world(db, make_tenant):
    return build(db, make_tenant)


def test_a_supervisor_rates_five_staff_with_the_keyboard_on_a_phone(
    browser, live_server, db, world
):
    errors: list[str] = []
    context, page = _phone(browser, live_server, errors, **PHONE)
    _log_in(page, world)
    page.goto(world.url())
    assert page.locator("tr[data-row]").count() == len(STAFF)
    # Nothing wider than the phone but the grid itself, which scrolls sideways.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    first = page.locator("tr[data-row]").first.locator("[data-cell]").first
    first.focus()
    # Down the first column: type, Enter moves to the next person.
    for row, value in enumerate(POINTS):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        assert _total(page, row) == value  # live, before the server answers
    # Right to the yes/no column, up to the first person, then down it by letter.
    page.keyboard.press("ArrowRight")
    for _ in STAFF[1:]:
        page.keyboard.press("ArrowUp")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith(STAFF[0]) and "Uniform" in focused
    for key in UNIFORM:
        page.keyboard.press(key)
        page.keyboard.press("ArrowDown")
    _settled(page)
    expected = [
        str(float(points) + (5 if key == "y" else 0)).removesuffix(".0")
        for points, key in zip(POINTS, UNIFORM, strict=True)
    ]
    assert [_total(page, row) for row in range(len(STAFF))] == expected
    # A bad value is refused at the cell, and the others stay saved.
    cell = page.locator("tr[data-row]").first.locator("[data-cell]").first
    cell.focus()
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    _settled(page)
    error = page.locator("tr[data-row]").first.locator("[data-error]").first
    assert "0 to 10" in error.inner_text()
    page.reload()
    assert [_total(page, row) for row in range(len(STAFF))] == expected
    values = [
        page.locator("tr[data-row]").nth(row).locator("[data-cell]").first.input_value()
        for row in range(len(STAFF))
    ]
    assert values == list(POINTS)
    with db.tenant(world.schema) as session:
        stored = dict(
            session.execute(
                select(RatingSheet.id, RatingSheet.values).where(RatingSheet.id.in_(world.sheets))
            ).all()
        )
    assert [stored[sheet]["A2"] for sheet in world.sheets] == [key == "y" for key in UNIFORM]
    context.close()
    assert [e for e in errors if "status of 400" not in e] == []
    assert len(errors) == 1
