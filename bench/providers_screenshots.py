"""Screenshots of the providers pages, to look at: the list, a provider's page with its grades
and what is payable, the contract form, and the contact's home page, at desktop and phone
widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/providers_screenshots.py

Files are named providers-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.screenshots import (  # noqa: E402
    DEVICES,
    LANGUAGES,
    Shots,
    log_in,
    scratch_kaohe,
)
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.provider import ProviderContract  # noqa: E402
from saas.models.user import Role, User, UserRole  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from saas.schemes import versions  # noqa: E402
from saas.schemes.templates import load_template  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.providers.conftest import TIERS, grade  # noqa: E402

PASSWORD = "screenshot-password-1"
CONTACT = "zhang.wei@baoan.example.cn"


def _months_back(today: dt.date, count: int) -> list[str]:
    index = today.year * 12 + today.month - 1
    return [f"{(index - n) // 12}-{(index - n) % 12 + 1:02d}" for n in range(count, 0, -1)]


def seed(db: Database, tenant: NewTenant) -> dict[str, int]:
    """The example organisation, the provider scheme, contracts for two providers (one ending
    within the month), a contact, and five graded months, the last still in review."""
    today = dt.date.today()
    with db.tenant(schema_for(tenant.slug)) as session:
        seed_example_org(session, Actor.system(tenant.admin_email))
        units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        system = Actor.system(tenant.admin_email, user_id=admin.id)
        version = versions.create_scheme(
            session, system, load_template("outsourced_provider"), template="outsourced_provider"
        )
        versions.publish(session, system, version)
        contact = User(email=CONTACT, name="张伟", locale=None)
        contact.set_password(PASSWORD)
        contact.roles = [UserRole(role=Role.PROVIDER)]
        session.add(contact)
        session.flush()
        year = today.year
        session.add_all(
            [
                ProviderContract(
                    unit_id=units["WB-BA"],
                    company="某某保安服务有限公司",
                    contact_user_id=contact.id,
                    starts_on=dt.date(year - 1, 1, 1),
                    ends_on=dt.date(year - 1, 12, 31),
                    monthly_fee=Decimal("18000"),
                    tiers=TIERS,
                ),
                ProviderContract(
                    unit_id=units["WB-BA"],
                    company="某某保安服务有限公司",
                    contact_user_id=contact.id,
                    starts_on=dt.date(year, 1, 1),
                    ends_on=dt.date(year, 12, 31),
                    monthly_fee=Decimal("20000"),
                    tiers=[*TIERS[:2], {"band": "合格", "share": "92.5"}, TIERS[3]],
                    note="含夜间巡逻两人；节假日加班另计。",
                ),
                ProviderContract(
                    unit_id=units["WB-DT"],
                    company="某某电梯维保工程有限公司",
                    starts_on=today - dt.timedelta(days=340),
                    ends_on=today + dt.timedelta(days=20),
                    monthly_fee=Decimal("8600.50"),
                    tiers=TIERS,
                ),
            ]
        )
        results = (("优秀", "93.5"), ("合格", "71.25"), ("良好", "86"), ("不合格", "55"))
        months = _months_back(today, 5)
        for period, (band, final) in zip(months, results, strict=False):
            grade(session, version.id, units["WB-BA"], period, band, final)
            grade(session, version.id, units["WB-DT"], period, "良好", "84")
        grade(session, version.id, units["WB-BA"], months[-1], "优秀", "95", status="review")
        return {"provider": units["WB-BA"]}


def tour(browser, base_url, tenant, ids, language, device, out: Path) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    shots = Shots(page, out, f"providers-{language}-{device}")
    slug, provider = tenant.slug, ids["provider"]
    log_in(page, slug, tenant.admin_email, language)
    page.goto(f"/t/{slug}/providers/")
    shots("list")
    page.goto(f"/t/{slug}/providers/{provider}")
    shots("provider")
    page.goto(f"/t/{slug}/providers/{provider}/contracts/new")
    shots("contract-form")
    page.locator("input[name=monthly_fee]").fill("-5")
    page.locator("input[name=share]").first.fill("120")
    page.locator("form button.primary").click()
    shots("contract-form-errors")
    log_in(page, slug, CONTACT, language)
    shots("contact-home")
    page.goto(f"/t/{slug}/providers/{provider}")
    shots("contact-provider")
    context.close()
    return shots.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=list(LANGUAGES), action="append")
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant = create_tenant(
            db, settings, "smile-wy", "某某物业服务有限公司", "hr@smile-wy.example.cn", PASSWORD
        )
        ids = seed(db, tenant)
        with serve(create_app(settings)) as server, chromium() as browser:
            files = [
                path
                for language in args.language or list(LANGUAGES)
                for device in DEVICES
                for path in tour(browser, server.url, tenant, ids, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
