"""Every alembic operation in the tenant tree works with ``schema="tenant"``, as
migrations/README.md tells authors to write them.

A test-only revision on top of the real tenant head, in a temporary copy of the tree, alters
a real tenant schema with the operations alembic renders itself (add, alter, rename and drop a
column, a column comment) and with those SQLAlchemy renders (an index).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tenants import migrate
from tenants.ddl import create_tables
from tenants.migrate import head, migrate_schema, version_of

REVISION = '''"""Test only: a note on each scheme."""

import sqlalchemy as sa
from alembic import op

revision = "test_note"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scheme", sa.Column("note", sa.String(20)), schema="tenant")
    op.alter_column("scheme", "note", type_=sa.String(200), comment="why", schema="tenant")
    op.alter_column("scheme", "note", new_column_name="remark", schema="tenant")
    op.create_index("ix_scheme_remark", "scheme", ["remark"], schema="tenant")


def downgrade() -> None:
    op.drop_index("ix_scheme_remark", table_name="scheme", schema="tenant")
    op.drop_column("scheme", "remark", schema="tenant")
'''


@pytest.fixture
def two_schemas(db) -> Iterator[list[str]]:
    names = [f"ops_{secrets.token_hex(4)}" for _ in range(2)]
    with db.engine.begin() as connection:
        for name in names:
            create_tables(connection, name)
    yield names
    with db.engine.begin() as connection:
        for name in names:
            connection.exec_driver_sql(f'drop schema "{name}" cascade')


@pytest.fixture
def test_tree(two_schemas, tmp_path, monkeypatch) -> str:
    """The tenant tree plus the test revision, in place of the real one for this test.

    Patched only once the schemas exist: they are built (and stamped) at the real head.
    """
    real_head = head("tenant")
    versions = tmp_path / "tenant" / "versions"
    shutil.copytree(migrate.MIGRATIONS / "tenant" / "versions", versions)
    (versions / "9999_test_note.py").write_text(REVISION.format(down=real_head))
    config = Config()
    config.set_main_option("script_location", str(tmp_path / "tenant"))
    script = ScriptDirectory.from_config(config)
    monkeypatch.setattr(migrate, "alembic_config", lambda tree: config)
    monkeypatch.setattr(migrate, "script_directory", lambda tree: script)
    return real_head


def columns(db, schema: str) -> dict[str, tuple[str, int | None, str | None]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select c.column_name, c.data_type, c.character_maximum_length,"
                " col_description(format('%I.%I', c.table_schema, c.table_name)::regclass,"
                " c.ordinal_position)"
                " from information_schema.columns c"
                " where c.table_schema = :schema and c.table_name = 'scheme'"
            ),
            {"schema": schema},
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def indexes(db, schema: str) -> set[str]:
    with db.engine.connect() as connection:
        return set(
            connection.scalars(
                text("select indexname from pg_indexes where schemaname = :s"), {"s": schema}
            )
        )


def test_alembic_ops_with_schema_tenant_alter_the_tenant_schema(db, test_tree, two_schemas):
    target, other = two_schemas
    before = columns(db, target)

    result = migrate_schema(db.engine, "tenant", target)

    assert (result.before, result.after) == (test_tree, "test_note")
    after = columns(db, target)
    assert after.pop("remark") == ("character varying", 200, "why")
    assert after == before
    assert "ix_scheme_remark" in indexes(db, target)
    # The other tenant, migrated by nobody, is untouched.
    assert columns(db, other) == before
    assert "ix_scheme_remark" not in indexes(db, other)

    migrate_schema(db.engine, "tenant", target, test_tree)
    assert columns(db, target) == before
    assert "ix_scheme_remark" not in indexes(db, target)
    with db.engine.connect() as connection:
        assert version_of(connection, target) == test_tree
