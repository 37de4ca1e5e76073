"""Screenshots of the rectification notices, to look at: the list with its counts per unit
and provider, a notice with an answer (sent back once, answered again with photos), the
answer form on a phone, at desktop and phone widths, in Chinese and English; and the written
notice PDF rendered to PNG in both languages.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored) or --out:

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/notices_screenshots.py [--out DIR]

Files are named notices-<language>-<device>-<page>.png and notices-<language>-pdf-1.png.
The tenant is the one the notices tests build (tests/notices/conftest.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, Shots, choose_language, scratch_kaohe  # noqa: E402
from saas.attachments import service as attachments  # noqa: E402
from saas.models.attachment import AttachmentOwner  # noqa: E402
from saas.models.inspection import RectificationNotice  # noqa: E402
from saas.notices import service  # noqa: E402
from saas.notices.written import notice_pdf, printable  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.notices.conftest import Site, make_site  # noqa: E402
from tests.org.conftest import PASSWORD  # noqa: E402

NAME = "某某物业服务有限公司"


def tenant_maker(db, settings):
    numbers = itertools.count(1)

    def make(**options):
        slug = f"notice-shots-{next(numbers)}"
        options["locale"] = "zh_CN"
        return create_tenant(
            db, settings, slug, NAME, f"admin@{slug}.example.com", PASSWORD, **options
        )

    return make


def photo(colour: tuple[int, int, int], label: str) -> bytes:
    """A stand-in for a phone photo: a wall, a shelf and a steel handle."""
    image = Image.new("RGB", (1600, 1200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 150, 1400, 1050), fill=(236, 236, 230), outline=(120, 120, 120), width=8)
    draw.rectangle((1150, 520, 1260, 680), fill=(190, 196, 204), outline=(90, 90, 90), width=6)
    draw.line((300, 900, 1100, 900), fill=(150, 150, 140), width=14)
    draw.text((260, 200), label, fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed(db, make_tenant) -> tuple[Site, int]:
    """Notices in every state over four units and two providers; the id of the one sent back
    once and answered again with photos."""
    site = make_site(db, make_tenant)
    today = dt.datetime.now(dt.UTC).date()
    with db.tenant(site.schema) as session:
        inspector = site.actor(session, "inspector")
        manager = site.actor(session, "manager")
        provider = site.actor(session, "provider")
        _, (shown, other) = site.inspect(session, today=today - dt.timedelta(days=3))
        service.answer(session, manager, shown.id, "已用去油剂清洁大门把手。")
        _add(session, manager, shown, photo((214, 205, 190), "before"))
        service.verify(session, inspector, shown.id, "reject", "门框下沿仍有油污，请一并清洁。")
        service.answer(session, manager, shown.id, "门框、把手已全部清洁，并安排每餐后擦拭。")
        for colour in ((200, 214, 226), (214, 226, 200)):
            _add(session, manager, shown, photo(colour, "after"))
        site.inspect(session, unit="GC-KT", today=today - dt.timedelta(days=20))
        _, (ba1, ba2) = site.inspect(session, unit="WB-BA", today=today - dt.timedelta(days=3))
        service.answer(session, provider, ba1.id, "已更换保温台密封条并清洗。")
        service.verify(session, inspector, ba1.id, "accept", None)
        _, done = site.inspect(session, unit="ZH-XZ", today=today - dt.timedelta(days=30))
        other_manager = site.actor(session, "other_manager")
        for notice in done:
            service.answer(session, other_manager, notice.id, "已整改。")
            service.verify(session, inspector, notice.id, "accept", None)
        site.inspect(session, unit="WB-DT", today=today)
        session.flush()
        shown_id = shown.id
        del other, ba2
    return site, shown_id


def _add(session, actor, notice: RectificationNotice, data: bytes) -> None:
    attachments.add(
        session,
        actor,
        AttachmentOwner.NOTICE,
        notice.id,
        data,
        "IMG.jpg",
        service.round_slot(notice),
    )


def log_in(page, site: Site, who: str, language: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/t/{site.slug}/login")
    page.locator("input[name=identifier]").fill(site.email(who))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"**/t/{site.slug}/")
    choose_language(page, language)


def tour(browser, base_url: str, site: Site, shown: int, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    shot = Shots(page, out, f"notices-{language}-{device}")
    try:
        log_in(page, site, "inspector", language)
        shot("home")
        page.goto(site.url())
        shot("list")
        page.goto(site.url(f"{shown}"))
        shot("notice")
        log_in(page, site, "manager", language)
        with db_session(site) as session:
            open_one = (
                session.query(RectificationNotice)
                .filter_by(status="open", owner_id=site.users["manager"])
                .order_by(RectificationNotice.id)
                .first()
            )
        page.goto(site.url(f"{open_one.id}/answer"))
        shot("answer")
    finally:
        context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shot.files


_DB = {}


def db_session(site: Site):
    return _DB["db"].tenant(site.schema)


def pdf_pngs(db, site: Site, out: Path) -> list[Path]:
    """The written notice of the answered one, and of the whole inspection, in both languages."""
    files = []
    with db.tenant(site.schema) as session:
        actor = site.actor(session, "inspector")
        first = session.query(RectificationNotice).order_by(RectificationNotice.id).first()
        pages = printable(
            session,
            actor,
            RectificationNotice.inspection_id == first.inspection_id,
            "Asia/Shanghai",
        )
    for language, locale in (("zh_CN", "zh_CN"), ("en", "en")):
        data = notice_pdf(pages, tenant_name=NAME, locale=locale, time_zone="Asia/Shanghai")
        with tempfile.TemporaryDirectory() as scratch:
            source = Path(scratch) / "notice.pdf"
            source.write_bytes(data)
            prefix = out / f"notices-{language}-pdf"
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(prefix)], check=True)
        files += sorted(out.glob(f"notices-{language}-pdf-*.png"))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        _DB["db"] = db
        site, shown = seed(db, tenant_maker(db, settings))
        files: list[Path] = pdf_pngs(db, site, args.out)
        with serve(create_app(settings)) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    files += tour(browser, server.url, site, shown, language, device, args.out)
    for path in files:
        print(path)
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
