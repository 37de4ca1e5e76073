"""Screenshots of the scheme pages, to look at: the list, the editor of the reference scheme
(draft), a standard's, a section's, a source's and a rule's form open, a refused edit with its
reason, the live preview with sample ratings, a praise letter and a lost work card (then a
clamped and an invalid rating), a draft the check stops (items over a section's maximum, a
level the tenant lacks), an empty draft's problems, a draft with three sources, a published
version read-only and scheme files refused on import (wrong values; not YAML at all); at
desktop and phone widths, in Chinese and English. It says when a page is wider than the screen.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/scheme_screenshots.py

Files are named scheme-<language>-<device>-<page>.png.
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
from saas.models.user import User  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from saas.schemes import files, versions  # noqa: E402
from saas.schemes.templates import load_template  # noqa: E402
from saas.scoring.checks import parse  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.schemes.conftest import FLAWED  # noqa: E402

CODES = ("smile_functional", "smile_frontline", "work_brand", "outsourced_provider")
PUBLISHED = "canteen_hygiene"
EMPTY = "新方案（尚未填写）"
# Sample ratings for the reference scheme's preview: its sections are rated as a whole.
RATINGS = {"A": "18", "B": "9.5", "C": "46", "D": "19"}


def seed(db: Database, settings) -> tuple[NewTenant, dict[str, int]]:
    """A tenant with a draft of every template, one published, and an empty draft; returns
    the tenant and the version id of each (by template code, and ``empty``)."""
    tenant = create_tenant(
        db, settings, "harbour-grain", "青岛港口粮食储运有限公司后勤服务中心",
        "zhang.xiaoming@harbour-grain.example.cn", PASSWORD,
    )  # fmt: skip
    ids: dict[str, int] = {}
    with db.tenant(schema_for(tenant.slug)) as session:
        admin = session.scalar(select(User.id).where(User.email == tenant.admin_email))
        actor = Actor.system(tenant.admin_email, user_id=admin)
        for code in (*CODES, PUBLISHED):
            version = versions.create_scheme(session, actor, load_template(code), template=code)
            ids[code] = version.id
            if code == PUBLISHED:
                versions.publish(session, actor, version)
        empty, _issues = parse({"name": EMPTY})
        ids["empty"] = versions.create_scheme(session, actor, empty).id
        flawed, issues = parse(FLAWED)
        assert flawed is not None, issues
        ids["flawed"] = versions.create_scheme(session, actor, flawed).id
    return tenant, ids


def broken_file() -> bytes:
    """The reference scheme as a file with a section maximum in words and a negative weight."""
    text = files.dump(load_template("smile_functional"))
    return text.replace("max: 20", "max: 二十", 1).replace("weight: 100", "weight: -5", 1).encode()


def editor_shots(page, shot: Shots, url: str) -> None:
    """The reference draft: whole, scrolled (the preview stays in view), a standard's and a
    section's form opened where they are (the page does not move), an edit refused, and a
    source's and a rule's form."""
    page.goto(url)
    shot("editor")
    page.evaluate("window.scrollTo(0, 1400)")
    shot("editor-scrolled", full_page=False)
    item = page.locator("#item-FN-B1")
    item.scroll_into_view_if_needed()
    item.get_by_role("link").first.click()
    form = page.locator("#form-item-FN-B1")
    form.wait_for()
    shot("item-form", full_page=False)  # as the browser left it: the form is in view
    page.locator("#form-item-FN-B1 a.button").click()
    form.wait_for(state="detached")
    section = page.locator("#section-C")
    section.scroll_into_view_if_needed()
    section.locator(".section-head").get_by_role("link").first.click()
    form = page.locator("#form-section-C")
    form.wait_for()
    shot("section-form", full_page=False)
    form.locator("[name=max]").fill("abc")
    form.locator("button[type=submit]").click()
    page.locator("#form-section-C .field-error").wait_for()
    shot("section-refused", full_page=False)
    page.locator("#form-section-C a.button").click()
    form.wait_for(state="detached")
    for place, form_id in (("#sources", "source-0"), ("#rule-0", "rule-0")):
        open_and_shoot(page, shot, place, form_id)


def flawed_shots(page, shot: Shots, url: str) -> None:
    """A draft the check stops: items over a section's maximum, 20.01 in a section of 20, a
    level and a category the tenant does not have; an item's form open beside them."""
    page.goto(url)
    shot("check")
    shot("check-problems", element=page.locator(".scheme-problems"))
    item = page.locator("#item-A2")
    item.scroll_into_view_if_needed()
    item.get_by_role("link").first.click()
    page.locator("#form-item-A2").wait_for()
    shot("check-item-form", full_page=False)


def open_and_shoot(page, shot: Shots, place: str, form_id: str) -> None:
    """Open an entry's form in place, take it, and cancel it."""
    page.locator(place).locator(f"a[href$='/edit/{form_id}']").click()
    form = page.locator(f"#form-{form_id}")
    form.wait_for()
    form.scroll_into_view_if_needed()
    shot(f"{form_id.split('-')[0]}-form", full_page=False)
    form.locator("a.button").click()
    form.wait_for(state="detached")


def preview_shots(page, shot: Shots) -> None:
    """The preview of the reference draft: sample ratings (the sections as a whole), a praise
    letter and a lost work card; a rating above its maximum (clamped, and said); a rating that
    is not a number (no score); on a phone, the score kept at the foot of the screen."""
    panel = page.locator("#preview-panel")
    panel.locator("input[name=period]").fill("2026-Q3")
    for key, value in RATINGS.items():
        panel.locator(f"input[name='r.supervisor.{key}']").fill(value)
    event = panel.locator(".preview-event").first
    event.locator("select[name='ev0.event']").select_option("praise_letter")
    event.locator("input[name='ev0.on']").fill("2026-08-03")
    second = panel.locator(".preview-event").nth(1)
    second.locator("select[name='ev1.event']").select_option("work_card_lost")
    second.locator("input[name='ev1.on']").fill("2026-08-20")
    panel.locator(".preview-trace li", has_text="2026-08-20").first.wait_for()
    panel.scroll_into_view_if_needed()
    shot("preview", full_page=False)
    shot("preview-panel", element=panel)
    panel.locator("input[name='r.supervisor.A']").fill("25")
    panel.locator(".preview-clamped").wait_for()
    panel.locator("input[name='r.supervisor.A']").scroll_into_view_if_needed()
    shot("preview-clamped", full_page=False)
    panel.locator("input[name='r.supervisor.B']").fill("九")
    panel.locator(".preview-invalid").wait_for()
    panel.locator("input[name='r.supervisor.B']").scroll_into_view_if_needed()
    shot("preview-invalid", full_page=False)
    shot("preview-invalid-panel", element=panel)


def tour(browser, base_url: str, tenant: NewTenant, ids, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    # The refused edit and the refused file answer 400 on purpose; anything else is news.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    shot = Shots(page, out, f"scheme-{language}-{device}")
    log_in(page, tenant.slug, tenant.admin_email, language)
    schemes = f"/t/{tenant.slug}/schemes/"

    page.goto(schemes)
    shot("list")
    editor_shots(page, shot, f"{schemes}v/{ids['smile_functional']}")
    preview_shots(page, shot)
    flawed_shots(page, shot, f"{schemes}v/{ids['flawed']}")
    page.goto(f"{schemes}v/{ids['empty']}")
    shot("empty-draft")
    page.goto(f"{schemes}v/{ids[PUBLISHED]}")
    shot("published")
    page.goto(f"{schemes}v/{ids['outsourced_provider']}")
    shot("provider-draft")

    page.goto(schemes)
    page.locator("input[name=file]").set_input_files(
        {"name": "微笑服务.yaml", "mimeType": "text/yaml", "buffer": broken_file()}
    )
    page.locator("form[action$='/import'] button[type=submit]").click()
    page.locator(".problem-list li").first.wait_for()
    shot("import-failed")
    # A file that is not YAML: said in the reader's language, with line and column.
    page.goto(schemes)
    not_yaml = broken_file().decode().replace("title: 遵章守纪", "title: 遵章: 守纪", 1).encode()
    page.locator("input[name=file]").set_input_files(
        {"name": "微笑服务.yaml", "mimeType": "text/yaml", "buffer": not_yaml}
    )
    page.locator("form[action$='/import'] button[type=submit]").click()
    page.locator(".problem-list li").first.wait_for()
    shot("import-not-yaml")

    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shot.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant, ids = seed(db, settings)
        app = create_app(settings)
        with serve(app) as server, chromium() as browser:
            files_ = [
                path
                for language in LANGUAGES
                for device in DEVICES
                for path in tour(browser, server.url, tenant, ids, language, device, args.out)
            ]
    print(f"{len(files_)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
