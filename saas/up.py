"""`kaohe up`: everything needed to use Kaohe on one machine, in one command.

Without DATABASE_URL / REDIS_URL it starts an embedded PostgreSQL and Redis under the
instance folder (kept between runs); then it upgrades the database, makes sure the demo
tenant exists, and runs the web server and one worker until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from saas.config import EMBEDDED_FILE, Settings, load_settings
from saas.database_setup import ensure_database
from saas.demo import seed_demo
from saas.platform.onboarding import create_tenant
from tenants.db import Database
from tenants.migrate import upgrade_all
from tenants.pool import fill_pool
from tenants.registry import find_tenant
from tenants.slugs import schema_for

DEMO_SLUG = "demo"
DEMO_NAME = "示范单位 Demo Organisation"
DEMO_ADMIN = "admin@demo.kaohe.local"
# A few pre-built schemas, so onboarding the next organisation is instant.
DEMO_POOL_SIZE = 3


def _start_embedded(stack: ExitStack, instance: Path) -> dict[str, str]:
    """Start whichever servers the environment does not name; return their URLs."""
    from saas.embedded import start_postgres, start_redis

    urls: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        click.echo("Starting embedded PostgreSQL…")
        urls["database_url"] = stack.enter_context(start_postgres(instance)).url
    if not os.environ.get("REDIS_URL"):
        click.echo("Starting embedded Redis…")
        urls["redis_url"] = stack.enter_context(start_redis(instance)).url
    # Other `kaohe` commands run beside `kaohe up` find the embedded servers through this file.
    (instance / EMBEDDED_FILE).write_text(json.dumps(urls))
    return urls


def _demo_credentials(settings: Settings) -> tuple[str, str]:
    """The demo admin's password: generated once, kept in the instance folder (mode 0600)."""
    path = settings.instance / "demo-admin.json"
    if path.exists():
        return DEMO_ADMIN, json.loads(path.read_text())["password"]
    import secrets

    password = secrets.token_urlsafe(9)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"email": DEMO_ADMIN, "password": password}, fh)
    return DEMO_ADMIN, password


def prepare(settings: Settings) -> tuple[str, str]:
    """Create and upgrade the database and the demo tenant; return the demo login."""
    ensure_database(settings.database_url)
    db = Database(settings.database_url, pooler=settings.db_pooler)
    try:
        for result in upgrade_all(db):
            if result.error:
                raise click.ClickException(f"{result.schema} failed to migrate: {result.error}")
        email, password = _demo_credentials(settings)
        with db.public() as session:
            exists = find_tenant(session, DEMO_SLUG) is not None
        if not exists:
            create_tenant(db, settings, DEMO_SLUG, DEMO_NAME, email, password)
            with db.tenant(schema_for(DEMO_SLUG)) as session:
                seed_demo(session)
        fill_pool(db, DEMO_POOL_SIZE)
        return email, password
    finally:
        db.dispose()


def run_up(bind: str) -> int:
    from saas.supervisor import run_processes

    instance = load_settings().instance
    # Until the supervisor takes over the signals, turn SIGTERM into an exit that still runs
    # the `finally` blocks stopping the embedded servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    with ExitStack() as stack:
        urls = _start_embedded(stack, instance)
        settings = load_settings(**urls)
        email, password = prepare(settings)
        env = dict(
            os.environ,
            DATABASE_URL=settings.database_url,
            REDIS_URL=settings.redis_url,
            KAOHE_INSTANCE=str(instance),
            KAOHE_BASE_URL=f"http://{bind}",
        )
        kaohe = [sys.executable, "-m", "saas.cli"]
        commands = [
            (
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    bind,
                    "--workers",
                    "2",
                    # No access log: one-time set-up and reset links carry their secret in
                    # the path, and a log of request lines would keep them.
                    "saas.wsgi:app",
                ],
            ),
            ("worker", [*kaohe, "worker"]),
        ]

        def announce() -> None:
            click.echo(f"\nKaohe is running at http://{bind}/")
            click.echo(f"  Demo organisation: http://{bind}/t/{DEMO_SLUG}/login")
            click.echo(f"  Log in as {email} with password {password}")
            click.echo(f"  Logs: {instance / 'logs'}    Stop: Ctrl-C\n")

        return run_processes(commands, env, announce, log_dir=instance / "logs")
