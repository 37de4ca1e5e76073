"""Behind a transaction-mode pooler, psycopg's server-side prepared statements break; with
``KAOHE_DB_POOLER=transaction`` there are none.

psycopg prepares a statement on the server once it has run five times on a connection.
PgBouncer hands each transaction whichever server connection is free, so two clients that
both prepare end up on one server connection: ``prepared statement "_pg3_0" already exists``.
"""

from __future__ import annotations

import pytest
from psycopg import errors
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from saas.config import load_settings
from tenants.db import Database
from tenants.registry import Tenant

ROUNDS = 12  # each client runs the same statement twice psycopg's prepare threshold


def same_statement_from_two_clients(db: Database) -> None:
    first, second = db.engine.connect(), db.engine.connect()
    try:
        for round_ in range(ROUNDS):
            for client in (first, second):
                run(client, f"nobody-{round_}")
    finally:
        first.close()
        second.close()


def run(client: Connection, slug: str) -> None:
    client.execute(select(Tenant.id).where(Tenant.slug == slug)).all()
    client.commit()


def test_without_the_setting_prepared_statements_collide(db, pgbouncer):
    plain = Database(pgbouncer.single_url, pool_size=2)
    try:
        with pytest.raises(DBAPIError) as failure:
            same_statement_from_two_clients(plain)
        assert isinstance(failure.value.orig, errors.DuplicatePreparedStatement)
    finally:
        plain.dispose()


def test_with_the_setting_repeated_statements_go_through(db, pgbouncer):
    pooled = Database(pgbouncer.single_url, pooler="transaction", pool_size=2)
    try:
        same_statement_from_two_clients(pooled)
    finally:
        pooled.dispose()


def test_the_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KAOHE_INSTANCE", str(tmp_path))
    monkeypatch.delenv("KAOHE_DB_POOLER", raising=False)
    assert load_settings().db_pooler is None
    monkeypatch.setenv("KAOHE_DB_POOLER", "Transaction")
    assert load_settings().db_pooler == "transaction"
    monkeypatch.setenv("KAOHE_DB_POOLER", "statement")
    with pytest.raises(ValueError, match="KAOHE_DB_POOLER"):
        load_settings()


def test_web_jobs_and_cli_all_turn_prepares_off(settings, monkeypatch):
    from saas import cli
    from saas.app import create_app
    from workers.runtime import process_database

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KAOHE_INSTANCE", str(settings.instance))
    monkeypatch.setenv("KAOHE_DB_POOLER", "transaction")
    databases = {
        "web": create_app(load_settings()).extensions["kaohe.db"],
        "jobs": process_database(load_settings()),
        "cli": cli._database(),
    }
    for where, database in databases.items():
        with database.engine.connect() as connection:
            assert connection.connection.driver_connection.prepare_threshold is None, where
        database.dispose()
