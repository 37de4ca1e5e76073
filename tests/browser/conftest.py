"""Browser fixtures: the real Kaohe app served over HTTP from a thread, and Debian's
Chromium driven by Playwright's sync API.

The server and the browser are started once per session; each test gets a fresh browser
context (own cookies), so tests stay independent. The helpers here are plain functions as
well, so ``bench/screenshots.py`` starts the app and the browser exactly the same way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class LiveServer:
    """A WSGI app served by werkzeug on a free local port, in a daemon thread."""

    def __init__(self, app) -> None:
        # Port 0: the OS picks a free port, so parallel runs never collide.
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kaohe-live-server", daemon=True
        )

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def serve(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    with serve(app) as server:
        yield server


# Module scope, not session: while Playwright's sync API runs, its event loop is the running
# loop of the main thread, and code elsewhere that calls asyncio.run() (pyHanko's signer in
# other test modules) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run ./dev test, or apt-get install chromium")
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A page in a fresh context; fails the test on any console error (CSP included)."""
    yield from watched_page(browser, live_server, viewport={"width": 1280, "height": 800})


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    """Like ``page``, on a phone 390 px wide."""
    yield from watched_page(browser, live_server, **PHONE)


def watched_page(browser, live_server, **options) -> Iterator:
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"
