"""An inspection carried out on a phone (390 px, Chinese, one thumb): from the home page's
to-do to a finished inspection, every item tapped and saved as it goes, a photo taken, a note
written, both signatures drawn with the pointer, nothing wider than the screen.
bench/inspection_screenshots.py photographs the same pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from saas.models.attachment import Attachment
from saas.models.inspection import Inspection
from tests.browser.conftest import (  # noqa: F401  the browser fixtures
    PHONE,
    browser,
    live_server,
    watched_page,
)
from tests.inspections.conftest import make_site, photo_bytes, plan
from tests.org.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Full marks, tapped: the choice each item's thumb presses.
TAPS = {
    "EN-02": "10",
    "EN-07": "10",
    "EN-08": "yes",
    "EN-06": "优",
    "EN-05": "优",
    "EN-01": "5",
    "EN-11": "yes",
    "EN-12": "yes",
    "EN-03": "yes",
    "OS-09": "yes",
    "OS-01": "yes",
    "OS-05": "no",
}


@pytest.fixture
def phone_zh(browser, live_server):  # noqa: F811
    yield from watched_page(browser, live_server, locale="zh-CN", **PHONE)


def log_in(page, site, who: str) -> None:
    page.goto(f"/t/{site.slug}/login")
    page.locator("input[name=identifier]").fill(site.email(who))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(site.slug)}/$"))


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def tap(page, key: str, value: str) -> None:
    page.locator(f"#item-{key} .choice:has(input[value='{value}'])").click()
    page.locator(f"#item-{key} .item-saved").wait_for()


def sign(page, box: int, wiggle: int) -> None:
    """Draw a signature in the box-th canvas with the mouse (pointer events)."""
    canvas = page.locator("canvas.sig-canvas").nth(box)
    canvas.scroll_into_view_if_needed()
    area = canvas.bounding_box()
    x, y = area["x"] + 20, area["y"] + area["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 24):
        page.mouse.move(x + step * 12, y + (wiggle if step % 2 else -wiggle), steps=3)
    page.mouse.up()


def test_an_inspector_runs_an_inspection_on_a_phone(phone_zh, db, make_tenant):
    page = phone_zh
    site = make_site(db, lambda **kw: make_tenant(**{**kw, "locale": "zh_CN"}))
    import datetime as dt

    inspection_id = plan(db, site, on=dt.date.today(), method="spot_check", unannounced=True)
    log_in(page, site, "inspector")
    page.get_by_role("link", name=re.compile("待检查")).click()
    page.locator(".insp-list a", has_text=dt.date.today().isoformat()).click()
    page.get_by_role("link", name="开始检查").click()
    page.wait_for_url(re.compile(rf"/inspections/{inspection_id}/run$"))
    expect(page.locator("#insp-progress")).to_contain_text("0/14")
    fits(page)
    for key, value in TAPS.items():
        tap(page, key, value)
    tap(page, "FS-18", "n/a")
    page.locator("#item-EN-09 [data-step='1']").click()  # found once: 10 − 2
    expect(page.locator("#f-EN-09")).to_have_value("1")
    page.locator("#item-EN-09 .item-saved").wait_for()
    expect(page.locator("#insp-progress")).to_contain_text("14/14")
    # A note, and a photo taken of the failed item.
    page.locator("#item-OS-05 details summary").click()
    page.locator("#item-OS-05 textarea").fill("公告栏未公布投诉电话")
    page.locator("#item-OS-05 textarea").press("Tab")
    page.locator("#item-OS-05 .item-saved").wait_for()
    page.locator("#item-OS-05 input[type=file]").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("lightgray")}
    )
    page.locator("#photos-OS-05 img").wait_for()
    page.locator("#photos-OS-05 .photo-remove").click()  # the wrong one: taken again
    expect(page.locator("#photos-OS-05 img")).to_have_count(0)
    page.locator("#item-OS-05 input[type=file]").set_input_files(
        {"name": "现场2.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("white")}
    )
    expect(page.locator("#photos-OS-05 img")).to_have_count(1)
    fits(page)
    page.locator("#insp-progress a", has_text="签字").click()
    page.wait_for_url(re.compile(rf"/inspections/{inspection_id}/sign$"))
    expect(page.locator("body")).to_contain_text("全部 14 项已评")
    sign(page, 0, 18)
    page.locator("input[name=onsite_name]").fill("王保洁")
    sign(page, 1, 25)
    fits(page)
    page.get_by_role("button", name="完成检查").click()
    page.wait_for_url(re.compile(rf"/inspections/{inspection_id}$"))
    expect(page.locator(".insp-score")).to_contain_text("92.63")  # 88 × 100 ÷ 95
    expect(page.locator(".insp-signed img")).to_have_count(2)
    fits(page)
    with db.tenant(site.schema) as session:
        done = session.get(Inspection, inspection_id)
        assert done.status == "done" and done.score is not None
        assert done.values["FS-18"] == "n/a" and done.values["OS-05"] is False
        assert done.notes["OS-05"] == "公告栏未公布投诉电话"
        assert done.onsite_name == "王保洁"
        photos = session.scalars(
            select(Attachment.slot).where(Attachment.owner_id == inspection_id)
        ).all()
        assert photos == ["OS-05"]
