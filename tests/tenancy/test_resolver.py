"""The tenant resolver: one lookup for web and jobs, cached per process, and a status change
seen by every other process within a second."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import textwrap
import time

from sqlalchemy import event

from saas.platform.onboarding import resume_tenant, suspend_tenant
from tenants.resolver import CACHE_SECONDS, TenantResolver


def count_statements(db):
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listen)


def test_a_resolved_tenant_is_not_read_again_within_the_cache_time(db, tenant):
    resolver = TenantResolver(db, cache_seconds=60)
    seen, stop = count_statements(db)
    try:
        first = resolver.resolve(tenant.slug)
        reads = len(seen)
        for _ in range(5):
            assert resolver.resolve(tenant.slug) == first
        assert len(seen) == reads
        resolver.forget(tenant.slug)
        resolver.resolve(tenant.slug)
        assert len(seen) > reads
    finally:
        stop()


def test_unknown_and_invalid_slugs_resolve_to_nothing(db):
    resolver = TenantResolver(db)
    assert resolver.find("no-such-tenant") is None
    assert resolver.find("../etc") is None
    assert resolver.find("x" * 5000) is None


def test_a_status_change_is_seen_at_once_in_the_process_that_made_it(db, tenant):
    resolver = TenantResolver(db, cache_seconds=60)
    assert not resolver.find(tenant.slug).is_suspended
    suspend_tenant(db, tenant.slug, "unpaid invoice")
    try:
        assert resolver.find(tenant.slug).is_suspended
    finally:
        resume_tenant(db, tenant.slug)
    assert not resolver.find(tenant.slug).is_suspended


def read_line(process: subprocess.Popen, timeout: float) -> str:
    """The watcher's next line, or "" if it says nothing within ``timeout`` seconds."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline().strip() if ready else ""


WATCHER = textwrap.dedent(
    """
    import sys, time
    from saas.app import create_app
    from saas.config import load_settings

    app = create_app(load_settings(instance=sys.argv[2]))
    client = app.test_client()
    path = f"/t/{sys.argv[1]}/login"
    assert client.get(path).status_code == 200
    print("ready", flush=True)
    while client.get(path).status_code != 403:
        time.sleep(0.01)
    print("suspended", flush=True)
    """
)


def test_a_suspension_reaches_another_web_process_within_a_second(db, settings, tenant):
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, tenant.slug, str(settings.instance)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert read_line(watcher, 30) == "ready"
        # Its cache now holds the active row; wait so that a stale entry would still be fresh.
        time.sleep(CACHE_SECONDS / 2)
        suspend_tenant(db, tenant.slug, "unpaid invoice")
        changed_at = time.monotonic()
        assert read_line(watcher, 1.0) == "suspended"
        assert time.monotonic() - changed_at < 1.0
        assert watcher.wait(timeout=10) == 0
    finally:
        watcher.kill()
        resume_tenant(db, tenant.slug)
