"""`kaohe db upgrade` and `kaohe db status` across many tenant schemas."""

import pytest
from click.testing import CliRunner

from saas.cli import main
from tenants.migrate import head, migrate_schema, status, upgrade_all
from tenants.slugs import schema_for


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("KAOHE_INSTANCE", str(settings.instance))
    return CliRunner()


def behind(db) -> set[str]:
    public, tenants = status(db)
    return {r.schema for r in [public, *tenants] if r.before != r.after}


@pytest.fixture
def outdated(db, make_tenant):
    """Three tenants rolled back to an empty schema, as if created before the tenant tree."""
    schemas = [schema_for(make_tenant().slug) for _ in range(3)]
    # Everything else in this database is brought to head first, so only these three lag.
    upgrade_all(db)
    for schema in schemas:
        migrate_schema(db.engine, "tenant", schema, "base")
    return schemas


def test_status_lists_schemas_not_at_head_and_exits_non_zero(cli_env, db, outdated):
    result = cli_env.invoke(main, ["db", "status"])
    assert result.exit_code == 1
    for schema in outdated:
        assert f"{schema}: at nothing, head is {head('tenant')}" in result.output
    assert set(outdated) == behind(db)


def test_upgrade_brings_every_tenant_to_head_and_is_idempotent(cli_env, db, outdated):
    first = cli_env.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    for schema in outdated:
        assert f"{schema}: empty -> {head('tenant')}" in first.output
    assert behind(db) == set()
    second = cli_env.invoke(main, ["db", "upgrade"])
    assert second.exit_code == 0
    assert "public: already at" in second.output
    assert "0 tenant schema(s) needed work" in second.output
    assert cli_env.invoke(main, ["db", "status"]).exit_code == 0


def test_an_interrupted_upgrade_is_finished_by_the_next_run(db, outdated):
    done = []

    def interrupt_after_first_tenant(result):
        if result.schema != "public":
            done.append(result.schema)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        upgrade_all(db, interrupt_after_first_tenant)
    assert len(done) == 1
    left = behind(db)
    assert left == set(outdated) - set(done)
    finished = upgrade_all(db)
    assert {r.schema for r in finished if r.changed} == left
    assert behind(db) == set()


def test_a_failing_tenant_does_not_stop_the_others(db, outdated):
    broken = outdated[0]
    with db.engine.begin() as connection:
        # A table the first migration wants to create already exists: that tenant fails.
        connection.exec_driver_sql(f'create table "{broken}".audit_entry (id int)')
    try:
        results = {r.schema: r for r in upgrade_all(db)}
        assert results[broken].error
        assert behind(db) == {broken}
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f'drop table "{broken}".audit_entry')
        upgrade_all(db)
    assert behind(db) == set()
