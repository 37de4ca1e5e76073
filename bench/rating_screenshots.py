"""Screenshots of rating, to look at: a supervisor's department grid (rows submitted, in draft
and not started; and a refused cell on a phone), and a rater's to-do on the start page, their
list of sheets and the rating form with a refused value, at desktop and phone widths, in
Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored) or --out:

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/rating_screenshots.py [--out DIR]

Files are named rating-<language>-<device>-<page>.png. The tenants are the ones the rating
tests build (tests/rating/grid_setup.py and tests/rating/conftest.py).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import DEVICES, LANGUAGES, Shots, choose_language, scratch_kaohe  # noqa: E402
from saas.models.cycle import RatingSheet  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.org.conftest import PASSWORD  # noqa: E402
from tests.rating.conftest import Place, make_place  # noqa: E402
from tests.rating.grid_setup import STORED, GridWorld, build  # noqa: E402

NAME = "某某物业服务有限公司"


def tenant_maker(db, settings):
    """What the tests' ``make_tenant`` fixture gives: a new tenant per call."""
    numbers = itertools.count(1)

    def make(**options):
        slug = f"rating-shots-{next(numbers)}"
        return create_tenant(
            db, settings, slug, NAME, f"admin@{slug}.example.com", PASSWORD, **options
        )

    return make


def seed_grid(db, make_tenant) -> GridWorld:
    """The supervisor's five staff: the first submitted, the next two in draft (the third
    half done), the last two not started."""
    world = build(db, make_tenant)
    with db.tenant(world.schema) as session:
        for number, sheet_id in enumerate(world.sheets[:3]):
            sheet = session.get(RatingSheet, sheet_id)
            sheet.values = {**STORED, "A1": str(6 + number)}
            sheet.status = "draft"
        sheet.values = {"A1": "9", "B": "8"}
        first = session.get(RatingSheet, world.sheets[0])
        first.status, first.submitted_at = "submitted", first.created_at
    return world


def reset_sheet(db, place: Place) -> None:
    """Li's sheet back to not started, so every tour fills it in from the same place."""
    with db.tenant(place.org.schema) as session:
        sheet = session.get(RatingSheet, place.sheets["li"])
        sheet.values, sheet.status, sheet.saved_at = {}, "assigned", None


class Tour:
    """One browser context at one width in one language, watching the console; the 400 a
    refused value answers with is expected (Chromium reports every 4xx on the console)."""

    def __init__(self, browser, base_url, language, device, out) -> None:
        self.language, self.device = language, device
        self.context = browser.new_context(
            base_url=base_url, locale=LANGUAGES[language], **DEVICES[device]
        )
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "status of 400" not in m.text
                else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.shot = Shots(self.page, out, f"rating-{language}-{device}")

    def log_in(self, slug: str, email: str) -> None:
        page = self.page
        page.goto(f"/t/{slug}/login")
        page.locator("input[name=identifier]").fill(email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button.primary").click()
        page.wait_for_url(f"**/t/{slug}/")
        choose_language(page, self.language)

    def close(self) -> list[Path]:
        self.context.close()
        if self.errors:
            print(
                f"  console errors ({self.language}, {self.device}): {self.errors}", file=sys.stderr
            )
        return self.shot.files


def grid_tour(tour: Tour, world: GridWorld) -> None:
    page = tour.page
    tour.log_in(world.slug, world.manager_email)
    page.goto(world.url())
    tour.shot("grid")
    if tour.device != "phone":
        return
    # A refused cell, as the rater sees it: 11 typed where the most is 10.
    page.locator("tr[data-row]").nth(2).locator("[data-cell]").nth(1).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    page.locator("tr[data-row]").nth(2).locator("td.bad").wait_for()
    tour.shot("grid-refused", full_page=False)


def saved(page, key: str) -> None:
    page.locator(f"#item-{key} .item-saved").wait_for()


def form_tour(tour: Tour, place: Place) -> None:
    page = tour.page
    tour.log_in(place.slug, place.email("li"))
    tour.shot("todo")
    page.goto(place.url())
    tour.shot("list")
    page.locator(".sheet-link").first.click()
    page.locator("#f-A1").fill("8.5")
    page.locator("#f-A1").press("Tab")
    saved(page, "A1")
    page.locator("#item-A5 .choice").nth(1).click()
    saved(page, "A5")
    page.locator("#f-B").fill("99")
    page.locator("#f-B").press("Tab")
    page.locator("#item-B .field-error").wait_for()
    tour.shot("form")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=list(LANGUAGES), action="append")
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        make_tenant = tenant_maker(db, settings)
        world = seed_grid(db, make_tenant)
        place = make_place(db, make_tenant)
        files: list[Path] = []
        with serve(create_app(settings)) as server, chromium() as browser:
            for language in args.language or list(LANGUAGES):
                for device in DEVICES:
                    reset_sheet(db, place)
                    tour = Tour(browser, server.url, language, device, args.out)
                    try:
                        grid_tour(tour, world)
                        form_tour(tour, place)
                    finally:
                        files += tour.close()
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
