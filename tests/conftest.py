"""Shared fixtures: a fresh database per test run on a real PostgreSQL, a real Redis,
the Flask app, tenants, and a real RQ worker process.

With DATABASE_URL / REDIS_URL set, the tests use those servers (CI and development machines);
without them, they start the embedded PostgreSQL and Redis under a temporary folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from saas.config import Settings, load_settings, normalise_database_url
from saas.database_setup import ensure_database
from saas.platform.onboarding import NewTenant, create_tenant
from tenants.db import Database
from tenants.migrate import upgrade_all

RUN_ID = secrets.token_hex(4)
ADMIN_PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Iterator[dict[str, str]]:
    """URLs of a PostgreSQL server and a Redis server to test against."""
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    started = []
    if not database_url or not redis_url:
        from saas.embedded import start_postgres, start_redis

        # Not under tmp_path: pytest resets /tmp/pytest-of-<user> to 0700 at every session
        # start, which would lock the embedded PostgreSQL (its own user) out of its data.
        instance = Path(tempfile.mkdtemp(prefix="kaohe-embedded-"))
        if not database_url:
            started.append(start_postgres(instance))
            database_url = started[-1].url
        if not redis_url:
            started.append(start_redis(instance))
            redis_url = started[-1].url
    yield {"database": normalise_database_url(database_url), "redis": redis_url}
    for service in reversed(started):
        service.stop()
    if started:
        shutil.rmtree(instance, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(servers) -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    url = make_url(servers["database"]).set(database=f"kaohe_test_{RUN_ID}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    yield rendered
    from sqlalchemy import create_engine

    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'drop database if exists "{url.database}" with (force)')
    server.dispose()


@pytest.fixture(scope="session")
def settings(database_url, servers, tmp_path_factory) -> Settings:
    return load_settings(
        database_url=database_url,
        redis_url=servers["redis"],
        instance=tmp_path_factory.mktemp("instance"),
        queue_name=f"kaohe-test-{RUN_ID}",
        login_rate_limit="1000 per minute",
        verify_rate_limit="1000 per minute",
    )


@pytest.fixture(scope="session")
def db(settings) -> Iterator[Database]:
    database = Database(settings.database_url, pooler=settings.db_pooler)
    upgrade_all(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app(settings, db) -> Iterator:
    from saas.app import create_app

    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["kaohe.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@pytest.fixture
def make_tenant(db, settings):
    """Create a tenant with a known admin password; returns the NewTenant."""

    def make(slug: str | None = None, **options) -> NewTenant:
        slug = slug or unique_slug()
        return create_tenant(
            db,
            settings,
            slug,
            options.pop("name", f"测试单位 {slug}"),
            options.pop("admin_email", f"admin@{slug}.example.com"),
            options.pop("admin_password", ADMIN_PASSWORD),
            **options,
        )

    return make


@pytest.fixture
def tenant(make_tenant) -> NewTenant:
    return make_tenant()


def csrf_token(client, path: str) -> str:
    """Fetch ``path`` and return the CSRF token rendered into its form."""
    import re

    body = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, tenant: NewTenant, password: str = ADMIN_PASSWORD, email: str | None = None):
    token = csrf_token(client, f"/t/{tenant.slug}/login")
    return client.post(
        f"/t/{tenant.slug}/login",
        data={"identifier": email or tenant.admin_email, "password": password, "csrf_token": token},
    )


def worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        KAOHE_QUEUE=settings.queue_name,
        KAOHE_INSTANCE=str(settings.instance),
    )
    return env


@pytest.fixture(scope="session")
def worker(settings, db) -> Iterator[subprocess.Popen]:
    """A real `kaohe worker` process on this run's queue."""
    log = Path(settings.instance) / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "saas.cli", "worker"],
            env=worker_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    time.sleep(0.5)
    assert process.poll() is None, log.read_text()
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def actor_of(session, user):
    """The Actor a request of ``user`` (a tenant User row) hands to the services: read with
    the request's own principal query, so tests and requests cannot disagree on a scope."""
    from saas.auth.accounts import load_tenant_principal
    from saas.auth.guard import actor_for

    session.flush()
    principal = load_tenant_principal(session, user.id, user.session_version, slug="tests")
    assert principal is not None, f"{user.email} is disabled: no request would act as them"
    return actor_for(principal)


PLATFORM_PASSWORD = "platform-password"


def add_platform_admin(db) -> str:
    """A new platform admin's e-mail address; the password is PLATFORM_PASSWORD."""
    from saas.platform.admins import create_platform_admin

    email = f"ops-{secrets.token_hex(3)}@kaohe.example.com"
    with db.public() as session:
        create_platform_admin(session, email, PLATFORM_PASSWORD)
    return email


def platform_login(app, email: str, password: str = PLATFORM_PASSWORD) -> tuple:
    """A test client logged in to the platform area as ``email``, and its CSRF token."""
    client = app.test_client()
    token = csrf_token(client, "/platform/login")
    response = client.post(
        "/platform/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302
    return client, token
