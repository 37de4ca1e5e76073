"""The users page in a real browser: roles change through HTMX checkboxes, disabling asks
first, and an invitation link opens the welcome page (no console errors, CSP included)."""

from __future__ import annotations

import re

import pytest

from saas.models.user import Role
from tests.accounts.conftest import NEW_PASSWORD, add_user, user_by_email
from tests.browser.conftest import browser, live_server  # noqa: F401  (fixtures)
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):  # noqa: F811
    """Like tests/browser's page, but a refused change answers 400 on purpose: the browser
    logs that as a failed resource, which is not an error here; anything else is."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"browser console errors: {errors}"


def log_in(tab, tenant, email: str, password: str) -> None:
    tab.goto(f"/t/{tenant.slug}/login")
    tab.locator("button.lang-option[value=en]").click()
    tab.wait_for_load_state()
    tab.locator("input[name=identifier]").fill(email)
    tab.locator("input[name=password]").fill(password)
    tab.locator("form button[type=submit].primary").click()
    tab.wait_for_url(re.compile(rf"/t/{re.escape(tenant.slug)}/$"))


def test_roles_checkboxes_and_disable_through_htmx(page, db, tenant):
    from playwright.sync_api import expect

    email = f"clerk@{tenant.slug}.example.com"
    user = add_user(db, tenant, email, [Role.EMPLOYEE], name="王小二")
    log_in(page, tenant, tenant.admin_email, ADMIN_PASSWORD)
    page.goto(f"/t/{tenant.slug}/accounts/")
    row = page.locator(f"#user-{user}")
    row.locator("summary").click()
    row.locator("input[value=inspector]").check()
    # HTMX posts on change and swaps the row: the message shows and the roles stay open.
    expect(page.locator(f"#user-{user} .row-message")).to_have_text("Roles saved.")
    expect(page.locator(f"#user-{user} .role-badges")).to_contain_text("Inspector")
    assert user_by_email(db, tenant, email).role_names == {"inspector", "employee"}

    # Unticking the last role is refused in the row, and nothing changes.
    page.locator(f"#user-{user} input[value=inspector]").uncheck()
    expect(page.locator(f"#user-{user} .role-badges")).not_to_contain_text("Inspector")
    page.locator(f"#user-{user} input[value=employee]").uncheck()
    expect(page.locator(f"#user-{user} .row-error")).to_contain_text("at least one role")
    assert user_by_email(db, tenant, email).role_names == {"employee"}

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#user-{user} button.danger").click()
    expect(page.locator(f"#user-{user} .badge-disabled")).to_be_visible()
    assert not user_by_email(db, tenant, email).is_active_account


def test_invitation_link_to_first_login(page, tenant):
    from playwright.sync_api import expect

    log_in(page, tenant, tenant.admin_email, ADMIN_PASSWORD)
    page.goto(f"/t/{tenant.slug}/accounts/invite")
    email = f"new.hire@{tenant.slug}.example.com"
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=name]").fill("李四")
    page.locator("input[name=roles][value=employee]").check()
    page.locator("form button.primary").click()
    link = page.locator(".one-time-link").inner_text()
    page.context.clear_cookies()
    page.goto(link.replace("http://127.0.0.1:8000", ""))
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("input[name=confirm]").fill(NEW_PASSWORD)
    page.locator("form button.primary").click()
    # Setting the password logs the new user in.
    page.wait_for_url(re.compile(rf"/t/{re.escape(tenant.slug)}/$"))
    expect(page.locator("h1")).to_contain_text("李四")
