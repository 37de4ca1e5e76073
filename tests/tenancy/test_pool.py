"""Onboarding from the pool of pre-built schemas."""

import pytest
from sqlalchemy import func, select, text

from saas.models.user import User
from saas.platform.onboarding import create_tenant
from tenants.migrate import head, status, upgrade_all, version_of
from tenants.pool import fill_pool, pooled_count
from tenants.slugs import schema_for
from tests.conftest import unique_slug


def schemas_named(db, pattern: str) -> set[str]:
    with db.engine.connect() as connection:
        return set(
            connection.scalars(
                text("select nspname from pg_namespace where nspname like :p"), {"p": pattern}
            )
        )


def test_fill_builds_schemas_at_head_up_to_the_size(db):
    fill_pool(db, pooled_count(db) + 2)
    before = pooled_count(db)
    assert fill_pool(db, before) == 0
    with db.engine.connect() as connection:
        names = connection.scalars(text("select name from public.schema_pool")).all()
        assert all(version_of(connection, name) == head("tenant") for name in names)
    assert set(names) <= schemas_named(db, "pool\\_%")


def test_onboarding_claims_a_pooled_schema(db, settings):
    fill_pool(db, pooled_count(db) + 1)
    pooled_before = schemas_named(db, "pool\\_%")
    slug = unique_slug("pooled")
    create_tenant(db, settings, slug, "池中单位", "a@pool.example.com", "x" * 12)
    claimed = pooled_before - schemas_named(db, "pool\\_%")
    assert len(claimed) == 1
    with db.tenant(schema_for(slug)) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_failed_onboarding_gives_the_schema_back(db, settings):
    fill_pool(db, pooled_count(db) + 1)
    count, names = pooled_count(db), schemas_named(db, "pool\\_%")

    def fail(_connection):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        create_tenant(db, settings, unique_slug(), "失败", "a@b.example.com", after_tables=fail)
    assert pooled_count(db) == count
    assert schemas_named(db, "pool\\_%") == names


def test_an_empty_pool_falls_back_to_building_the_schema(db, settings):
    with db.engine.begin() as connection:
        for name in connection.scalars(text("delete from public.schema_pool returning name")):
            connection.exec_driver_sql(f'drop schema "{name}" cascade')
    slug = unique_slug("nopool")
    create_tenant(db, settings, slug, "无池", "a@b.example.com", "x" * 12)
    with db.engine.connect() as connection:
        assert version_of(connection, schema_for(slug)) == head("tenant")


def test_pooled_schemas_are_migrated_with_the_tenants(db):
    from tenants.migrate import migrate_schema

    fill_pool(db, pooled_count(db) + 1)
    with db.engine.connect() as connection:
        name = connection.scalar(text("select name from public.schema_pool limit 1"))
    migrate_schema(db.engine, "tenant", name, "base")
    _, schemas = status(db)
    assert any(r.schema == name and r.before is None for r in schemas)
    upgrade_all(db)
    _, schemas = status(db)
    assert all(r.before == r.after for r in schemas)
