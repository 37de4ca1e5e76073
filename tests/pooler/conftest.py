"""Kaohe behind PgBouncer in transaction mode, the pooler most deployments put in front of
PostgreSQL: a private pgbouncer process in front of this run's test database.

In this folder, ``settings``, ``db`` and ``app`` are the root fixtures pointed at PgBouncer
with ``KAOHE_DB_POOLER=transaction``; every fixture built on them (``make_tenant``,
``tenant``, ``client``) goes through the pooler too.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from saas.config import Settings
from tenants.db import Database
from tenants.migrate import upgrade_all

# Enough server connections for every client the tests open at once: a request may hold one
# transaction open while it opens another, and too few would leave it waiting on itself.
POOL_SIZE = 8


@dataclass(frozen=True)
class Bouncer:
    url: str  # transaction pooling onto POOL_SIZE server connections
    single_url: str  # transaction pooling onto one server connection: every client shares it

    def admin(self) -> psycopg.Connection:
        """A plain psycopg connection through the pooler, for queries that run once."""
        return psycopg.connect(_libpq(self.url))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()}")
        try:
            psycopg.connect(url, connect_timeout=1).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="session")
def pgbouncer(database_url, tmp_path_factory) -> Iterator[Bouncer]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        pytest.fail("pgbouncer is missing: apt-get install pgbouncer (./dev test installs it)")
    target = make_url(database_url)
    folder = tmp_path_factory.mktemp("pgbouncer")
    port = _free_port()
    host, server_port = target.host or "127.0.0.1", target.port or 5432
    server = f"host={host} port={server_port} dbname={target.database}"
    if target.password:
        server += f" password={target.password}"
    user = target.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{target.database} = {server}\n"
        f"{target.database}_single = {server} pool_size=1\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {POOL_SIZE}\n"
        "max_client_conn = 200\n"
    )
    # pgbouncer refuses to run as root; it reads its files before switching user.
    as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
    log = folder / "pgbouncer.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, *as_user, str(folder / "pgbouncer.ini")], stdout=out, stderr=subprocess.STDOUT
        )
    pooled = target.set(host="127.0.0.1", port=port)
    bouncer = Bouncer(
        url=pooled.render_as_string(hide_password=False),
        single_url=pooled.set(database=f"{target.database}_single").render_as_string(
            hide_password=False
        ),
    )
    try:
        _wait_until_up(process, _libpq(bouncer.url), log)
        yield bouncer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def settings(settings, pgbouncer) -> Settings:
    return dataclasses.replace(settings, database_url=pgbouncer.url, db_pooler="transaction")


@pytest.fixture(scope="session")
def db(settings) -> Iterator[Database]:
    database = Database(settings.database_url, pooler=settings.db_pooler)
    upgrade_all(database)  # `kaohe db upgrade` through the pooler too
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app(settings, db) -> Iterator:
    from saas.app import create_app

    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["kaohe.db"].dispose()
