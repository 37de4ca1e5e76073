"""Screenshots of Kaohe's pages, to look at: desktop and phone widths, Chinese and English.

Not a test. It starts the app the way the browser tests do (werkzeug in a thread, a real
`kaohe worker`, Debian's Chromium), against a throw-away database on the PostgreSQL and
Redis that DATABASE_URL and REDIS_URL name, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/screenshots.py

Files are named <language>-<device>-<page>.png, e.g. zh_CN-phone-tenant-home.png.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from saas.config import Settings, load_settings, normalise_database_url  # noqa: E402
from saas.database_setup import ensure_database  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant, suspend_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.conftest import worker_env  # noqa: E402

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# The browser's own language matches the one chosen, as it would for a real user.
LANGUAGES = {"zh_CN": "zh-CN", "en": "en-GB"}
PASSWORD = "screenshot-password-1"
PLATFORM_ADMIN = "ops@kaohe.example.com"


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    url = make_url(normalise_database_url(server_url)).set(
        database=f"kaohe_shots_{secrets.token_hex(4)}"
    )
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    try:
        yield rendered
    finally:
        server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.exec_driver_sql(f'drop database if exists "{url.database}" with (force)')
        server.dispose()


@contextmanager
def scratch_kaohe(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[argparse.Namespace, Settings, Database]]:
    """What every screenshot tour starts from: its arguments (plus --out), a scratch database
    at head on the servers DATABASE_URL and REDIS_URL name, and settings for it."""
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        parser.error("set DATABASE_URL and REDIS_URL (a scratch database is created and dropped)")
    args.out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="kaohe-shots-") as instance,
        scratch_database(database_url) as url,
    ):
        settings = load_settings(
            database_url=url,
            redis_url=redis_url,
            instance=instance,
            queue_name=f"kaohe-shots-{secrets.token_hex(4)}",
            login_rate_limit="1000 per minute",
            verify_rate_limit="1000 per minute",
        )
        db = Database(settings.database_url)
        try:
            upgrade_all(db)
            yield args, settings, db
        finally:
            db.dispose()


@contextmanager
def worker(settings: Settings) -> Iterator[subprocess.Popen]:
    log = Path(settings.instance) / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "saas.cli", "worker"],
            env={**worker_env(settings), "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    time.sleep(0.5)
    if process.poll() is not None:
        raise RuntimeError(f"the worker did not start:\n{log.read_text()}")
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def seed(db: Database, settings: Settings) -> NewTenant:
    """The tenant we log in to, a few more for the platform list, and a platform admin."""
    from saas.platform.admins import create_platform_admin

    main = create_tenant(
        db,
        settings,
        "harbour-grain",
        "青岛港口粮食储运有限公司后勤服务中心",
        "zhang.xiaoming@harbour-grain.example.cn",
        PASSWORD,
    )
    create_tenant(db, settings, "city-canteen", "市民服务中心职工食堂", "admin@canteen.example.cn")
    create_tenant(
        db,
        settings,
        "riverside-property-services",
        "Riverside Property Services Ltd",
        "hr@riverside.example.com",
        locale="en",
        time_zone="Europe/London",
        seat_limit=1200,
    )
    create_tenant(db, settings, "east-school", "东城区第二实验小学", "office@east.example.cn")
    suspend_tenant(db, "east-school", "unpaid invoice")
    with db.public() as session:
        create_platform_admin(session, PLATFORM_ADMIN, PASSWORD)
    return main


class Shooter:
    def __init__(self, page, out: Path, prefix: str) -> None:
        self.page, self.out, self.prefix = page, out, prefix
        self.files: list[Path] = []

    def shot(self, name: str) -> None:
        path = self.out / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.files.append(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def choose_language(page, language: str) -> None:
    """Press the header's language button unless that language is already on."""
    button = page.locator(f"button.lang-option[value={language}]")
    if "active" not in (button.get_attribute("class") or ""):
        button.click()
        page.wait_for_load_state()


class Shots:
    """Names and takes a tour's screenshots, and says when a page is wider than the screen."""

    def __init__(self, page, out: Path, prefix: str) -> None:
        self.page, self.out, self.prefix = page, out, prefix
        self.files: list[Path] = []

    def __call__(self, name: str, full_page: bool = True, element=None) -> None:
        path = self.out / f"{self.prefix}-{name}.png"
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            print(f"  {name}: the page is {overflow}px wider than the screen", file=sys.stderr)
        # Playwright hides the caret by giving the focused element a style attribute, which
        # htmx then copies when it settles a swap, breaking the CSP: keep the caret.
        if element is not None:
            element.screenshot(path=str(path), caret="initial")
        else:
            self.page.screenshot(path=str(path), full_page=full_page, caret="initial")
        self.files.append(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def log_in(page, slug: str, email: str, language: str) -> None:
    """Log in afresh (whoever was logged in before) and pick the tour's language."""
    page.context.clear_cookies()
    page.goto(f"/t/{slug}/login")
    page.locator("input[name=identifier]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"**/t/{slug}/")
    choose_language(page, language)


def platform_log_in(page, language: str) -> None:
    """Log in to the platform area as the tour's platform admin (on the login page already)
    and pick the tour's language."""
    page.locator("input[name=email]").fill(PLATFORM_ADMIN)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/platform/$"))
    choose_language(page, language)


def sample_statement(settings: Settings, tenant: NewTenant) -> tuple[bytes, str]:
    """A signed sample statement of the tenant's admin, for the verification pages."""
    from saas.models.user import User
    from saas.statements.sample import issue_sample_statement
    from workers.runtime import tenant_context

    ctx = tenant_context(tenant.slug, settings)
    with ctx.db.tenant(ctx.schema) as session:
        admin_id = session.scalar(select(User.id).where(User.email == tenant.admin_email))
    statement = issue_sample_statement(ctx, admin_id, actor="bench")
    return statement.pdf, statement.serial


def tour(
    browser,
    base_url: str,
    tenant: NewTenant,
    sample: tuple[bytes, str],
    language: str,
    device: str,
    out: Path,
    slots,
):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    # The failed log-in and the invalid forms answer 400 on purpose, the unreadable file 422
    # and the busy verification 503; anything else is news.
    expected = ("status of 400", "status of 422", "status of 503")
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not any(code in msg.text for code in expected)
            else None
        ),
    )
    shooter = Shooter(page, out, f"{language}-{device}")

    page.goto("/")
    # Chosen, not just matching the browser: the choice outranks a tenant's default language.
    page.locator(f"button.lang-option[value={language}]").click()
    page.wait_for_load_state()
    shooter.shot("landing")

    page.goto(f"/t/{tenant.slug}/login")
    shooter.shot("tenant-login")
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill("wrong password")
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shooter.shot("tenant-login-failed")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(rf"/t/{tenant.slug}/$"))
    choose_language(page, language)  # logging in starts a new session

    shooter.shot("tenant-home")
    pdf, serial = sample

    page.goto("/verify")
    shooter.shot("verify")
    page.locator("input[type=file]").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.locator("form button.primary").click()
    page.locator("#verdict.verdict-sample").wait_for()
    shooter.shot("verify-sample")
    page.goto(f"/verify?serial={serial}")  # where the statement's QR code leads
    page.locator("#verdict.verdict-sample").wait_for()
    shooter.shot("verify-serial")
    verify_unreadable_and_busy(page, shooter, slots)

    page.goto(f"/t/{tenant.slug}/account")
    shooter.shot("account")
    page.locator("input[name=current]").fill("not my password")
    page.locator("input[name=password]").fill("short")
    page.locator("#password button.primary").click()
    page.wait_for_load_state()
    shooter.shot("account-errors")

    page.goto("/platform/login")
    shooter.shot("platform-login")
    platform_log_in(page, language)
    shooter.shot("platform-tenants")
    page.goto("/platform/account")
    shooter.shot("platform-account")

    page.goto("/platform/tenants/new")
    shooter.shot("platform-onboard")
    page.locator("input[name=slug]").fill("Bad Slug!")
    page.locator("input[name=time_zone]").fill("Mars/Olympus")
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    shooter.shot("platform-onboard-errors")
    slug = f"{device}-{language.lower().replace('_', '-')}-canteen"
    page.locator("input[name=slug]").fill(slug)
    page.locator("input[name=name]").fill("滨海新区政务服务中心机关食堂")
    page.locator("input[name=admin_email]").fill(f"admin@{slug}.example.cn")
    page.locator("input[name=time_zone]").fill("Asia/Shanghai")
    page.locator("form button.primary").click()
    page.locator("code").first.wait_for()
    shooter.shot("platform-created")

    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shooter.files


def verify_unreadable_and_busy(page, shooter: Shooter, slots) -> None:
    """The verification page's answers to a file it cannot read, and when it is busy."""
    from tests.statements.hostile_pdfs import deep_nesting, xref_stream_bomb

    def upload(data: bytes) -> None:
        page.goto("/verify")
        page.locator("input[type=file]").set_input_files(
            {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": data}
        )
        page.locator("form button.primary").click()

    upload(xref_stream_bomb())
    page.locator("#verdict.verdict-unreadable").wait_for()
    shooter.shot("verify-unreadable")
    with slots.slot():  # every slot taken by someone else
        upload(deep_nesting(depth=10))  # any file that is worth reading needs a slot
        page.locator("#verdict.verdict-busy").wait_for()
    shooter.shot("verify-busy")


def verification_slots(settings: Settings):
    """The deployment's verification semaphore, to hold while the busy page is shot."""
    from redis import Redis

    from saas.semaphore import Semaphore
    from saas.statements.verification import SLOT_HOLD_SECONDS

    return Semaphore(
        Redis.from_url(settings.redis_url),
        f"kaohe:{settings.queue_name}:verify-slots",
        settings.verify_slots,
        SLOT_HOLD_SECONDS,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant = seed(db, settings)
        sample = sample_statement(settings, tenant)
        app = create_app(settings)
        with worker(settings), serve(app) as server, chromium() as browser:
            files = [
                path
                for language in LANGUAGES
                for device in DEVICES
                for path in tour(
                    browser,
                    server.url,
                    tenant,
                    sample,
                    language,
                    device,
                    args.out,
                    verification_slots(settings),
                )
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
