"""From ratings to an explained score, on phones: a supervisor rates five staff in the grid
and submits them, the administrator closes collection, runs scoring and watches the progress
bar fill, opens the results, then one person's result, and reads where every point came
from. A real worker process scores the cycle."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.conftest import ADMIN_PASSWORD
from tests.org.conftest import PASSWORD
from tests.rating.grid_setup import STAFF, build

# Per person, every column of the grid: A1 points, A2 yes/no, A3 scale, B (the section rated
# as a whole), C1 late arrivals (a deduction count), C2 no accident (critical).
ROWS = (
    ("8", "yes", "优", "9", "0", "yes"),
    ("9.5", "yes", "良", "8", "1", "yes"),
    ("10", "no", "优", "10", "0", "yes"),
    ("7", "yes", "差", "6", "2", "yes"),
    ("6.5", "yes", "良", "7", "3", "no"),
)
# The first person's score: A 8 + 5 + 5 = 18, B 9, C 10 + 10 = 20 → 47 of 50.
FIRST_FINAL = "47"


def _log_in(page, slug: str, identifier: str, password: str) -> None:
    page.goto(f"/t/{slug}/login")
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(slug)}/$"))


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


@pytest.fixture
def world(db, make_tenant):
    return build(db, make_tenant)


def test_rated_in_the_grid_scored_by_the_admin_and_explained_on_a_phone(
    browser, live_server, db, worker, world
):
    # The supervisor rates everyone in the grid, cell by cell, and submits the rows.
    context, page = _phone(browser, live_server)
    _log_in(page, world.slug, world.manager_email, PASSWORD)
    page.goto(world.url())
    rows = page.locator("tr[data-row]")
    assert rows.count() == len(STAFF)
    for row, values in enumerate(ROWS):
        cells = rows.nth(row).locator("[data-cell]")
        for column, value in enumerate(values):
            cell = cells.nth(column)
            if cell.evaluate("el => el.tagName") == "SELECT":
                cell.select_option(value)  # yes/no and the scale's levels, by value
            else:
                cell.fill(value)
                cell.dispatch_event("change")
        expect(page.locator(".rgrid-cell.saving")).to_have_count(0)
    expect(rows.first.locator("[data-total]").first).to_have_text(FIRST_FINAL)
    page.locator("form.rgrid-submit button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("5 ratings submitted")
    _fits(page)
    context.close()

    # The administrator closes collection and scores the cycle.
    context, page = _phone(browser, live_server)
    _log_in(page, world.slug, world.tenant.admin_email, ADMIN_PASSWORD)
    page.goto(f"/t/{world.slug}/cycles/{world.cycle_id}")
    _fits(page)
    page.locator("form.cycle-move:has(input[name=to][value=scoring]) button").click()
    page.wait_for_load_state()
    page.locator("a.button", has_text="Scoring runs").click()
    page.locator("#run-scoring").click()
    expect(page.locator("body")).to_contain_text("Scoring run 1 started.")
    # The bar polls until the worker is done, then the runs part shows the finished run.
    expect(page.locator("#runs")).to_contain_text("Latest results: run 1", timeout=30_000)
    expect(page.locator("#runs")).to_contain_text("6 subjects scored")
    _fits(page)

    # The results, and one person's score explained.
    page.goto(f"/t/{world.slug}/cycles/{world.cycle_id}/results")
    table = page.locator("table")
    expect(table).to_contain_text(STAFF[0])
    _fits(page)
    page.locator("td.name a", has_text=STAFF[0]).click()
    page.wait_for_load_state()
    trace = page.locator("ol.trace").first
    expect(trace).to_contain_text("Punctuality")
    expect(page.locator("ol.trace li.step-final")).to_contain_text(FIRST_FINAL)
    _fits(page)
    context.close()
