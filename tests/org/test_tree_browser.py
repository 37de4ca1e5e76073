"""The org tree in a real browser: rename inline (Esc cancels, Enter saves), a refused form
shown in place, add a unit from the actions panel, a move refused for a cycle, and a large
tree's closed branch drawn when opened."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from saas.models.org import OrgUnit
from tests.browser.conftest import browser, live_server  # noqa: F401  (fixtures)
from tests.conftest import ADMIN_PASSWORD
from tests.org.conftest import Org, unit_row

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server) -> Iterator:  # noqa: F811
    """A logged-out page; fails on console errors except the 400s that refused forms answer."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
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


def open_tree(page, org: Org) -> None:
    page.goto(f"/t/{org.slug}/login")
    page.locator("input[name=identifier]").fill(org.tenant.admin_email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(f"**/t/{org.slug}/")
    page.goto(f"/t/{org.slug}/org/")


def test_rename_inline_with_escape_and_enter(page, db, org):
    from playwright.sync_api import expect

    open_tree(page, org)
    row = page.locator(f"#unit-{org.ids['KF']}-row")
    row.locator("a.org-name").click()
    field = row.locator("form.org-rename input[name=name]")
    expect(field).to_be_focused()
    field.fill("客户服务中心")
    field.press("Escape")
    expect(row.locator("a.org-name")).to_have_text("客服中心")
    assert unit_row(db, org, "KF").name == "客服中心"

    row.locator("a.org-name").click()
    field.fill("")
    field.press("Enter")
    expect(row.locator(".field-error")).to_be_visible()  # the 400 is shown in place
    field.fill("客户服务中心")
    field.press("Enter")
    expect(row.locator("a.org-name")).to_have_text("客户服务中心")
    expect(page.locator("#org-status")).to_contain_text("客户服务中心")
    assert unit_row(db, org, "KF").name == "客户服务中心"


def test_add_a_unit_and_refuse_a_cycle_from_the_panel(page, db, org):
    from playwright.sync_api import expect

    open_tree(page, org)
    engineering = page.locator(f"#unit-{org.ids['GC']}")
    engineering.locator(":scope > .org-row .org-open").click()
    panel = engineering.locator(":scope > .org-panel")
    expect(panel.locator(".org-panel-title")).to_have_text("工程维修部")
    panel.locator("a[href$='/new']").click()
    form = panel.locator("form.org-form")
    # The form lands with its name field focused; wait for that so typing goes to a settled form.
    expect(form.locator("input[name=name]")).to_be_focused()
    form.locator("input[name=code]").fill("GC-SD")
    form.locator("button[type=submit]").click()
    expect(form.locator(".field-error").first).to_be_visible()
    form.locator("input[name=name]").fill("弱电班组")
    form.locator("input[name=code]").fill("")
    form.locator("select[name=kind]").select_option("team")
    form.locator("button[type=submit]").click()
    expect(engineering.locator(".org-name", has_text="弱电班组")).to_be_visible()
    expect(panel.locator("form")).to_have_count(0)  # the panel closed with the redraw

    engineering.locator(":scope > .org-row .org-open").click()
    panel.locator("a[href$='/move']").click()
    choices = panel.locator("select[name=parent] option")
    expect(choices.first).to_be_attached()
    assert "水电班组" not in choices.all_inner_texts()  # its own sub-units are not offered
    # Forge the choice a crafted request would make; the server still refuses it.
    panel.locator("select[name=parent]").evaluate(
        "(s, v) => { s.add(new Option('水电班组', v)); s.value = v; }", str(org.ids["GC-SD"])
    )
    panel.locator("form.org-form button[type=submit]").click()
    expect(panel.locator(".field-error")).to_contain_text("cannot be moved under")
    page.keyboard.press("Escape")
    expect(panel.locator("form.org-form")).to_have_count(0)
    assert unit_row(db, org, "GC").parent_id == org.ids["WY"]


def test_a_closed_branch_of_a_large_tree_is_drawn_when_opened(page, db, org):
    from playwright.sync_api import expect

    with db.tenant(org.schema) as session:
        water = session.get(OrgUnit, org.ids["GC-SD"])
        for n in range(400):
            team = OrgUnit(name=f"夜班{n}", code=f"N{n}", kind="team", path="", position=n)
            team.parent_id = water.id
            session.add(team)
            session.flush()
            team.path = f"{water.path}{team.id}/"
        assert session.scalar(select(OrgUnit.id).where(OrgUnit.code == "N399"))
    open_tree(page, org)
    branch = page.locator(f"#unit-{org.ids['GC-SD']} > details")
    expect(branch.locator(".org-lazy")).to_have_count(1)
    expect(page.locator(".org-name", has_text="夜班399")).to_have_count(0)
    branch.locator(":scope > summary").click()
    expect(branch.locator(".org-name", has_text="夜班399")).to_be_visible()
    expect(branch.locator(":scope > ul > .org-node")).to_have_count(400)


def test_a_failed_then_successful_top_level_add_leaves_no_stale_error(page, db, org):
    from playwright.sync_api import expect

    open_tree(page, org)
    summary = page.locator("#org-summary")
    expect(summary).to_contain_text("27 units")
    page.locator(".org-tools a.primary").click()
    form = page.locator("#org-top-form form.org-form")
    form.locator("button[type=submit]").click()  # no name: refused in place
    expect(form.locator(".field-error").first).to_be_visible()
    form.locator("input[name=name]").fill("第二公司")
    form.locator("select[name=kind]").select_option("company")
    form.locator("button[type=submit]").click()
    expect(page.locator(".org-name", has_text="第二公司")).to_be_visible()
    expect(page.locator("#org-top-form form")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)
    expect(summary).to_contain_text("28 units")
    expect(page.locator("#org-status")).to_contain_text("第二公司")
