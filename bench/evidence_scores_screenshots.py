"""Screenshots of inspections and their evidence in results, to look at: a canteen's result
rated by the month's inspections (the trace names each inspection), and a provider's result
lowered by failed inspection items and an overdue rectification notice (the trace names the
evidence), at desktop and phone widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/evidence_scores_screenshots.py

Files are named evidence-<language>-<device>-<page>.png.
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

from bench.screenshots import DEVICES, LANGUAGES, Shots, log_in, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.inspections.evidence import record_failures  # noqa: E402
from saas.inspections.findings import failed_items  # noqa: E402
from saas.ledger import service as ledger  # noqa: E402
from saas.models.cycle import CycleSubject  # noqa: E402
from saas.models.inspection import Inspection  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.user import Role, User  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from saas.schemes.templates import load_template  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.cycles.factory import assign  # noqa: E402
from tests.org.conftest import Org, add_user  # noqa: E402
from tests.runs.evidence_world import (  # noqa: E402
    CANTEEN,
    PROVIDER,
    World,
    add_cycle,
    add_inspection,
    add_notice,
    checklist,
    full_marks,
    publish,
)
from tests.runs.helpers import score_now  # noqa: E402

PASSWORD = "screenshot-password-1"
UTC = dt.UTC


def seed(db: Database, tenant: NewTenant) -> dict[str, str]:
    """Both cycles of August, inspected, ruled on and scored; the two result pages' paths."""
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system(tenant.admin_email))
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        actor = Actor.system(tenant.admin_email, user_id=admin.id)
        inspector = add_user(session, f"zhang@{tenant.slug}.example.cn", Role.INSPECTOR)
        inspector.name = "张三"
        world = World(
            Org(tenant, schema, ids),
            admin.id,
            inspector.id,
            checklist_id=publish(session, actor, checklist()),
            provider_id=publish(session, actor, load_template("outsourced_provider")),
        )
    full = full_marks(checklist())
    base = f"/t/{tenant.slug}/cycles"

    canteen_cycle = add_cycle(db, world, world.checklist_id, [CANTEEN, "KF"])
    for day, score, changes in (
        (3, "86", {"HY-1.4": "1", "HY-2.1": "2", "HY-5.2": "1"}),
        (17, "93", {"HY-1.4": "2", "HY-3.3": "n/a"}),
        (28, "97", {"HY-2.1": "3"}),
    ):
        add_inspection(
            db,
            world,
            CANTEEN,
            values={**full, **changes},
            done_at=dt.datetime(2026, 8, day, 3, 0, tzinfo=UTC),
            score=Decimal(score),
        )
    score_now(db, world)
    canteen = f"{base}/{canteen_cycle}/results/{world.subjects[CANTEEN]}"

    provider_cycle = add_cycle(db, world, world.provider_id, [PROVIDER], kind="provider")
    with db.tenant(schema) as session:
        assign(
            session,
            session.get(CycleSubject, world.subjects[PROVIDER]),
            "supervisor",
            user_id=admin.id,
            values={"quality": "36", "efficiency": "17", "attitude": "18", "improvement": "16"},
            submitted=True,
        )
    inspection = add_inspection(
        db, world, PROVIDER, values={**full, "HY-1.4": "1", "HY-7.2": False}, score=Decimal(73)
    )
    notice = add_notice(
        db, world, inspection, PROVIDER, serial="ZG-2026-000012", due=dt.date(2026, 8, 6)
    )
    with db.tenant(schema) as session:
        found = session.get(Inspection, inspection)
        record_failures(session, actor, found, checklist(), failed_items(checklist(), found.values))
        overdue = ledger.add_entry(
            session,
            actor,
            unit_id=ids[PROVIDER],
            on=dt.date(2026, 8, 7),
            event="notice_overdue",
            source="inspection",
        )
        overdue.notice_id, overdue.inspection_id = notice, inspection
    score_now(db, world)
    provider = f"{base}/{provider_cycle}/results/{world.subjects[PROVIDER]}"
    return {"canteen": canteen, "provider": provider}


def tour(browser, base_url, tenant, paths, language, device, out: Path) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    shots = Shots(page, out, f"evidence-{language}-{device}")
    log_in(page, tenant.slug, tenant.admin_email, language)
    for name, path in paths.items():
        page.goto(path)
        shots(name)
        shots(f"{name}-trace", element=page.locator("section.result-trace"))
    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shots.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=list(LANGUAGES), action="append")
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        name, admin = "某某物业服务有限公司", "hr@evidence-wy.example.cn"
        tenant = create_tenant(db, settings, "evidence-wy", name, admin, PASSWORD)
        paths = seed(db, tenant)
        with serve(create_app(settings)) as server, chromium() as browser:
            files = [
                path
                for language in args.language or list(LANGUAGES)
                for device in DEVICES
                for path in tour(browser, server.url, tenant, paths, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
