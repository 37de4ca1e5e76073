"""Tenant provisioning: how fast a tenant schema and a whole tenant are created.

Prints, per tenant, the time of
  - the baseline: CREATE SCHEMA + plain ``metadata.create_all`` per schema,
  - Kaohe's table step: CREATE SCHEMA + the DDL script compiled once, sent a statement at a time,
  - onboarding's schema step with a pool: renaming a schema built ahead of time,
  - a whole tenant: registry row, tables, signing certificate, first admin, audit rows,
and the ratios against the baseline, measured in the same run against the same server.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres .venv/bin/python bench/provisioning.py N
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from saas.config import load_settings, normalise_database_url
from saas.database_setup import ensure_database
from saas.platform.onboarding import create_tenant
from tenants.db import TENANT_SCHEMA, Database, TenantBase
from tenants.ddl import create_tables
from tenants.migrate import upgrade_all
from tenants.pool import claim, fill_pool


def _timed(label: str, count: int, step) -> float:
    started = time.perf_counter()
    for i in range(count):
        step(i)
    per = (time.perf_counter() - started) / count
    print(f"{label:<44} {per * 1000:8.2f} ms/tenant  ({count} tenants)")
    return per


def main(count: int) -> None:
    server = make_url(
        normalise_database_url(
            os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
    )
    url = server.set(database=f"kaohe_bench_{secrets.token_hex(4)}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    db = Database(rendered)
    try:
        upgrade_all(db)
        tag = secrets.token_hex(3)

        def baseline(i: int) -> None:
            schema = f"base_{tag}_{i}"
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                bound = connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
                TenantBase.metadata.create_all(bound)

        def ours(i: int) -> None:
            with db.engine.begin() as connection:
                create_tables(connection, f"ours_{tag}_{i}")

        def pooled(i: int) -> None:
            with db.engine.begin() as connection:
                claim(connection, f"claimed_{tag}_{i}")

        ours(-1)  # compile the script once, outside the timing, as a running server has
        plain = _timed("baseline: metadata.create_all per schema", count, baseline)
        fast = _timed("kaohe: compiled DDL script per schema", count, ours)
        print(f"DDL script is {plain / fast:.1f}x faster than the baseline")
        started = time.perf_counter()
        fill_pool(db, count)
        print(
            f"{'filling the pool ahead of time':<44} "
            f"{(time.perf_counter() - started) * 1000 / count:8.2f} ms/schema"
        )
        claimed = _timed("kaohe: claim a pooled schema (rename)", count, pooled)
        print(f"pooled schema is {plain / claimed:.1f}x faster than the baseline")

        with tempfile.TemporaryDirectory() as instance:
            settings = load_settings(database_url=rendered, instance=Path(instance))
            create_tenant(db, settings, f"warm-{tag}", "预热", "a@warm.example.com", "x" * 12)
            fill_pool(db, count + 1)
            for n in (1, count):
                _timed(
                    f"whole tenant (create_tenant), batch of {n}",
                    n,
                    lambda i, n=n: create_tenant(
                        db,
                        settings,
                        f"b{n}-{tag}-{i}",
                        f"单位 {i}",
                        f"admin@{i}.example.com",
                    ),
                )
    finally:
        db.dispose()
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
