"""The DDL of a tenant schema, compiled once per process from the models.

New tenant schemas are created from this script and stamped at the tenant head instead of
replaying every migration; a test keeps the models and the migration tree identical, so both
paths build the same tables. The script is sent one statement at a time: Citus forwards each
DDL command to the node holding the schema and cannot forward a string of several commands
("cannot insert multiple commands into a prepared statement"). On plain PostgreSQL that costs
one round trip per statement, about a tenth more per schema on a busy two-core machine
(bench/provisioning.py); onboarding from the pool runs none of it while anyone waits.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from tenants.db import TENANT_SCHEMA, TenantBase
from tenants.migrate import VERSION_TABLE, head

_PLACEHOLDER = f"__[SCHEMA_{TENANT_SCHEMA}]"


@cache
def tenant_ddl() -> tuple[str, ...]:
    """CREATE statements for every tenant table, one command each, with a placeholder for
    the schema.

    The tables are the ones the application declared on ``TenantBase``: tenancy knows no
    model of its own, so the application's models must be imported first.
    """
    if not TenantBase.metadata.tables:
        raise RuntimeError("no tenant tables are declared: import the application's models")
    dialect = postgresql.dialect()
    translate = {TENANT_SCHEMA: TENANT_SCHEMA}

    def compiled(element) -> str:
        return str(element.compile(dialect=dialect, schema_translate_map=translate)).strip()

    statements, deferred = [], []
    for table in TenantBase.metadata.sorted_tables:
        # Foreign keys that close a cycle (use_alter) are added once every table exists.
        inline = [fk for fk in table.foreign_key_constraints if not fk.use_alter]
        deferred.extend(fk for fk in table.foreign_key_constraints if fk.use_alter)
        statements.append(compiled(CreateTable(table, include_foreign_key_constraints=inline)))
        statements.extend(
            compiled(CreateIndex(index))
            for index in sorted(table.indexes, key=lambda ix: ix.name or "")
        )
    statements.extend(compiled(AddConstraint(fk)) for fk in deferred)
    # Triggers and their functions, declared on a table as info["after_create"].
    for table in TenantBase.metadata.sorted_tables:
        statements.extend(
            sql.format(schema=_PLACEHOLDER) for sql in table.info.get("after_create", ())
        )
    statements.append(
        f"CREATE TABLE {_PLACEHOLDER}.{VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
        f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
    )
    statements.append(f"INSERT INTO {_PLACEHOLDER}.{VERSION_TABLE} VALUES ('{head('tenant')}')")
    return tuple(statements)


def create_tables(connection: Connection, schema: str) -> None:
    """Create the schema and every tenant table in it, stamped at the tenant head."""
    # The schema name comes from a validated slug: only a-z, 0-9 and underscores.
    connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    quoted = f'"{schema}"'
    for statement in tenant_ddl():
        connection.exec_driver_sql(statement.replace(_PLACEHOLDER, quoted))
