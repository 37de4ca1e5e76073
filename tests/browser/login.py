"""Logging a tenant's first admin in through the real login form, for the browser tests."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_PASSWORD


def log_in(page, tenant) -> None:
    page.goto(f"/t/{tenant.slug}/login")
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(tenant.slug)}/$"))
