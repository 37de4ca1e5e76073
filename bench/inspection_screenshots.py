"""Screenshots of inspections, to look at: an inspection in progress on a phone (the items,
a failed one with its note and photo, the sticky progress), the signatures step with both
signatures drawn, the list at desktop width, a finished inspection's page, and the signed
report's pages (rendered with pdftoppm), in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored) or --out:

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/inspection_screenshots.py [--out DIR]

Files are named inspection-<language>-<device>-<page>.png and inspection-report-<n>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import DEVICES, LANGUAGES, Shots, choose_language, scratch_kaohe  # noqa: E402
from saas.inspections import service  # noqa: E402
from saas.inspections.checklists import checklist_of  # noqa: E402
from saas.inspections.report import issue_report  # noqa: E402
from saas.inspections.service import ItemInput  # noqa: E402
from saas.models.attachment import AttachmentOwner  # noqa: E402
from saas.models.inspection import Inspection  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.inspections.conftest import Site, drawn, full_marks, make_site, photo_bytes, plan  # noqa: E402
from tests.org.conftest import PASSWORD  # noqa: E402
from workers.runtime import tenant_context  # noqa: E402

NAME = "某某物业服务有限公司"
TODAY = dt.date.today()


def tenant_maker(db, settings):
    numbers = itertools.count(1)

    def make(**options):
        slug = f"inspection-shots-{next(numbers)}"
        options["locale"] = "zh_CN"
        return create_tenant(
            db, settings, slug, NAME, f"admin@{slug}.example.com", PASSWORD, **options
        )

    return make


def _save(db, site: Site, inspection_id: int, values: dict, notes: dict | None = None) -> None:
    notes = notes or {}
    with db.tenant(site.schema) as session:
        actor = site.actor(session, "inspector")
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        for key, value in values.items():
            raw = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            service.save_item(
                session, actor, inspection, checklist, key, ItemInput(str(raw), note=notes.get(key))
            )


def _photo(db, site: Site, inspection_id: int, key: str, color: str) -> None:
    from saas.attachments import service as attachments

    with db.tenant(site.schema) as session:
        attachments.add(
            session,
            site.admin(),
            AttachmentOwner.INSPECTION,
            inspection_id,
            photo_bytes(color, (2400, 1800)),
            "photo.jpg",
            key,
        )


def _finish(db, site: Site, inspection_id: int) -> None:
    with db.tenant(site.schema) as session:
        inspection = session.get(Inspection, inspection_id)
        service.finish(
            session,
            site.actor(session, "inspector"),
            inspection,
            checklist_of(session, inspection.version_id),
            inspector_signature=drawn(),
            onsite_signature=drawn(),
            onsite_name="王保洁",
            today=TODAY,
        )


FAILED = {"EN-07": "7", "EN-08": False, "EN-06": "良", "EN-09": "2", "FS-18": "n/a"}
NOTES = {"EN-07": "三楼楼道角落有浮土，卫生间地面有积水。", "EN-08": "垃圾桶外有散落垃圾。"}


def seed(db, settings, make_tenant) -> tuple[Site, dict[str, int], bytes]:
    """A tenant with inspections of every status and method, one done with its report, and
    one in progress per language for the phone tours."""
    site = make_site(db, make_tenant)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, plan(db, site)).version_id)
    done = plan(db, site, "WB-LH", method="spot_check", unannounced=True)
    _save(db, site, done, {**full_marks(checklist), **FAILED}, NOTES)
    for key, color in (("EN-07", "gray"), ("EN-07", "white"), ("EN-08", "green")):
        _photo(db, site, done, key, color)
    _finish(db, site, done)
    issue_report(tenant_context(site.slug, settings), done)
    for unit, method, days in (
        ("GC", "inspection", -7),
        ("BJ", "mystery", 2),
        ("KF", "inspection", 9),
    ):
        plan(db, site, unit, method=method, on=TODAY + dt.timedelta(days=days))
    running = {}
    for language in LANGUAGES:
        running[language] = plan(db, site, "BJ", on=TODAY)
        half = dict(list(full_marks(checklist).items())[:3])
        _save(db, site, running[language], {**half, "EN-07": "6"}, {"EN-07": NOTES["EN-07"]})
        _photo(db, site, running[language], "EN-07", "gray")
    with db.tenant(site.schema) as session:
        report = session.get(Inspection, done).report
    return site, {"done": done, **running}, report


class Tour:
    def __init__(self, browser, base_url, language, device, out) -> None:
        self.language, self.device = language, device
        self.context = browser.new_context(
            base_url=base_url, locale=LANGUAGES[language], **DEVICES[device]
        )
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.shot = Shots(self.page, out, f"inspection-{language}-{device}")

    def log_in(self, site: Site, who: str) -> None:
        page = self.page
        page.goto(f"/t/{site.slug}/login")
        page.locator("input[name=identifier]").fill(site.email(who))
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button.primary").click()
        page.wait_for_url(f"**/t/{site.slug}/")
        choose_language(page, self.language)

    def close(self) -> list[Path]:
        self.context.close()
        if self.errors:
            print(
                f"  console errors ({self.language}, {self.device}): {self.errors}", file=sys.stderr
            )
        return self.shot.files


def sign(page, box: int, wiggle: int) -> None:
    canvas = page.locator("canvas.sig-canvas").nth(box)
    canvas.scroll_into_view_if_needed()
    area = canvas.bounding_box()
    x, y = area["x"] + 24, area["y"] + area["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 26):
        page.mouse.move(x + step * 11, y + (wiggle if step % 3 else -wiggle), steps=4)
    page.mouse.up()


def phone_tour(tour: Tour, db, site: Site, inspection_id: int) -> None:
    page = tour.page
    tour.log_in(site, "inspector")
    tour.shot("home")
    page.goto(site.url(f"{inspection_id}/run"))
    tour.shot("run-top", full_page=False)
    page.locator("#item-EN-08 .choice-no").click()
    page.locator("#item-EN-08 .item-saved").wait_for()
    tour.shot("run")
    page.locator("#item-EN-06").scroll_into_view_if_needed()
    tour.shot("run-scrolled", full_page=False)
    with db.tenant(site.schema) as session:  # the rest rated, to sign
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    rest = {k: v for k, v in full_marks(checklist).items() if k not in ("EN-02", "EN-07", "EN-08")}
    _save(db, site, inspection_id, {**rest, "FS-18": "n/a"})
    page.goto(site.url(f"{inspection_id}/sign"))
    sign(page, 0, 16)
    page.locator("input[name=onsite_name]").fill("王保洁")
    sign(page, 1, 22)
    tour.shot("sign")


def desktop_tour(tour: Tour, site: Site, done: int) -> None:
    page = tour.page
    tour.log_in(site, "admin")
    page.goto(site.url())
    tour.shot("list")
    page.goto(site.url(str(done)))
    tour.shot("inspection")
    page.goto(site.url("schedules"))
    tour.shot("schedules")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        site, ids, report = seed(db, settings, tenant_maker(db, settings))
        pdf = args.out / "inspection-report.pdf"
        pdf.write_bytes(report)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(args.out / "inspection-report")],
            check=True,
        )
        print(f"report: {len(report)} bytes, {pdf}")
        files: list[Path] = []
        with serve(create_app(settings)) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    tour = Tour(browser, server.url, language, device, args.out)
                    try:
                        if device == "phone":
                            phone_tour(tour, db, site, ids[language])
                        else:
                            desktop_tour(tour, site, ids["done"])
                    finally:
                        files += tour.close()
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
