"""Screenshots of a cycle's results, to look at: the table with the score distribution (all,
and filtered), and two subjects' results with their traces, at desktop and phone widths, in
Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/results_screenshots.py

Files are named results-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, choose_language, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.cycles.factory import add_subject, make_cycle  # noqa: E402
from tests.org.conftest import add_employee  # noqa: E402
from tests.results.scored import (  # noqa: E402
    cohort_inputs,
    plain_input,
    publish_scheme,
    rich_scheme,
    score_and_store,
)

PASSWORD = "screenshot-password-1"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "涛", "明", "超", "霞", "平", "刚", "建华", "玉梅", "志强", "海燕"]  # fmt: skip


def seed(db: Database, tenant: NewTenant) -> dict[str, int]:
    """The example organisation; a cycle of the all-steps scheme with its twelve subjects
    and 80 more, scored once."""
    rng = random.Random(20261012)
    with db.tenant(schema_for(tenant.slug)) as session:
        seed_example_org(session, Actor.system(tenant.admin_email))
        units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        codes = ["GC", "GC-SD", "GC-KT", "KF", "BJ", "ZX", "ZH-XZ", "CW"]
        scheme = rich_scheme()
        version_id = publish_scheme(session, scheme, tenant.admin_email)
        cycle = make_cycle(session, version_id, status="review", name="2026年第三季度微笑服务考核")
        subjects = []
        for n in range(92):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            person = add_employee(session, units[codes[n % len(codes)]], f"WY{n + 1:04d}", name)
            subjects.append(add_subject(session, cycle, person))
        keys = [str(s.id) for s in subjects]
        inputs = cohort_inputs(keys[:12]) + [
            plain_input(key, Decimal(rng.triangular(58, 100, 86)).quantize(Decimal("0.1")))
            for key in keys[12:]
        ]
        score_and_store(session, cycle, scheme, subjects, inputs)
        return {
            "cycle": cycle.id,
            "capped": subjects[0].id,
            "tally": subjects[6].id,
            "gc": units["GC"],
        }


def tour(browser, base_url, tenant, ids, language, device, out: Path) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    files: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"results-{language}-{device}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        files.append(path)
        print(path.name, "OVERFLOWS SIDEWAYS" if wide else "")

    page.goto(f"/t/{tenant.slug}/login")
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"**/t/{tenant.slug}/")
    choose_language(page, language)
    results = f"/t/{tenant.slug}/cycles/{ids['cycle']}/results"
    page.goto(results)
    shot("table")
    page.locator("select[name=unit]").select_option(str(ids["gc"]))
    page.wait_for_url("**unit=**")
    page.locator("#results").wait_for()
    shot("table-unit")
    page.goto(f"{results}/{ids['capped']}")
    shot("subject-capped")
    page.goto(f"{results}/{ids['tally']}")
    shot("subject-disqualified")
    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return files


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
