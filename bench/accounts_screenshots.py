"""Screenshots of the accounts pages and the audit log, to look at: the users page (roles
open), the invite form (empty and refused), the one-time link, the welcome page (and its
errors), an invalid link, "forgot password", and the audit log (all and filtered), at
desktop and phone widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/accounts_screenshots.py

Files are named accounts-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import DEVICES, LANGUAGES, choose_language, scratch_kaohe  # noqa: E402
from saas.accounts.users import (  # noqa: E402
    Invitation,
    invite,
    issue_link,
    set_enabled,
    set_roles,
)
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.audit import AuditEntry  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.tokens import TokenPurpose  # noqa: E402
from saas.models.user import User  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database, utcnow  # noqa: E402
from tenants.registry import find_tenant  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402

PASSWORD = "screenshot-password-1"
LINK = re.compile(r"/t/[a-z0-9-]+/accounts/welcome/[A-Za-z0-9_-]{43}")

PEOPLE = [
    ("李建国", "li.jianguo", ["committee"], "active"),
    ("王芳", "wang.fang", ["manager", "employee"], "active"),
    ("张伟", "zhang.wei", ["inspector"], "active"),
    ("刘洋", "liu.yang", ["employee"], "active"),
    ("陈静", "chen.jing", ["manager", "inspector", "employee"], "active"),
    ("欧阳志强", "ouyang.zhiqiang", ["employee"], "invited"),
    ("Emily Carter", "emily.carter", ["committee", "inspector"], "invited"),
    ("赵磊", "zhao.lei", ["employee"], "disabled"),
]


def seed(db: Database, settings) -> NewTenant:
    main = create_tenant(
        db,
        settings,
        "harbour-grain",
        "青岛港口粮食储运有限公司后勤服务中心",
        "zhang.xiaoming@harbour-grain.example.cn",
        PASSWORD,
        seat_limit=12,
    )
    with db.public() as public:
        tenant = find_tenant(public, main.slug)
    with db.tenant(schema_for(main.slug)) as session:
        admin = session.query(User).filter_by(email=main.admin_email).one()
        admin.name = "张晓明"
        admin.last_login_at = utcnow() - dt.timedelta(days=1)
        actor = Actor.system(main.admin_email, user_id=admin.id)
        _seed_people(session, actor, tenant)
        _seed_history(session)
    return main


def _seed_people(session, actor: Actor, tenant) -> None:
    unit = OrgUnit(code="HQ", name="后勤服务中心", kind="company", path="")
    session.add(unit)
    session.flush()
    unit.path = f"{unit.id}/"
    for number, (name, handle, roles, status) in enumerate(PEOPLE, start=1):
        employee = Employee(number=f"HG-{number:04d}", name=name, unit_id=unit.id, initials="")
        session.add(employee)
        session.flush()
        email = f"{handle}@harbour-grain.example.cn"
        user = invite(session, actor, tenant, Invitation(email, name, roles, employee.number, None))
        if status != "invited":
            user.password_hash = "set-by-the-person"
            user.last_login_at = utcnow() - dt.timedelta(hours=3 * number)
        if status == "disabled":
            set_enabled(session, actor, tenant, user.id, False)
        if name == "欧阳志强":
            issue_link(session, actor, user, TokenPurpose.INVITE, by_mail=False)
        if name == "刘洋":
            set_roles(session, actor, tenant, user.id, ["inspector", "employee"])


def _seed_history(session) -> None:
    """Entries other areas write, so the log shows more than accounts."""
    start = utcnow() - dt.timedelta(days=3)
    entries = [
        ("unit.created", "org_unit", "3", None, {"name": "仓储部", "category": "一线生产部门"}),
        ("unit.renamed", "org_unit", "3", {"name": "仓储部"}, {"name": "仓储物流部"}),
        (
            "employee.updated",
            "employee",
            "12",
            {"position": "保管员", "status": "active", "unit": "仓储部"},
            {"position": "班组长", "status": "active", "unit": "仓储物流部"},
        ),
        ("employee.deleted", "employee", "27", {"name": "孙丽", "number": "HG-0027"}, None),
    ]
    for minutes, (action, kind, rid, before, after) in enumerate(entries):
        session.add(
            AuditEntry(
                at=start + dt.timedelta(minutes=37 * minutes),
                actor="hr.office@harbour-grain.example.cn",
                action=action,
                record_type=kind,
                record_id=rid,
                before=before,
                after=after,
            )
        )


class Shooter:
    def __init__(self, page, out: Path, prefix: str) -> None:
        self.page, self.out, self.prefix = page, out, prefix
        self.files: list[Path] = []

    def shot(self, name: str) -> None:
        path = self.out / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.files.append(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def tour(browser, base_url: str, tenant: NewTenant, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    shooter = Shooter(page, out, f"accounts-{language}-{device}")

    page.goto(f"/t/{tenant.slug}/login")
    choose_language(page, language)
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(rf"/t/{tenant.slug}/$"))
    choose_language(page, language)

    page.goto(f"/t/{tenant.slug}/accounts/")
    shooter.shot("users")
    page.locator("tr.account-row").nth(2).locator("summary").click()
    shooter.shot("users-roles-open")

    page.goto(f"/t/{tenant.slug}/accounts/invite")
    shooter.shot("invite")
    page.locator("input[name=email]").fill("not an address")
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shooter.shot("invite-errors")
    handle = f"{device}.{language.lower()}.{secrets.token_hex(2)}"
    page.locator("input[name=email]").fill(f"{handle}@harbour-grain.example.cn")
    page.locator("input[name=name]").fill("孙悦")
    page.locator("input[name=roles][value=employee]").check()
    page.locator("input[name=roles][value=inspector]").check()
    page.locator("form button.primary").click()
    page.locator(".one-time-link").wait_for()
    shooter.shot("link-issued")
    link = LINK.search(page.locator(".one-time-link").inner_text())[0]

    visitor = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    guest = visitor.new_page()
    guest.goto(f"/t/{tenant.slug}/login")
    choose_language(guest, language)
    guest.goto(link)
    welcome = Shooter(guest, out, shooter.prefix)
    welcome.shot("welcome")
    guest.locator("input[name=password]").fill("short")
    guest.locator("input[name=confirm]").fill("different")
    guest.locator("form button.primary").click()
    guest.wait_for_load_state()
    welcome.shot("welcome-errors")
    guest.goto(link.replace("/welcome/", "/welcome/x"))
    welcome.shot("link-invalid")
    guest.goto(f"/t/{tenant.slug}/accounts/forgot")
    welcome.shot("forgot")
    visitor.close()

    page.goto(f"/t/{tenant.slug}/audit/")
    shooter.shot("audit")
    page.goto(f"/t/{tenant.slug}/audit/?record_type=user&record_id=4")
    shooter.shot("audit-record")

    context.close()
    return shooter.files + welcome.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant = seed(db, settings)
        app = create_app(settings)
        with serve(app) as server, chromium() as browser:
            files = [
                path
                for language in LANGUAGES
                for device in DEVICES
                for path in tour(browser, server.url, tenant, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
