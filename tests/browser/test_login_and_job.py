"""A user logs in with a real browser, runs jobs on a real RQ worker and follows their
progress through HTMX polling, then opens the signed PDF the worker produced."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, tenant) -> None:
    page.goto(f"/t/{tenant.slug}/login")
    page.locator("input[name=email]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(tenant.slug)}/$"))


def test_login_and_demonstration_job(page, make_tenant, worker):
    from playwright.sync_api import expect

    tenant = make_tenant()
    log_in(page, tenant)
    expect(page.locator("h1")).to_contain_text(tenant.admin_email.split("@")[0])

    page.locator("#start-demo").click()
    # The fragment polls the job until the worker has finished it.
    done = page.locator("#demo-job .job-done")
    expect(done).to_be_visible(timeout=30_000)
    expect(done.locator(".job-percent")).to_have_text("100%")
    expect(done.locator("progress")).to_have_attribute("value", "100")
    # The worker read the tenant's own schema: 10 steps, one user (the admin).
    expect(done.locator(".job-result")).to_contain_text("10")
    expect(done.locator(".job-result")).to_contain_text("1")
    assert page.locator("#demo-job .job").count() == 1


def test_sample_statement_is_a_pdf(page, make_tenant, worker):
    from playwright.sync_api import expect

    tenant = make_tenant()
    log_in(page, tenant)

    page.locator("#start-statement").click()
    link = page.locator("#statement-job .job-done a")
    expect(link).to_be_visible(timeout=60_000)
    href = link.get_attribute("href")
    assert href and href.endswith(".pdf")

    # Fetched with the page's own cookies: the PDF is behind the login.
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
