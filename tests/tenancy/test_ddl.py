"""Provisioning sends the tenant DDL one statement at a time.

Citus forwards each DDL command to the node that holds the tenant's schema and refuses a
string of several ("cannot insert multiple commands into a prepared statement"). Plain
PostgreSQL refuses them the same way once psycopg prepares every statement
(``prepare_threshold=0``), so these tests provision through such an engine and also record
every statement sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from saas.platform.onboarding import create_tenant
from tenants.db import Database
from tenants.ddl import tenant_ddl
from tenants.migrate import head, version_of
from tenants.pool import fill_pool, pooled_count
from tenants.slugs import schema_for
from tests.conftest import unique_slug

# Dollar-quoted bodies (plpgsql) and string literals may hold semicolons of their own.
_QUOTED = re.compile(r"\$\$.*?\$\$|'(?:[^']|'')*'", re.DOTALL)


def commands_in(statement: str) -> int:
    bare = _QUOTED.sub("''", statement).strip().rstrip(";")
    return bare.count(";") + 1


@pytest.fixture
def strict_db(settings, db) -> Iterator[Database]:
    """An engine on which PostgreSQL refuses any string of more than one command."""
    database = Database(settings.database_url, connect_args={"prepare_threshold": 0})
    yield database
    database.dispose()


@pytest.fixture
def sent(strict_db) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(strict_db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(strict_db.engine, "before_cursor_execute", record)


def test_the_compiled_script_holds_one_command_per_statement():
    script = tenant_ddl()
    assert len(script) > 20
    assert all(commands_in(statement) == 1 for statement in script)
    assert tenant_ddl() is script  # compiled once per process


def ddl_sent_for(schema: str, statements: list[str]) -> list[str]:
    return [s for s in statements if f'"{schema}"' in s and not s.lstrip().startswith("select")]


def test_a_new_tenant_schema_is_created_statement_by_statement(strict_db, settings, sent):
    # An empty pool makes onboarding build the schema itself.
    with strict_db.engine.begin() as connection:
        for name in connection.scalars(text("delete from public.schema_pool returning name")):
            connection.exec_driver_sql(f'drop schema "{name}" cascade')
    slug = unique_slug("ddl")
    create_tenant(strict_db, settings, slug, "逐条建表", "a@ddl.example.com")
    schema = schema_for(slug)
    ddl = ddl_sent_for(schema, sent)
    assert len(ddl) == len(tenant_ddl()) + 1  # CREATE SCHEMA, then the script
    assert all(commands_in(statement) == 1 for statement in sent)
    with strict_db.engine.connect() as connection:
        assert version_of(connection, schema) == head("tenant")


def test_the_pool_is_filled_statement_by_statement(strict_db, sent):
    assert fill_pool(strict_db, pooled_count(strict_db) + 2) == 2
    creates = [s for s in sent if s.startswith('CREATE SCHEMA "pool_')]
    assert len(creates) == 2
    for create in creates:
        schema = create.removeprefix("CREATE SCHEMA ").strip('"')
        assert len(ddl_sent_for(schema, sent)) == len(tenant_ddl()) + 1
    assert all(commands_in(statement) == 1 for statement in sent)
