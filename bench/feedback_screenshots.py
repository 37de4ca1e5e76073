"""Screenshots of customer feedback, to look at: the customer's form on a phone (390 px), the
thanks page with its reference and the status page, in Chinese and English; the links page of
a unit at desktop and phone widths, with a link just made; and the printed cards and table
tent, rendered to PNG with pdftoppm.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored) or --out:

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/feedback_screenshots.py [--out DIR]

Files are named feedback-<language>-<device>-<page>.png and feedback-pdf-<n>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.screenshots import (  # noqa: E402
    DEVICES,
    LANGUAGES,
    PASSWORD,
    Shots,
    choose_language,
    log_in,
    scratch_kaohe,
)
from saas.auth.permissions import Actor  # noqa: E402
from saas.feedback import intake, tokens  # noqa: E402
from saas.feedback.cards import print_cards  # noqa: E402
from saas.feedback.guard import Policy  # noqa: E402
from saas.ledger import service as ledger  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.user import Role, User  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.people.levels import seed_reference_levels  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from saas.schemes import versions  # noqa: E402
from saas.schemes.templates import load_template  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.org.conftest import add_user  # noqa: E402
from workers.runtime import tenant_context  # noqa: E402

SLUG = "feedback-shots"
ADMIN = "admin@feedback-shots.example.cn"
STAFF = (
    ("KF-01", "张晓梅", "客服专员"),
    ("KF-02", "李建国", "值班经理"),
    ("KF-03", "王芳", "客服专员"),
    ("KF-04", "欧阳文博", "报修受理员"),
    ("KF-05", "陈静", None),
    ("KF-06", "刘洋", "客服专员"),
    ("KF-07", "赵丽娜", "前台接待"),
    ("KF-08", "孙浩", "客服专员"),
    ("KF-09", "周婷", "客服专员"),
    ("KF-10", "吴磊", "投诉专员"),
    ("KF-11", "郑爽", "客服专员"),
)


def seed(db, settings) -> dict:
    create_tenant(db, settings, SLUG, "某某物业服务有限公司", ADMIN, PASSWORD)
    system = Actor.system("bench")
    with db.tenant(schema_for(SLUG)) as session:
        seed_example_org(session, system)
        seed_reference_levels(session, system)
        admin_id = session.scalar(select(User.id).where(User.email == ADMIN))
        as_admin = Actor.system(ADMIN, user_id=admin_id)
        version = versions.create_scheme(
            session, as_admin, load_template("smile_frontline"), template="smile_frontline"
        )
        versions.publish(session, as_admin, version)
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "KF"))
        people = []
        for number, name, post in STAFF:
            person = Employee(number=number, name=name, unit_id=unit.id, position=post)
            session.add(person)
            people.append(person)
        session.flush()
        unit.manager_id = people[1].id
        add_user(session, "li.jianguo@feedback-shots.example.cn", Role.MANAGER, employee=people[1])
        # 张晓梅's badge is the one the customer scans; two more have links, one was revoked.
        first, token = tokens.add_link(
            session, "bench", None, employee_id=people[0].id, unit_id=unit.id
        )
        for person in people[1:3]:
            tokens.add_link(session, "bench", None, employee_id=person.id, unit_id=unit.id)
        gone, _ = tokens.add_link(session, "bench", None, employee_id=people[3].id, unit_id=unit.id)
        tokens.revoke_link(session, "bench", None, gone)
        # A handled piece of feedback, for the status page.
        handled = intake.submit(
            session,
            first.id,
            intake.read("praise", "attitude", "帮我查快递很耐心，谢谢！", None),
            client_hash="0" * 64,
            today=dt.date.today(),
            locale="zh_CN",
        )
        ledger.decide(session, system, handled.ledger_entry_id, "valid", "核实属实")
        return {"unit": unit.id, "token": token, "handled": handled.reference}


def public_tour(page, shot: Shots, seeded: dict, language: str) -> None:
    page.goto(f"/t/{SLUG}/feedback/{seeded['token']}")
    choose_language(page, language)
    shot("form")
    page.locator("label.fb-praise").tap()
    page.locator("label.fb-chip").nth(1).tap()
    page.locator("textarea[name=text]").fill(
        "报修后半小时就上门了，师傅很专业，还提醒了注意事项。"
        if language == "zh_CN"
        else "The repair came within half an hour; friendly and careful."
    )
    shot("form-filled")
    page.locator("button.fb-send").tap()
    page.wait_for_url("**/feedback/status/**")
    shot("thanks")
    page.goto(f"/t/{SLUG}/feedback/status/{seeded['handled']}")
    shot("status")
    page.goto(f"/t/{SLUG}/feedback/status/FK-2345678923")
    shot("status-unknown")


def links_tour(page, shot: Shots, seeded: dict, language: str) -> None:
    log_in(page, SLUG, ADMIN, language)
    page.goto(f"/t/{SLUG}/feedback/links/")
    shot("units")
    page.goto(f"/t/{SLUG}/feedback/links/unit/{seeded['unit']}")
    shot("unit")
    page.locator("form[action$='/make'] button").first.click()
    page.wait_for_load_state()
    shot("unit-made")


def pdf_pages(settings, seeded: dict, out: Path) -> list[Path]:
    ctx = tenant_context(SLUG, settings)
    with ctx.db.tenant(ctx.schema) as session:
        keys = ["unit", *map(str, session.scalars(select(Employee.id).order_by(Employee.number)))]
        printed = print_cards(
            session, ctx.tenant, settings.base_url, seeded["unit"], 1, keys, lambda *a: None
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.pdf"
        path.write_bytes(printed.pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(out / "feedback-pdf")])
    files = sorted(out.glob("feedback-pdf-*.png"))
    for file in files:
        print(file)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        seeded = seed(db, settings)
        app = create_app(settings)
        app.config["KAOHE_FEEDBACK_POLICY"] = replace(Policy(), min_fill=0)
        files: list[Path] = []
        with serve(app) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    context = browser.new_context(
                        base_url=server.url, locale=LANGUAGES[language], **DEVICES[device]
                    )
                    page = context.new_page()
                    shot = Shots(page, args.out, f"feedback-{language}-{device}")
                    if device == "phone":
                        public_tour(page, shot, seeded, language)
                        page.context.clear_cookies()
                    links_tour(page, shot, seeded, language)
                    files += shot.files
                    context.close()
        files += pdf_pages(settings, seeded, args.out)
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
