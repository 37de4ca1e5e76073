"""A pool of tenant schemas built ahead of time, so onboarding renames one instead of
running DDL while the platform admin waits.

Pooled schemas are ordinary tenant schemas (tables plus the tenant migration stamp) named
``pool_<hex>``; `kaohe db upgrade` migrates them with the tenants, so a claimed schema is
always at head. Claiming takes a row lock with SKIP LOCKED: two onboardings at once never get
the same schema, and neither waits for the other.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, func, select, text

from tenants.db import Database
from tenants.ddl import create_tables
from tenants.registry import PooledSchema

PREFIX = "pool_"
FILL_BATCH = 25  # schemas per transaction when filling: fewer commits, short locks


def pooled_count(db: Database) -> int:
    with db.public() as session:
        return session.scalar(select(func.count()).select_from(PooledSchema))


def fill_pool(db: Database, size: int) -> int:
    """Build schemas until the pool holds ``size``; returns how many were built."""
    missing = max(0, size - pooled_count(db))
    built = 0
    while built < missing:
        batch = min(FILL_BATCH, missing - built)
        with db.engine.begin() as connection:
            for _ in range(batch):
                name = PREFIX + secrets.token_hex(8)
                create_tables(connection, name)
                connection.execute(PooledSchema.__table__.insert().values(name=name))
        built += batch
    return built


def claim(connection: Connection, schema: str) -> bool:
    """Rename a pooled schema to ``schema`` inside the caller's transaction; False if the
    pool is empty (the caller then builds the schema itself)."""
    name = connection.scalar(
        text(
            "delete from public.schema_pool where name = ("
            " select name from public.schema_pool order by created_at"
            " limit 1 for update skip locked) returning name"
        )
    )
    if name is None:
        return False
    # Both names are ours: pool_<hex> and tenant_<validated slug>.
    connection.exec_driver_sql(f'ALTER SCHEMA "{name}" RENAME TO "{schema}"')
    return True
