"""Screenshots of the audit logs (tenant and platform), the suspend confirmation, the import
preview and the phone menu, at desktop and phone widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/polish_screenshots.py

Files are named polish-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import (  # noqa: E402
    DEVICES,
    LANGUAGES,
    PASSWORD,
    PLATFORM_ADMIN,
    Shots,
    log_in,
    platform_log_in,
    scratch_kaohe,
)
from saas.platform.admins import create_platform_admin  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tests.audit.scenario import fill_the_log  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.imports.conftest import employees_sheet, person, unit, units_sheet, xlsx  # noqa: E402

SLUG = "harbour-grain"
ADMIN = "zhang.xiaoming@harbour-grain.example.cn"
# Two new canteens, a new cook, and a worker who moves, is promoted and goes on leave.
UPLOAD = xlsx(
    {
        "部门": units_sheet(
            unit("ST-01", "第一食堂", "HQ", "场所", "一线生产部门"),
            unit("ST-02", "第二食堂（东区）", "HQ", "场所", "一线生产部门"),
        ),
        "人员": employees_sheet(
            person(
                "E002", "李师傅", "ST-01", "厨师长", "班组长", "正式员工", "E001", status="休假"
            ),
            person("E003", "赵红梅", "ST-02", "面点师", None, "劳务派遣", "E002"),
        ),
    }
)


def seed(db, settings) -> None:
    create_tenant(db, settings, SLUG, "青岛港口粮食储运有限公司后勤服务中心", ADMIN, PASSWORD)
    fill_the_log(db, SLUG, ADMIN)
    create_tenant(db, settings, "city-canteen", "市民服务中心职工食堂", "admin@canteen.example.cn")
    with db.public() as session:
        create_platform_admin(session, PLATFORM_ADMIN, PASSWORD)


def tenant_pages(page, shot: Shots, language: str, device: str) -> None:
    log_in(page, SLUG, ADMIN, language)
    page.goto(f"/t/{SLUG}/audit/")
    shot("audit")
    page.goto(f"/t/{SLUG}/audit/?record_type=goal")
    shot("audit-goals")
    if device == "phone":
        page.goto(f"/t/{SLUG}/")
        shot("menu-closed", full_page=False)
        page.locator(".phone-menu summary").click()
        shot("menu-open", full_page=False)
    else:
        shot("topbar", full_page=False)
    page.goto(f"/t/{SLUG}/imports/")
    page.locator("input[type=file]").set_input_files(
        {"name": f"食堂-{language}-{device}.xlsx", "mimeType": "application/zip", "buffer": UPLOAD}
    )
    page.locator("#upload-button").click()
    page.locator("#import-batch").wait_for()
    shot("import-preview")


def platform_pages(page, shot: Shots, language: str) -> None:
    page.context.clear_cookies()
    page.goto("/platform/login")
    platform_log_in(page, language)
    page.goto("/platform/tenants/city-canteen/suspend")
    shot("suspend-confirm")
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shot("suspend-no-reason")
    page.locator("textarea[name=reason]").fill("合同到期未续签，客户要求暂停 / contract ended")
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/platform/$"))
    shot("tenants-suspended")
    page.locator("form[action$='/city-canteen/resume'] button").click()
    page.wait_for_url(re.compile(r"/platform/$"))
    shot("tenants-resumed")
    page.goto("/platform/audit/")
    shot("platform-audit")
    page.goto("/platform/tenants/new")
    page.locator("input[name=seat_limit]").fill("0")
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shot("seat-limit-0")


def tour(browser, base_url: str, language: str, device: str, out: Path) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(60_000)
    page = context.new_page()
    shot = Shots(page, out, f"polish-{language}-{device}")
    tenant_pages(page, shot, language, device)
    platform_pages(page, shot, language)
    context.close()
    return shot.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        seed(db, settings)
        app = create_app(settings)
        with serve(app) as server, chromium() as browser:
            files = [
                path
                for language in LANGUAGES
                for device in DEVICES
                for path in tour(browser, server.url, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
