"""A customer scans a badge on their phone (390 px, Chinese), picks complaint and a category
with the thumb, writes a line and sends it; the thanks page shows the reference.

The form's minimum fill time is set through the app's config (half a second), not slept out
at its real length."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from saas.models.feedback import Feedback
from tests.browser.conftest import PHONE, watched_page
from tests.feedback.conftest import QUICK, make_link
from tests.ledger.conftest import make_book

pytestmark = pytest.mark.browser
MIN_FILL = 0.5


@pytest.fixture
def phone_zh(browser, live_server):
    yield from watched_page(browser, live_server, locale="zh-CN", **PHONE)


def test_a_customer_sends_a_complaint_from_a_phone(phone_zh, app, db, make_tenant, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_FEEDBACK_POLICY", replace(QUICK, min_fill=MIN_FILL))
    book = make_book(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))
    token = make_link(db, book.org, employee_id=book.inside)
    page = phone_zh
    page.goto(f"/t/{book.slug}/feedback/{token}")
    assert page.locator("h1.fb-name").inner_text() == "张三"
    assert "工程维修部" in page.locator(".fb-unit").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("label.fb-complaint").tap()
    page.locator("label.fb-chip", has_text="服务态度").tap()
    page.locator("textarea[name=text]").fill("窗口工作人员态度生硬，等候二十分钟无人理会。")
    page.locator("input[name=phone]").fill("139 1234 5678")
    assert page.locator("input[name=kind][value=complaint]").is_checked()
    page.wait_for_timeout(MIN_FILL * 1000 + 200)
    page.locator("button.fb-send").tap()
    page.wait_for_url(re.compile(r"/feedback/status/FK-[0-9A-Z]{10}\?sent=1$"))
    assert "谢谢您" in page.locator("h1").inner_text()
    reference = page.locator(".fb-reference").inner_text()
    assert re.fullmatch(r"FK-[0-9A-Z]{10}", reference)
    assert "已收到" in page.locator(".fb-status").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with db.tenant(book.schema) as session:
        stored = session.query(Feedback).one()
        assert (stored.reference, stored.kind, stored.category) == (
            reference,
            "complaint",
            "attitude",
        )
        assert stored.phone == "13912345678"
