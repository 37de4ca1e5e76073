import pytest
from sqlalchemy import func, inspect, select, text

from saas.models.audit import AuditEntry, PlatformAuditEntry
from saas.models.signing import SigningIdentity
from saas.models.user import Role, User
from saas.platform.onboarding import (
    ProvisioningError,
    create_tenant,
    drop_tenant,
    resume_tenant,
    suspend_tenant,
)
from tenants.migrate import head, migrate_schema, version_of
from tenants.registry import Tenant, find_tenant
from tenants.slugs import InvalidSlug, schema_for
from tests.conftest import ADMIN_PASSWORD, unique_slug


def schema_exists(db, schema: str) -> bool:
    with db.engine.connect() as connection:
        return bool(
            connection.scalar(
                text("select count(*) from pg_namespace where nspname = :s"), {"s": schema}
            )
        )


def registered(db, slug: str) -> bool:
    with db.public() as session:
        return find_tenant(session, slug) is not None


def test_creates_schema_tables_admin_and_signing_identity(db, tenant):
    schema = schema_for(tenant.slug)
    assert schema_exists(db, schema)
    with db.tenant(schema) as session:
        admin = session.scalar(select(User))
        assert admin.email == tenant.admin_email
        assert admin.has_role(Role.TENANT_ADMIN)
        assert admin.check_password(ADMIN_PASSWORD)
        assert session.scalar(select(func.count()).select_from(SigningIdentity)) == 1
        assert session.scalar(select(AuditEntry.action)) == "tenant.created"
    with db.engine.connect() as connection:
        assert version_of(connection, schema) == head("tenant")


def test_without_a_password_the_admin_gets_a_one_time_setup_link(db, settings):
    from saas.accounts import tokens
    from saas.models.tokens import TokenPurpose

    created = create_tenant(db, settings, unique_slug(), "某物业公司", "hr@wuye.example.com")
    prefix = f"{settings.base_url}/t/{created.slug}/accounts/welcome/"
    assert created.setup_link.startswith(prefix)
    secret = created.setup_link.removeprefix(prefix)
    with db.tenant(schema_for(created.slug)) as session:
        admin = session.scalar(select(User))
        assert admin.password_hash is None and admin.has_role(Role.TENANT_ADMIN)
        link = tokens.find(session, secret, TokenPurpose.INVITE)
        assert link.state is tokens.LinkState.VALID and link.user.id == admin.id


def test_with_a_password_there_is_no_setup_link(db, settings):
    created = create_tenant(db, settings, unique_slug(), "单位", "a@b.example.com", "x" * 12)
    assert created.setup_link is None


def test_failure_after_tables_leaves_no_schema_and_no_registry_row(db, settings):
    slug = unique_slug("atomic")

    def fail(_connection):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        create_tenant(db, settings, slug, "半途失败", "a@b.example.com", after_tables=fail)
    assert not schema_exists(db, schema_for(slug))
    assert not registered(db, slug)
    with db.public() as session:
        assert not session.scalar(
            select(func.count())
            .select_from(PlatformAuditEntry)
            .where(PlatformAuditEntry.record_id == slug)
        )


@pytest.mark.parametrize(
    "step",
    ["ensure_platform_authority", "create_signing_identity", "_add_admin", "_setup_link", "record"],
)
def test_a_failure_in_the_platform_half_leaves_nothing(db, settings, monkeypatch, step):
    """Each step of the application half runs in the tenancy half's transaction: if any
    fails, the schema and the registry row go too."""
    import saas.platform.onboarding as onboarding

    slug = unique_slug("late")

    def broken(*_args, **_kwargs):
        raise RuntimeError(f"{step} failed")

    monkeypatch.setattr(onboarding, step, broken)
    with pytest.raises(RuntimeError, match=step):
        create_tenant(db, settings, slug, "最后一步失败", "a@b.example.com")
    assert not schema_exists(db, schema_for(slug))
    assert not registered(db, slug)


def test_duplicate_slug_is_refused_and_the_first_tenant_is_untouched(db, settings, tenant):
    with pytest.raises(ProvisioningError, match="already exists"):
        create_tenant(db, settings, tenant.slug, "重复", "x@y.example.com")
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.scalar(select(User.email)) == tenant.admin_email


@pytest.mark.parametrize("slug", ['a"; drop schema public; --', "../", "Upper", "食堂"])
def test_bad_slugs_create_nothing(db, settings, slug):
    with db.engine.connect() as connection:
        before = connection.scalar(text("select count(*) from pg_namespace"))
    with pytest.raises(InvalidSlug):
        create_tenant(db, settings, slug, "坏名字", "a@b.example.com")
    with db.engine.connect() as connection:
        assert connection.scalar(text("select count(*) from pg_namespace")) == before
        assert connection.scalar(text("select to_regclass('public.tenant')")) is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "  ", "name"), ("admin_email", "not-an-email", "e-mail"), ("locale", "fr", "Locale")],
)
def test_bad_details_are_refused_with_a_message(db, settings, field, value, message):
    details = {"name": "单位", "admin_email": "a@b.example.com", "locale": "zh_CN"}
    details[field] = value
    slug = unique_slug()
    with pytest.raises(ProvisioningError, match=message):
        create_tenant(
            db, settings, slug, details["name"], details["admin_email"], locale=details["locale"]
        )
    assert not registered(db, slug)


def test_suspend_resume_and_drop(db, tenant):
    suspend_tenant(db, tenant.slug, "contract ended")
    with db.public() as session:
        assert find_tenant(session, tenant.slug).is_suspended
    resume_tenant(db, tenant.slug)
    with db.public() as session:
        # A new tenant is on trial, and resuming gives it back its trial, not "active".
        assert find_tenant(session, tenant.slug).status == "trial"
    drop_tenant(db, tenant.slug)
    assert not registered(db, tenant.slug)
    assert not schema_exists(db, schema_for(tenant.slug))
    with db.public() as session:
        actions = session.scalars(
            select(PlatformAuditEntry.action)
            .where(PlatformAuditEntry.record_id == tenant.slug)
            .order_by(PlatformAuditEntry.id)  # a table without ORDER BY has no order
        ).all()
    assert actions == ["tenant.created", "tenant.suspended", "tenant.resumed", "tenant.dropped"]


def test_unknown_tenant_cannot_be_suspended(db):
    with pytest.raises(ProvisioningError, match="no tenant"):
        suspend_tenant(db, "no-such-tenant", "a reason")


def _structure(db, schema: str) -> dict:
    """Everything about a schema's tables that a migration must get right."""
    inspector = inspect(db.engine)
    tables = {}
    for table in sorted(inspector.get_table_names(schema=schema)):
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"])
                for c in inspector.get_columns(table, schema)
            ],
            "pk": inspector.get_pk_constraint(table, schema),
            "fks": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    fk["referred_schema"] == schema,
                    fk["options"].get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table, schema)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), i["unique"])
                for i in inspector.get_indexes(table, schema)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table, schema)
            ),
            "checks": sorted(
                (c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table, schema)
            ),
        }
    tables["triggers"] = _triggers(db, schema)
    return tables


def _triggers(db, schema: str) -> list[tuple[str, str, str, str]]:
    """Triggers (table, name, function, definition of the function) of a schema."""
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "select c.relname, t.tgname, p.proname, p.prosrc from pg_trigger t"
            " join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace"
            " join pg_proc p on p.oid = t.tgfoid"
            " where n.nspname = %(schema)s and not t.tgisinternal order by 1, 2",
            {"schema": schema},
        )
        return [tuple(row) for row in rows]


def test_provisioned_tables_equal_the_migrated_tree(db, tenant):
    """Provisioning creates tables from the models; migrations must build exactly the same."""
    migrated = "tenant_migrated_" + tenant.slug.replace("-", "_")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f'create schema "{migrated}"')
    try:
        migrate_schema(db.engine, "tenant", migrated)
        assert _structure(db, migrated) == _structure(db, schema_for(tenant.slug))
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f'drop schema "{migrated}" cascade')


def test_registry_row_matches_what_was_asked(db, settings):
    slug = unique_slug()
    create_tenant(
        db,
        settings,
        slug,
        "Port Grain Co",
        "ops@port.example.com",
        "x" * 12,
        locale="en",
        time_zone="Europe/Berlin",
        seat_limit=7,
    )
    with db.public() as session:
        row = session.scalar(select(Tenant).where(Tenant.slug == slug))
        assert (row.name, row.locale, row.time_zone, row.seat_limit, row.status) == (
            "Port Grain Co",
            "en",
            "Europe/Berlin",
            7,
            "trial",
        )
