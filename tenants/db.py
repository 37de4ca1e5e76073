"""Database access: one engine per process, sessions bound to the public or a tenant schema.

Tenant tables are declared once under the placeholder schema ``tenant`` and bound to a real
schema per session with ``schema_translate_map``; a pooled connection therefore never carries
another tenant's ``search_path``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

TENANT_SCHEMA = "tenant"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PublicBase(DeclarativeBase):
    """Tables of the platform: the tenant registry, platform admins, the platform CA."""

    metadata = MetaData(schema="public", naming_convention=NAMING)


class TenantBase(DeclarativeBase):
    """Tables every tenant owns, one copy per ``tenant_<slug>`` schema."""

    metadata = MetaData(schema=TENANT_SCHEMA, naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def created_at_column():
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class Database:
    """The process's engine and the two ways to open a session on it.

    ``pooler="transaction"``: PostgreSQL is reached through a pooler in transaction mode
    (PgBouncer), which hands each transaction whichever server connection is free. psycopg
    prepares a statement on the server once it has run five times on a connection; the next
    transaction may then land on a server connection that lacks it (or already has one of the
    same name: DuplicatePreparedStatement), so prepared statements are turned off.
    """

    def __init__(self, url: str, *, pooler: str | None = None, **engine_options: Any) -> None:
        # No pre-ping: it costs a round trip on every checkout. A connection the server dropped
        # fails one request and is then discarded by the pool (SQLAlchemy invalidates it).
        options: dict[str, Any] = {"pool_size": 5, "max_overflow": 10, "pool_recycle": 3600}
        if pooler == "transaction":
            options["connect_args"] = {"prepare_threshold": None}
        options.update(engine_options)
        self.engine: Engine = create_engine(url, **options)

    def tenant_engine(self, schema: str) -> Engine:
        return self.engine.execution_options(schema_translate_map={TENANT_SCHEMA: schema})

    @staticmethod
    def bind_tenant(connection: Connection, schema: str) -> Connection:
        """``connection`` with tenant tables addressed in ``schema`` (same transaction)."""
        return connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})

    def public_session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def tenant_session(self, schema: str) -> Session:
        return Session(self.tenant_engine(schema), expire_on_commit=False)

    @contextmanager
    def public(self) -> Iterator[Session]:
        with self.public_session() as session, session.begin():
            yield session

    @contextmanager
    def tenant(self, schema: str) -> Iterator[Session]:
        with self.tenant_session(schema) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
