"""On a phone the top menu is a button that shows where you are and opens the whole list,
tapped with one thumb; on a desktop the menu is a row of links as before."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.login import log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def test_the_phone_menu_opens_the_whole_list_with_one_tap(phone, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant()
    log_in(phone, tenant)
    expect(phone.locator(".topnav .menu")).to_be_hidden()
    button = phone.locator(".phone-menu summary")
    expect(button).to_be_visible()
    expect(button).to_contain_text("首页")  # where you are
    assert_one_row(phone)

    button.tap()
    links = phone.locator(".phone-menu-list a")
    # Every area of the (hidden) desktop row, and the account, none hidden to the side.
    assert links.count() == phone.locator(".topnav .menu a").count() + 1 >= 9
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert links.nth(i).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["height"] >= 44  # a thumb's target
    links.filter(has_text="操作日志").tap()
    phone.wait_for_url(re.compile(rf"/t/{tenant.slug}/audit/$"))
    expect(phone.locator(".phone-menu summary")).to_contain_text("操作日志")
    expect(phone.locator(".phone-menu-list")).to_be_hidden()  # a new page starts closed
    assert_one_row(phone)  # with the longest name of a page beside "菜单"
    phone.locator("button.lang-option[value=en]").tap()
    expect(phone.locator(".phone-menu summary")).to_contain_text("Audit log")
    assert_one_row(phone)


def assert_one_row(phone) -> None:
    """The menu button, the language switch and log-out share one row; nothing is off-screen."""
    middles = [
        (box := phone.locator(selector).bounding_box())["y"] + box["height"] / 2
        for selector in (".phone-menu summary", ".lang", ".topnav form .link-button")
    ]
    assert max(middles) - min(middles) < 8, middles
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_the_desktop_keeps_its_row_of_links(page, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant()
    log_in(page, tenant)
    expect(page.locator(".topnav .menu")).to_be_visible()
    expect(page.locator(".phone-menu")).to_be_hidden()


def test_the_platform_menu_stays_on_a_phone(phone, db):
    import secrets

    from playwright.sync_api import expect

    from saas.platform.admins import create_platform_admin

    email = f"ops-{secrets.token_hex(3)}@kaohe.example.com"
    with db.public() as session:
        create_platform_admin(session, email, "platform-password")
    phone.goto("/platform/login")
    phone.locator("input[name=email]").fill(email)
    phone.locator("input[name=password]").fill("platform-password")
    phone.locator("form button.primary").tap()
    phone.wait_for_url(re.compile(r"/platform/$"))
    for link in phone.locator(".platform-menu a").all():
        expect(link).to_be_visible()
    assert phone.locator(".platform-menu a").count() == 3  # tenants, audit log, account
