"""The ledger list and a person's timeline on a phone (390 px, Chinese): nothing wider than
the screen; the screenshots go to $LEDGER_SHOTS when it is set, to look at."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from saas.ledger import service
from tests.browser.conftest import PHONE, watched_page
from tests.browser.login import log_in
from tests.ledger.conftest import make_book

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_zh(browser, live_server):
    yield from watched_page(browser, live_server, locale="zh-CN", **PHONE)


def test_the_list_and_a_timeline_fit_a_phone(phone_zh, db, make_tenant):
    book = make_book(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))
    with db.tenant(book.schema) as session:
        admin = book.admin()
        complaint = service.add_entry(
            session,
            admin,
            employee_id=book.inside,
            on=dt.date(2026, 8, 3),
            event="company_complaint",
            source="customer",
            note="客户来电反映窗口服务态度生硬，等候时间超过二十分钟。",
        )
        service.decide(session, admin, complaint.id, "valid", "调取录像核实")
        service.add_entry(
            session, admin, employee_id=book.inside, on=dt.date(2026, 8, 10), event="praise_letter"
        )
        service.add_entry(
            session,
            admin,
            employee_id=book.inside,
            on=dt.date(2026, 9, 1),
            label="协助其他部门完成检修",
            points=Decimal(2),
        )
        service.add_entry(
            session, admin, employee_id=book.outside, on=dt.date(2026, 7, 5), event="work_card_lost"
        )
    log_in(phone_zh, book.org.tenant)
    shots = os.environ.get("LEDGER_SHOTS")
    for name, path in (("list", ""), ("timeline", f"employee/{book.inside}")):
        phone_zh.goto(book.url(path))
        assert "实绩档案" in phone_zh.content()
        width = phone_zh.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        if shots:
            phone_zh.screenshot(path=f"{shots}/ledger-zh-phone-{name}.png", full_page=True)
