"""The owner of a rectification notice answers it on a phone (390 px, Chinese): from the
to-do on the start page to the notice, the answer form with a photo (made smaller in the
browser before it is sent), and back to the notice showing the photo. Nothing is wider
than the screen; the screenshots go to $NOTICE_SHOTS when it is set, to look at."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from PIL import Image

from saas.attachments import service as attachments
from saas.models.attachment import AttachmentOwner
from tests.browser.conftest import PHONE, watched_page
from tests.notices.conftest import make_site
from tests.org.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_zh(browser, live_server):
    yield from watched_page(browser, live_server, locale="zh-CN", **PHONE)


def _fits(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (name, width)
    shots = os.environ.get("NOTICE_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/notices-zh-phone-{name}.png", full_page=True)


def test_the_owner_answers_a_notice_with_a_photo(phone_zh, db, make_tenant, tmp_path):
    site = make_site(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))
    today = dt.datetime.now(dt.UTC).date()
    with db.tenant(site.schema) as session:
        _, (notice, _other) = site.inspect(session, today=today - dt.timedelta(days=2))
    photo = tmp_path / "IMG_0001.jpg"  # a phone photo: 4000 × 3000, a few MB
    Image.radial_gradient("L").resize((4000, 3000)).convert("RGB").save(photo, quality=95)

    page = phone_zh
    page.goto(f"/t/{site.slug}/login")
    page.locator("input[name=identifier]").fill(site.email("manager"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{site.slug}/$"))
    todo = page.locator("[data-todo='notices.answer'] a")
    assert "待回复的整改通知" in todo.inner_text()
    todo.click()
    page.wait_for_url(re.compile(r"/notices/\?"))
    _fits(page, "list")
    page.locator(f"a:text('{notice.serial}')").click()
    page.wait_for_url(re.compile(rf"/notices/{notice.id}$"))
    assert "大门把手有油污" in page.content()
    _fits(page, "notice")
    page.locator("a.button.primary", has_text="回复：已整改").click()
    page.wait_for_url(re.compile(rf"/notices/{notice.id}/answer$"))
    page.locator("textarea[name=note]").fill("已用去油剂清洁大门把手，并安排每餐后擦拭。")
    page.locator("input[name=file]").set_input_files(str(photo))
    page.locator("[data-photo-preview] img").wait_for()  # shrunk, previewed
    _fits(page, "answer")
    page.locator("button.answer-send").click()
    page.wait_for_url(re.compile(rf"/notices/{notice.id}$"))
    assert "整改回复已提交" in page.content()
    shown = page.locator(".photo-strip img")
    shown.wait_for()
    assert shown.evaluate("img => img.complete && img.naturalWidth > 0")
    _fits(page, "answered")
    with db.tenant(site.schema) as session:
        (kept,) = attachments.of(session, AttachmentOwner.NOTICE, [notice.id])[notice.id]
        assert kept.content_type == "image/jpeg" and max(kept.width, kept.height) == 2048
        assert kept.slot == "answer-1"
