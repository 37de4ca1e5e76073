"""Screenshots of a cycle's runs page: a run under way with its progress bar, then finished
with what changed since the run before, in Chinese and English, on a desktop and a phone.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database; the run under way is a queued job no worker takes, its progress set by hand.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/runs_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, PASSWORD, Shots, log_in, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.cycle import RatingSheet  # noqa: E402
from saas.models.user import User  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from saas.runs import service  # noqa: E402
from saas.schemes import versions  # noqa: E402
from saas.scoring.checks import parse  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.cycles.factory import add_subject, assign, make_cycle  # noqa: E402
from tests.org.conftest import add_employee  # noqa: E402
from tests.runs.conftest import SCHEME, values  # noqa: E402
from workers.enqueue import SCORING_RUN, enqueue  # noqa: E402
from workers.jobs.scoring import _run  # noqa: E402

NAMES = (
    "王建国", "李娜", "张伟", "刘洋", "陈静", "杨帆",
    "赵磊", "黄敏", "周杰", "吴婷", "徐鹏", "孙丽",
)  # fmt: skip


def seed(db, settings):
    tenant = create_tenant(db, settings, "runs-shots", "某某物业", "admin@wy.example.com", PASSWORD)
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system("seed@example.com"))
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        admin.name = "人力资源部 周敏"
        actor = Actor.system(tenant.admin_email, user_id=admin.id)
        scheme, _issues = parse(SCHEME)
        version = versions.create_scheme(session, actor, scheme)
        versions.publish(session, actor, version)
        cycle = make_cycle(
            session, version.id, status="scoring", name="工程维修部 2026年第三季度考核"
        )
        from saas.models.org import OrgUnit

        unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "GC"))
        boss = add_employee(session, unit, "GC-000", "部门经理")
        staff = [
            add_employee(session, unit, f"GC-{n:03d}", name) for n, name in enumerate(NAMES, 1)
        ]
        for n, person in enumerate(staff):
            subject = add_subject(session, cycle, person)
            assign(session, subject, "supervisor", employee=boss, values=values(n), submitted=True)
            peer = staff[(n + 1) % len(staff)]
            assign(session, subject, "peer", employee=peer, values=values(n + 2), submitted=True)
        return tenant, schema, cycle.id, admin.id, actor


def run_now(db, schema, cycle_id, actor) -> int:
    with db.tenant(schema) as session:
        run_id = service.start_run(session, actor, cycle_id).id
    with db.tenant_session(schema) as session:
        _run(session, cycle_id, run_id)
    return run_id


def tour(browser, base_url, tenant, url, language, device, out, state) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    page = context.new_page()
    shot = Shots(page, out, f"runs-{language}-{device}")
    log_in(page, tenant.slug, tenant.admin_email, language)
    page.goto(url)
    shot(state)
    context.close()
    return shot.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant, schema, cycle_id, admin_id, actor = seed(db, settings)
        run_now(db, schema, cycle_id, actor)
        run_now(db, schema, cycle_id, actor)
        with db.tenant(schema) as session:  # one sheet reopened, as an admin would
            sheet = session.scalars(select(RatingSheet).order_by(RatingSheet.id)).first()
            sheet.status, sheet.submitted_at, sheet.reopened_because = "draft", None, "分数填错"
        with db.tenant(schema) as session:
            running = service.start_run(session, actor, cycle_id)
            run_id = running.id
        job = enqueue(
            SCORING_RUN,
            tenant.slug,
            cycle_id,
            run_id,
            admin_id,
            key=(cycle_id, run_id),
            user_id=admin_id,
            settings=settings,
        )
        job.meta.update(progress=42, stage="scoring")
        job.save_meta()
        with db.tenant(schema) as session:
            service.attach_job(session, session.get(type(running), run_id), job.id)
        app = create_app(settings)
        url = f"/t/{tenant.slug}/cycles/{cycle_id}/runs"
        files: list[Path] = []
        with serve(app) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    files += tour(
                        browser, server.url, tenant, url, language, device, args.out, "progress"
                    )
            with db.tenant_session(schema) as session:
                _run(session, cycle_id, run_id)
            job.delete()
            for language in LANGUAGES:
                for device in DEVICES:
                    files += tour(
                        browser, server.url, tenant, url, language, device, args.out, "finished"
                    )
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
