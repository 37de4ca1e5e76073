"""Screenshots of the ledger's evidence and ways in: an entry with its photos and a scan, the
add form refusing a file, the Excel import naming its wrong cells, a unit's timeline, and an
employee's own ledger of a published period — in Chinese and English, on a desktop and a
phone.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/ledger_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, PASSWORD, Shots, log_in, scratch_kaohe  # noqa: E402
from saas.attachments import service as attachments  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.ledger import service as ledger  # noqa: E402
from saas.models.attachment import AttachmentOwner  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.user import Role, User, UserRole  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.people.levels import seed_reference_levels  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from saas.schemes import versions  # noqa: E402
from saas.schemes.templates import load_template  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.cycles.factory import add_subject, make_cycle  # noqa: E402
from tests.org.conftest import add_employee  # noqa: E402

EMPLOYEE_EMAIL = "zhangwei@wy.example.com"


def _photo(kind: str) -> bytes:
    """A stand-in for a phone photo: a banner, a corridor, a letter."""
    image = Image.new("RGB", (1600, 1200), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    if kind == "banner":
        draw.rectangle((300, 100, 1300, 1100), fill=(178, 34, 34), outline=(212, 175, 55), width=30)
        for y in range(250, 1000, 120):
            draw.rectangle((600, y, 1000, y + 60), fill=(212, 175, 55))
    elif kind == "corridor":
        for x in range(0, 1600, 8):
            shade = 90 + (x * 120) // 1600
            draw.line((x, 0, x, 1200), fill=(shade, shade, shade + 10))
        draw.polygon([(500, 1200), (1100, 1200), (850, 500), (750, 500)], fill=(160, 150, 130))
        draw.ellipse((900, 950, 1050, 1050), fill=(90, 70, 40))
    else:
        draw.rectangle((400, 80, 1200, 1150), fill=(255, 255, 255), outline=(200, 200, 200))
        for y in range(200, 1050, 50):
            draw.line((470, y, 1130 - (y % 150), y), fill=(60, 60, 60), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _scan() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>客户投诉函</h1><p>三号楼走廊地面有积水，未及时清理。</p>").write_pdf()


def seed(db, settings):
    tenant = create_tenant(
        db, settings, "ledger-shots", "某某物业服务有限公司", "admin@wy.example.com", PASSWORD
    )
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system("seed@example.com"))
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        admin.name = "人力资源部 周敏"
        actor = Actor.system(tenant.admin_email, user_id=admin.id)
        seed_reference_levels(session, actor)
        version = versions.create_scheme(
            session, actor, load_template("smile_functional"), template="smile_functional"
        )
        versions.publish(session, actor, version)
        gc = session.scalar(select(OrgUnit).where(OrgUnit.code == "GC"))
        zhang = add_employee(session, gc.id, "GC-001", "张伟")
        li = add_employee(session, gc.id, "GC-002", "李娜")
        user = User(email=EMPLOYEE_EMAIL, name="张伟")
        user.set_password(PASSWORD)
        user.roles = [UserRole(role=str(Role.EMPLOYEE))]
        session.add(user)
        session.flush()
        zhang.user_id = user.id
        cycle = make_cycle(session, version.id, period="2026-Q2", name="2026年第二季度考核")
        add_subject(session, cycle, zhang)
        add_subject(session, cycle, li)
        cycle.status = "published"

        def add(on, **fields):
            return ledger.add_entry(session, actor, on=dt.date(2026, *on), **fields)

        complaint = add(
            (5, 12),
            employee_id=zhang.id,
            event="customer_complaint",
            source="customer",
            note="业主来电反映三号楼走廊积水未清理，附现场照片及投诉函。",
        )
        for kind, name in (("corridor", "走廊积水.jpg"), ("banner", "现场2.jpg")):
            attachments.add(
                session, actor, AttachmentOwner.LEDGER_ENTRY, complaint.id, _photo(kind), name
            )
        attachments.add(
            session, actor, AttachmentOwner.LEDGER_ENTRY, complaint.id, _scan(), "客户投诉函.pdf"
        )
        praise = add((6, 3), employee_id=zhang.id, event="praise_letter", source="customer")
        attachments.add(
            session, actor, AttachmentOwner.LEDGER_ENTRY, praise.id, _photo("banner"), "锦旗.jpg"
        )
        add((4, 20), employee_id=zhang.id, label="协助夜间抢修", points=Decimal(2))
        add((5, 28), employee_id=li.id, event="praise_letter")
        team = add((6, 10), unit_id=gc.id, label="设备间卫生检查不合格", points=Decimal(-2))
        attachments.add(
            session, actor, AttachmentOwner.LEDGER_ENTRY, team.id, _photo("letter"), "检查记录.jpg"
        )
        add((5, 6), unit_id=gc.id, label="季度安全检查优秀", points=Decimal(3), source="inspection")
        withdrawn = add((5, 15), employee_id=zhang.id, event="company_complaint")
        ledger.withdraw(session, actor, withdrawn.id, "录入人员有误")
        return tenant, complaint.id, gc.id


def _bad_import() -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "实绩记录"
    sheet.append(
        ["工号", "部门编码", "日期", "事件", "事项（自由记录）", "分值（自由记录）", "罚款"]
    )
    sheet.append(["GC-001", None, "2026-06-02", "表扬信、锦旗等表扬或公司级表扬"])
    sheet.append(["GC-009", None, "2026-06-03", "表扬信、锦旗等表扬或公司级表扬"])
    sheet.append(["GC-002", None, "6月4日", "客户反馈平台上的客户投诉"])
    sheet.append([None, "GC", "2026-06-05", None, "库房整理", "很好"])
    sheet.append(["GC-001", None, "2026-06-06", None, None, None, -50])
    path = Path(tempfile.mkdtemp()) / "六月实绩.xlsx"
    book.save(path)
    return path


def _svg_named_jpg() -> Path:
    path = Path(tempfile.mkdtemp()) / "现场照片.jpg"
    path.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    return path


def tour(browser, base_url, tenant, ids, language, device, out) -> list[Path]:
    entry_id, unit_id = ids
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    page = context.new_page()
    shot = Shots(page, out, f"ledger-{language}-{device}")
    log_in(page, tenant.slug, tenant.admin_email, language)
    base = f"/t/{tenant.slug}/ledger"
    page.goto(f"{base}/entry/{entry_id}")
    page.wait_for_load_state("networkidle")
    shot("entry-with-photos")
    page.goto(f"{base}/new")
    page.locator("input[name=employee_number]").fill("GC-001")
    page.locator("select[name=event]").select_option("customer_praise")
    page.locator("input[name=file]").set_input_files(str(_svg_named_jpg()))
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shot("new-file-refused")
    page.goto(f"{base}/import")
    page.locator("input[name=file]").set_input_files(str(_bad_import()))
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shot("import-errors")
    page.goto(f"{base}/unit/{unit_id}?people=1")
    page.wait_for_load_state("networkidle")
    shot("unit-timeline")
    page.goto(f"{base}/?cycle=1")
    shot("list-by-cycle")
    log_in(page, tenant.slug, EMPLOYEE_EMAIL, language)
    page.goto(f"{base}/mine")
    shot("my-ledger")
    context.close()
    return shot.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant, entry_id, unit_id = seed(db, settings)
        app = create_app(settings)
        files: list[Path] = []
        with serve(app) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    files += tour(
                        browser,
                        server.url,
                        tenant,
                        (entry_id, unit_id),
                        language,
                        device,
                        args.out,
                    )
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
