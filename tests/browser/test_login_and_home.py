"""A tenant admin logs in with a real browser, lands on the start page and follows the
set-up checklist to the page where the next step is done."""

from __future__ import annotations

import re

import pytest

from tests.browser.login import log_in

pytestmark = pytest.mark.browser


def test_the_admin_follows_the_set_up_checklist(page, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant()
    log_in(page, tenant)
    expect(page.locator("h1")).to_contain_text(tenant.admin_email.split("@")[0])
    checklist = page.locator(".setup-checklist")
    expect(checklist).to_contain_text("已完成 0 / 5 步")  # "0 of 5 steps done", in Chinese
    expect(checklist.locator(".setup-step.open")).to_have_count(5)
    expect(page.locator(".empty-todos")).to_be_visible()
    checklist.locator("[data-step=organisation] a").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(tenant.slug)}/org/$"))
