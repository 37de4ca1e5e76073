"""Screenshots of accounts for front-line staff, to look at: the login page, the people list
with people chosen, the result of "Create accounts" and its sheet, the printed sheet (PDF,
also as PNG pages), a person's set-up page opened from a QR code on the sheet, and the
start page it lands on, at desktop and phone widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, runs a real
worker to print the sheet, drives Debian's Chromium, and writes to screenshots/:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/frontline_screenshots.py

Files are named frontline-<language>-<device>-<page>.png; the sheet is
frontline-<language>-sheet.pdf and frontline-<language>-sheet-<page>.png.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import (  # noqa: E402
    DEVICES,
    LANGUAGES,
    Shots,
    choose_language,
    scratch_kaohe,
    worker,
)
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.people.names import pinyin_initials  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402

PASSWORD = "screenshot-password-1"
CANTEEN = [
    ("张三丰", "13800138001", None),
    ("李秀英", None, None),
    ("王建华", "13912345678", None),
    ("刘桂兰", None, None),
    ("欧阳志强", "15800001234", None),
    ("陈小红", None, "chen.xh@canteen.example.cn"),
    ("赵德胜", None, None),
    ("孙丽娟", "18611112222", None),
    ("周国平", None, None),
]
CLEANING = [("吴秀梅", None, None), ("郑大力", "13700000001", None)]


def _unit(session, name: str, parent: OrgUnit | None, kind: str) -> OrgUnit:
    unit = OrgUnit(code=name, name=name, kind=kind, parent_id=parent.id if parent else None)
    unit.path = ""
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else ''}{unit.id}/"
    return unit


def seed(db: Database, settings, slug: str) -> NewTenant:
    tenant = create_tenant(
        db, settings, slug, "市民服务中心后勤保障部", f"admin@{slug}.example.cn", PASSWORD
    )
    with db.tenant(schema_for(tenant.slug)) as session:
        root = _unit(session, "后勤保障部", None, "company")
        for unit_name, people, prefix in (
            ("职工食堂", CANTEEN, "ST"),
            ("保洁班组", CLEANING, "BJ"),
        ):
            unit = _unit(session, unit_name, root, "team")
            for number, (name, mobile, email) in enumerate(people, start=1):
                session.add(
                    Employee(
                        number=f"{prefix}{number:03d}",
                        name=name,
                        initials=pinyin_initials(name),
                        unit_id=unit.id,
                        position="厨师" if prefix == "ST" else "保洁员",
                        employment_form="劳务派遣",
                        mobile=mobile,
                        email=email,
                    )
                )
    return tenant


def qr_links(pdf: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), f"{stem}-scan"], check=True)
    links = []
    for image in sorted(pdf.parent.glob(f"{stem.name}-scan-*.png")):
        links += [code.text for code in zxingcpp.read_barcodes(Image.open(image))]
        image.unlink()
    return links


def tour(browser, base_url: str, tenant: NewTenant, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(60_000)
    page = context.new_page()
    shots = Shots(page, out, f"frontline-{language}-{device}")

    page.goto(f"/t/{tenant.slug}/login")
    choose_language(page, language)
    shots("login")
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(rf"/t/{tenant.slug}/$"))

    page.goto(f"/t/{tenant.slug}/people/")
    page.locator("select[name=unit]").select_option(label="\u3000职工食堂")
    page.wait_for_url(re.compile(r"unit=\d+"))
    page.locator("input[name=employee]").nth(0).check()
    page.locator("input[name=employee]").nth(2).check()
    shots("people-selection")
    page.locator("input[data-select-unit]").check()
    shots("people-select-unit")
    page.locator("#people-select button[type=submit]").click()
    page.wait_for_load_state()
    shots("accounts-created")
    page.locator(".sheet-status a.button.primary").wait_for(timeout=120_000)
    shots("accounts-sheet-ready")
    pdf_url = page.locator(".sheet-status a.button.primary").get_attribute("href")
    pdf = out / f"frontline-{language}-{device}-sheet.pdf"
    pdf.write_bytes(context.request.get(pdf_url).body())
    if device == "desktop":
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(out / f"frontline-{language}-sheet")],
            check=True,
        )
    link = urlsplit(qr_links(pdf)[0]).path

    profile = page.locator("a", has_text="吴秀梅")
    page.goto(f"/t/{tenant.slug}/people/?q=吴秀梅")
    profile.first.click()
    page.wait_for_load_state()
    shots("profile-create-account")

    visitor = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    guest = visitor.new_page()
    guest_shots = Shots(guest, out, shots.prefix)
    guest.goto(f"/t/{tenant.slug}/login")
    choose_language(guest, language)
    guest.goto(link)
    guest_shots("setup")
    guest.locator("input[name=password]").fill("short")
    guest.locator("input[name=confirm]").fill("other")
    guest.locator("form button.primary").click()
    guest.wait_for_load_state()
    guest_shots("setup-errors")
    guest.locator("input[name=password]").fill(PASSWORD)
    guest.locator("input[name=confirm]").fill(PASSWORD)
    guest.locator("form button.primary").click()
    guest.wait_for_url(re.compile(rf"/t/{tenant.slug}/$"))
    guest_shots("after-setup")
    # Next time: log in with the employee number.
    guest.locator("form[action$='/logout'] button").click()
    guest.wait_for_load_state()
    guest.locator("input[name=identifier]").fill("st001")
    guest.locator("input[name=password]").fill(PASSWORD)
    guest_shots("login-with-number")
    guest.locator("form button.primary").click()
    guest.wait_for_url(re.compile(rf"/t/{tenant.slug}/$"))
    visitor.close()
    page.goto(f"/t/{tenant.slug}/people/?q=ST001")
    page.locator("td.name a").first.click()
    page.wait_for_load_state()
    shots("profile-with-account")
    context.close()
    return shots.files + guest_shots.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db), worker(settings):
        app = create_app(settings)
        files = []
        with serve(app) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    slug = f"canteen-{language.lower().replace('_', '')}-{device}"
                    tenant = seed(db, settings, slug)
                    files += tour(browser, server.url, tenant, language, device, args.out)
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
