"""The audit log is append-only: no route changes or deletes a row, and the model layer refuses.

A full run of the account actions is watched at the engine: the application never sends an
UPDATE or DELETE on audit_entry. The guard in saas/audit/guard.py refuses every way of trying.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, event, select, text, update

from saas.audit.guard import AuditIsAppendOnly
from saas.models.audit import AuditEntry, PlatformAuditEntry, record
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import (
    NEW_PASSWORD,
    add_user,
    english,
    invite,
    link_in,
    logged_in,
    post,
    set_password,
    user_by_email,
)
from tests.conftest import csrf_token, login

CHANGES_AUDIT = re.compile(r"^\s*(UPDATE|DELETE|TRUNCATE)\b[^;]*\baudit_entry\b", re.I | re.S)


def test_the_audit_area_has_read_only_routes(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert rules
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_writing_methods_on_the_audit_page_are_refused(app, tenant):
    client = logged_in(app, tenant)
    token = csrf_token(client, f"/t/{tenant.slug}/accounts/")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.open(
            f"/t/{tenant.slug}/audit/", method=method, data={"csrf_token": token}
        )
        assert response.status_code == 405, method


@pytest.fixture
def statements(app):
    """Every SQL statement the app's engine sends while the test runs."""
    sent: list[str] = []
    engine = app.extensions["kaohe.db"].engine

    def collect(_conn, _cursor, statement, _params, _context, _many):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    yield sent
    event.remove(engine, "before_cursor_execute", collect)


def test_a_full_run_of_account_actions_never_updates_or_deletes_audit_rows(
    app, db, tenant, statements
):
    admin = logged_in(app, tenant)
    base = f"/t/{tenant.slug}"
    email = f"run@{tenant.slug}.example.com"
    welcome = link_in(invite(admin, tenant, email, ["employee"]).get_data(as_text=True))
    user = user_by_email(db, tenant, email).id
    post(admin, tenant, f"/accounts/{user}/invitation")
    welcome = link_in(post(admin, tenant, f"/accounts/{user}/invitation").get_data(as_text=True))
    assert set_password(english(app.test_client()), welcome, name="Run").status_code == 302
    post(admin, tenant, f"/accounts/{user}/roles", {"roles": ["manager", "employee"]})
    post(admin, tenant, f"/accounts/{user}/roles", {"roles": []})  # refused
    post(admin, tenant, f"/accounts/{user}/disable", headers={"HX-Request": "true"})
    post(admin, tenant, f"/accounts/{user}/enable")
    reset = link_in(post(admin, tenant, f"/accounts/{user}/reset-link").get_data(as_text=True))
    assert set_password(app.test_client(), reset).status_code == 302
    assert login(app.test_client(), tenant, email=email, password=NEW_PASSWORD).status_code == 302
    me = user_by_email(db, tenant, tenant.admin_email).id
    post(admin, tenant, f"/accounts/{me}/disable")  # refused: yourself
    visitor = app.test_client()
    token = csrf_token(visitor, f"{base}/accounts/forgot")
    visitor.post(f"{base}/accounts/forgot", data={"email": email, "csrf_token": token})
    for params in ({}, {"actor": tenant.admin_email}, {"record_type": "user", "record_id": user}):
        assert admin.get(f"{base}/audit/", query_string=params).status_code == 200
    for method in ("PUT", "PATCH", "DELETE"):
        admin.open(f"{base}/audit/", method=method)

    writes = [s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert any("audit_entry" in s for s in writes), "the run wrote no audit rows at all"
    assert not [s for s in statements if CHANGES_AUDIT.match(s)]
    with db.tenant(schema_for(tenant.slug)) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == str(user))
        ).all()
    assert {"user.invited", "user.invitation_accepted", "user.roles_changed"} <= set(actions)
    assert {"user.disabled", "user.enabled", "user.reset_issued", "user.password_reset"} <= set(
        actions
    )


@pytest.fixture
def entry(db, tenant) -> int:
    with db.tenant(schema_for(tenant.slug)) as session:
        record(session, "someone@example.com", "employee.created", "employee", 1, None, {"a": 1})
        session.flush()
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))


def _unchanged(db, tenant, entry_id: int) -> None:
    with db.tenant(schema_for(tenant.slug)) as session:
        row = session.get(AuditEntry, entry_id)
        assert row is not None and row.actor == "someone@example.com" and row.after == {"a": 1}


def test_changing_an_entry_through_the_orm_is_refused(db, tenant, entry):
    with pytest.raises(AuditIsAppendOnly), db.tenant(schema_for(tenant.slug)) as session:
        session.get(AuditEntry, entry).actor = "forger@example.com"
        session.flush()
    _unchanged(db, tenant, entry)


def test_deleting_an_entry_through_the_orm_is_refused(db, tenant, entry):
    with pytest.raises(AuditIsAppendOnly), db.tenant(schema_for(tenant.slug)) as session:
        session.delete(session.get(AuditEntry, entry))
        session.flush()
    _unchanged(db, tenant, entry)


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor="forger@example.com"),
        delete(AuditEntry),
        text("UPDATE audit_entry SET actor = 'forger'"),
        text("DELETE FROM audit_entry"),
        text("TRUNCATE audit_entry"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete", "sql-truncate"],
)
def test_bulk_and_raw_changes_are_refused(db, tenant, entry, statement):
    with pytest.raises(AuditIsAppendOnly), db.tenant(schema_for(tenant.slug)) as session:
        session.execute(text(f'SET LOCAL search_path TO "{schema_for(tenant.slug)}"'))
        session.execute(statement)
    _unchanged(db, tenant, entry)


def test_the_platform_audit_log_is_append_only_too(db):
    with pytest.raises(AuditIsAppendOnly), db.public() as session:
        session.execute(delete(PlatformAuditEntry).where(PlatformAuditEntry.id < 0))


def test_adding_entries_still_works(db, tenant, entry):
    with db.tenant(schema_for(tenant.slug)) as session:
        record(session, "x@example.com", "user.enabled", "user", 2, {"status": "disabled"}, None)
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.actor == "x@example.com"))


def test_other_tables_can_still_be_updated(db, tenant):
    add_user(db, tenant, f"u@{tenant.slug}.example.com", [Role.EMPLOYEE])
    with db.tenant(schema_for(tenant.slug)) as session:
        session.execute(text(f'SET LOCAL search_path TO "{schema_for(tenant.slug)}"'))
        session.execute(text("UPDATE user_account SET last_login_at = now()"))
    assert user_by_email(
        db, tenant, f"u@{tenant.slug}.example.com"
    ).last_login_at <= dt.datetime.now(dt.UTC)
