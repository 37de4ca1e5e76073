"""`kaohe db upgrade` across many tenants: a run with nothing to do, and a real migration.

Builds N tenant schemas in a scratch database, then prints
  - the no-op upgrade time (everything at head), against a baseline of one plain query per
    tenant schema reading its version (what a naive "check each tenant" loop costs),
  - a real migration: every tenant one revision behind (t0001 -> head), and the time per tenant.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres .venv/bin/python bench/migrations.py N
"""

from __future__ import annotations

import os
import secrets
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import saas.models  # noqa: F401  (the tenant tables the schemas are built with)
from saas.database_setup import ensure_database
from tenants.db import Database
from tenants.ddl import create_tables
from tenants.migrate import migrate_schema, upgrade_all
from tenants.registry import Tenant

BATCH = 50


def _build_tenants(db: Database, count: int) -> list[str]:
    schemas = []
    for start in range(0, count, BATCH):
        with db.engine.begin() as connection:
            for i in range(start, min(count, start + BATCH)):
                slug = f"bench-{i:05d}"
                connection.execute(
                    Tenant.__table__.insert().values(
                        slug=slug,
                        name=slug,
                        status="active",
                        plan="standard",
                        seat_limit=50,
                        locale="zh_CN",
                        time_zone="Asia/Shanghai",
                    )
                )
                schema = "tenant_" + slug.replace("-", "_")
                create_tables(connection, schema)
                schemas.append(schema)
    return schemas


def main(count: int) -> None:
    server = make_url(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    ).set(drivername="postgresql+psycopg")
    url = server.set(database=f"kaohe_bench_{secrets.token_hex(4)}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    db = Database(rendered)
    try:
        upgrade_all(db)
        started = time.perf_counter()
        schemas = _build_tenants(db, count)
        print(f"built {count} tenant schemas in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        with db.engine.connect() as connection:
            for schema in schemas:
                connection.execute(text(f'select version_num from "{schema}".alembic_version'))
        naive = time.perf_counter() - started
        started = time.perf_counter()
        upgrade_all(db)
        noop = time.perf_counter() - started
        print(f"baseline: one version query per tenant   {naive:6.2f} s")
        print(
            f"kaohe db upgrade, nothing to do          {noop:6.2f} s "
            f"({noop / naive:.2f}x the baseline; target <= 2 s)"
        )

        for schema in schemas:
            migrate_schema(db.engine, "tenant", schema, "t0001")
        started = time.perf_counter()
        results = upgrade_all(db)
        real = time.perf_counter() - started
        migrated = sum(1 for r in results if r.changed and r.schema != "public")
        print(
            f"kaohe db upgrade, t0001 -> head          {real:6.2f} s for {migrated} tenants "
            f"({real / max(migrated, 1) * 1000:.1f} ms each; target <= 120 s for 1,000)"
        )
    finally:
        db.dispose()
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
