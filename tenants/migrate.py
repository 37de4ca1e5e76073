"""Alembic across schemas: the public tree once, the tenant tree in every tenant schema.

Each tenant migrates in its own transaction (PostgreSQL DDL is transactional), so an
interrupted run leaves every tenant either fully migrated or untouched, and a re-run finishes
the job. The script directories are loaded once per run, not once per tenant.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.ddl.base import AlterTable
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.sql.elements import quoted_name

from tenants.db import TENANT_SCHEMA, Database
from tenants.registry import Tenant
from tenants.slugs import schema_for

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "alembic_version"
# Any fixed number: one `db upgrade` at a time per database.
_UPGRADE_LOCK_ID = 734_212


@dataclass(frozen=True)
class SchemaResult:
    schema: str
    before: str | None
    after: str | None
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@cache
def alembic_config(tree: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS / tree))
    return config


@cache
def script_directory(tree: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(tree))


def head(tree: str) -> str:
    revision = script_directory(tree).get_current_head()
    assert revision is not None, f"the {tree} migration tree has no revisions"
    return revision


def _migrate(connection: Connection, tree: str, schema: str, target: str) -> None:
    script = script_directory(tree)
    downgrade = target == "base" or (
        target != "head" and _is_below_current(connection, schema, target)
    )

    def step(revision, _context):
        if downgrade:
            return script._downgrade_revs(target, revision)
        return script._upgrade_revs(target, revision)

    with _bound(connection, tree, schema) as bound:
        config = alembic_config(tree)
        with EnvironmentContext(config, script, fn=step, destination_rev=target) as env:
            env.configure(connection=bound, version_table_schema=schema)
            with env.begin_transaction():
                env.run_migrations()


@contextmanager
def _bound(connection: Connection, tree: str, schema: str) -> Iterator[Connection]:
    """The connection, with the tenant tree's placeholder schema ``tenant`` bound to ``schema``
    for every kind of statement a migration sends."""
    if tree != "tenant":
        yield connection
        return
    # Operations built on SQLAlchemy tables (create_table, create_index, foreign keys).
    connection = connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
    # Raw SQL in a migration (op.execute) is not translated; unqualified names land here.
    connection.exec_driver_sql(f'set local search_path to "{schema}", public')
    # Alembic's own ALTER TABLE statements (add_column, alter_column, drop_column,
    # rename_table, column comments: every AlterTable) carry a bare schema string that the
    # map never sees; without this, op.add_column(..., schema="tenant") fails with
    # 'schema "tenant" does not exist'.
    target = quoted_name(schema, quote=True)  # one quoted name, never split at dots

    def retarget(_connection, element, multiparams, params, _execution_options):
        if isinstance(element, AlterTable) and element.schema == TENANT_SCHEMA:
            element = copy.copy(element)
            element.schema = target
        return element, multiparams, params

    event.listen(connection, "before_execute", retarget, retval=True)
    try:
        yield connection
    finally:
        event.remove(connection, "before_execute", retarget)


def _is_below_current(connection: Connection, schema: str, target: str) -> bool:
    current = version_of(connection, schema)
    return current is not None and current != target


def version_of(connection: Connection, schema: str) -> str | None:
    exists = connection.scalar(
        text("select to_regclass(:name)"), {"name": f'"{schema}".{VERSION_TABLE}'}
    )
    if exists is None:
        return None
    return connection.scalar(text(f'select version_num from "{schema}".{VERSION_TABLE}'))


def migrate_schema(engine: Engine, tree: str, schema: str, target: str = "head") -> SchemaResult:
    """Bring one schema to ``target`` in one transaction."""
    with engine.begin() as connection:
        before = version_of(connection, schema)
        _migrate(connection, tree, schema, target)
        after = version_of(connection, schema)
    return SchemaResult(schema, before, after)


def tenant_versions(connection: Connection, schemas: Iterable[str]) -> dict[str, str | None]:
    """The current revision of many tenant schemas in two queries, however many there are."""
    schemas = list(schemas)
    if not schemas:
        return {}
    with_table = set(
        connection.scalars(
            text(
                "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where c.relname = :table and n.nspname = any(:schemas)"
            ),
            {"table": VERSION_TABLE, "schemas": schemas},
        )
    )
    versions: dict[str, str | None] = {schema: None for schema in schemas}
    if with_table:
        # Schema names come from validated slugs and are quoted besides.
        union = " union all ".join(
            f"select '{s}' as schema, version_num from \"{s}\".{VERSION_TABLE}"
            for s in sorted(with_table)
        )
        versions.update({row[0]: row[1] for row in connection.execute(text(union))})
    return versions


def _tenant_schemas(connection: Connection) -> list[str]:
    """Every tenant schema, and the pre-built ones waiting in the pool (kept at head too)."""
    slugs = connection.scalars(
        text(f"select slug from public.{Tenant.__tablename__} order by slug")
    )
    schemas = [schema_for(slug) for slug in slugs]
    if connection.scalar(text("select to_regclass('public.schema_pool')")) is not None:
        schemas += connection.scalars(text("select name from public.schema_pool order by name"))
    return schemas


def status(db: Database) -> tuple[SchemaResult, list[SchemaResult]]:
    """Where the public schema and every tenant schema stand; ``after`` is the head."""
    with db.engine.connect() as connection:
        public = SchemaResult("public", version_of(connection, "public"), head("public"))
        if public.before is None:
            return public, []
        versions = tenant_versions(connection, _tenant_schemas(connection))
    tenant_head = head("tenant")
    return public, [SchemaResult(s, v, tenant_head) for s, v in versions.items()]


def upgrade_all(
    db: Database, report: Callable[[SchemaResult], None] = lambda result: None
) -> list[SchemaResult]:
    """Upgrade public, then every tenant not at head; ``report`` hears of each schema."""
    results = []
    with db.engine.connect() as lock:
        lock.execute(text("select pg_advisory_lock(:id)"), {"id": _UPGRADE_LOCK_ID})
        try:
            public = migrate_schema(db.engine, "public", "public")
            report(public)
            results.append(public)
            _, tenants = status(db)
            for pending in tenants:
                if pending.before == pending.after:
                    continue
                try:
                    result = migrate_schema(db.engine, "tenant", pending.schema)
                except Exception as exc:  # one broken tenant must not stop the others
                    result = SchemaResult(pending.schema, pending.before, pending.before, str(exc))
                report(result)
                results.append(result)
        finally:
            lock.execute(text("select pg_advisory_unlock(:id)"), {"id": _UPGRADE_LOCK_ID})
            lock.commit()
    return results
