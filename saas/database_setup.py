"""Create Kaohe's database on a server that does not have it yet."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    """Create the database ``url`` names if it is missing; True if it was created."""
    target = make_url(url)
    name = target.database
    if not name:
        raise ValueError("DATABASE_URL must name a database, e.g. .../kaohe")
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                text("select 1 from pg_database where datname = :name"), {"name": name}
            )
            if exists:
                return False
            quoted = server.dialect.identifier_preparer.quote(name)
            connection.exec_driver_sql(f"create database {quoted}")
            return True
    finally:
        server.dispose()
