"""The users page: who may use it, inviting, roles, disabling, seats and the last admin."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from saas.models.audit import AuditEntry
from saas.models.people import Employee
from saas.models.tokens import AccountToken
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import (
    add_employee,
    add_user,
    admin_id,
    invite,
    link_in,
    logged_in,
    post,
    user_by_email,
)


def audit_rows(db, tenant, action: str) -> list[AuditEntry]:
    with db.tenant(schema_for(tenant.slug)) as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


# -- who may manage users -------------------------------------------------------------------

NON_ADMIN_ROLES = [Role.COMMITTEE, Role.MANAGER, Role.INSPECTOR, Role.EMPLOYEE]


def admin_routes(target_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/accounts/"),
        ("GET", "/accounts/invite"),
        ("POST", "/accounts/invite"),
        ("POST", f"/accounts/{target_id}/roles"),
        ("POST", f"/accounts/{target_id}/disable"),
        ("POST", f"/accounts/{target_id}/enable"),
        ("POST", f"/accounts/{target_id}/invitation"),
        ("POST", f"/accounts/{target_id}/reset-link"),
    ]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=str)
def test_only_tenant_admins_manage_users(app, db, tenant, role):
    email = f"{role}@{tenant.slug}.example.com"
    add_user(db, tenant, email, [role])
    target = add_user(db, tenant, f"target@{tenant.slug}.example.com", [Role.EMPLOYEE])
    client = logged_in(app, tenant, email)
    for method, path in admin_routes(target):
        if method == "GET":
            response = client.get(f"/t/{tenant.slug}{path}")
        else:
            response = post(
                client, tenant, path, {"roles": ["tenant_admin"], "email": "x@example.com"}
            )
        assert response.status_code == 403, (role, method, path)
    # Nothing changed: the target keeps its role, nobody new was invited.
    target_user = user_by_email(db, tenant, f"target@{tenant.slug}.example.com")
    assert target_user.role_names == {"employee"} and target_user.is_active_account
    assert user_by_email(db, tenant, "x@example.com") is None
    assert "/accounts/" not in client.get(f"/t/{tenant.slug}/").get_data(as_text=True)


def test_a_user_with_several_roles_including_admin_manages_users(app, db, tenant):
    email = f"both@{tenant.slug}.example.com"
    add_user(db, tenant, email, [Role.MANAGER, Role.TENANT_ADMIN])
    client = logged_in(app, tenant, email)
    assert client.get(f"/t/{tenant.slug}/accounts/").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, tenant):
    for method, path in admin_routes(1):
        response = client.open(f"/t/{tenant.slug}{path}", method=method)
        if method == "POST":
            assert response.status_code == 400  # no CSRF token: refused before anything
        else:
            assert response.status_code == 302
            assert f"/t/{tenant.slug}/login" in response.headers["Location"]


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_roles_status_last_login_and_employee(app, db, tenant, admin):
    add_user(db, tenant, f"gone@{tenant.slug}.example.com", [Role.INSPECTOR], active=False)
    employee = add_employee(db, tenant, "E-0042", "王小红")
    invite(admin, tenant, f"new@{tenant.slug}.example.com", ["manager"], employee_number="E-0042")
    page = admin.get(f"/t/{tenant.slug}/accounts/").get_data(as_text=True)
    assert tenant.admin_email in page
    assert "badge-active" in page and "badge-invited" in page and "badge-disabled" in page
    assert "王小红" in page and "E-0042" in page
    # The admin just logged in; the others never did.
    assert page.count("never") >= 2
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.get(Employee, employee).user_id is not None
    # Active users are listed first, disabled ones last.
    assert page.index(tenant.admin_email) < page.index("new@") < page.index("gone@")


def test_the_htmx_request_gets_the_table_only(admin, tenant):
    response = admin.get(f"/t/{tenant.slug}/accounts/", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<table" in body and "<html" not in body


# -- inviting -------------------------------------------------------------------------------


def test_invite_without_mail_shows_the_link_once_and_never_logs_it(admin, db, tenant, caplog):
    caplog.set_level(logging.DEBUG)
    response = invite(admin, tenant, f"li.lei@{tenant.slug}.example.com", ["employee", "manager"])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    link = link_in(body)
    assert response.headers["Cache-Control"] == "no-store"
    secret = link.rsplit("/", 1)[1]
    assert all(secret not in record.getMessage() for record in caplog.records)
    # Only the hash is stored; the link appears nowhere afterwards.
    with db.tenant(schema_for(tenant.slug)) as session:
        token = session.scalar(select(AccountToken))
        assert token.token_hash != secret and len(token.token_hash) == 64
        assert secret not in repr(session.scalars(select(AuditEntry.after)).all())
    assert secret not in admin.get(f"/t/{tenant.slug}/accounts/").get_data(as_text=True)
    user = user_by_email(db, tenant, f"li.lei@{tenant.slug}.example.com")
    assert user.password_hash is None and user.role_names == {"employee", "manager"}
    invited = audit_rows(db, tenant, "user.invited")[-1]
    assert invited.actor == tenant.admin_email and invited.after["roles"] == [
        "manager",
        "employee",
    ]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"roles": []}, "roles"),
        ({"roles": ["root"]}, "roles"),
        ({"employee_number": "NO-SUCH"}, "employee_number"),
    ],
)
def test_invalid_invitations_are_refused_next_to_the_field(admin, db, tenant, fields, error_field):
    data = {"email": f"ok@{tenant.slug}.example.com", "roles": ["employee"], **fields}
    response = invite(admin, tenant, data.pop("email"), data.pop("roles"), **data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "field-error" in body
    assert user_by_email(db, tenant, f"ok@{tenant.slug}.example.com") is None
    assert not audit_rows(db, tenant, "user.invited")


def test_an_email_already_in_use_is_refused(admin, db, tenant):
    response = invite(admin, tenant, tenant.admin_email.upper())
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_an_employee_already_linked_cannot_be_linked_again(admin, db, tenant):
    add_employee(db, tenant, "E-7", "赵六")
    assert (
        invite(admin, tenant, f"a@{tenant.slug}.example.com", employee_number="E-7").status_code
        == 200
    )
    second = invite(admin, tenant, f"b@{tenant.slug}.example.com", employee_number="E-7")
    assert second.status_code == 400
    assert user_by_email(db, tenant, f"b@{tenant.slug}.example.com") is None


# -- seats ---------------------------------------------------------------------------------


def test_seat_limit_counts_active_and_invited_users(app, db, make_tenant):
    tenant = make_tenant(seat_limit=3)
    admin = logged_in(app, tenant)
    assert invite(admin, tenant, f"one@{tenant.slug}.example.com").status_code == 200
    add_user(db, tenant, f"off@{tenant.slug}.example.com", [Role.EMPLOYEE], active=False)
    assert invite(admin, tenant, f"two@{tenant.slug}.example.com").status_code == 200
    refused = invite(admin, tenant, f"three@{tenant.slug}.example.com")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "allows 3 accounts" in body and "“standard”" in body  # names the limit and plan
    assert user_by_email(db, tenant, f"three@{tenant.slug}.example.com") is None
    # Re-enabling a disabled account needs a seat too.
    off = user_by_email(db, tenant, f"off@{tenant.slug}.example.com").id
    response = post(admin, tenant, f"/accounts/{off}/enable")
    assert response.status_code == 400 and "standard" in response.get_data(as_text=True)
    assert not user_by_email(db, tenant, f"off@{tenant.slug}.example.com").is_active_account
    # Disabling someone frees a seat.
    one = user_by_email(db, tenant, f"one@{tenant.slug}.example.com").id
    assert post(admin, tenant, f"/accounts/{one}/disable").status_code == 302
    assert invite(admin, tenant, f"three@{tenant.slug}.example.com").status_code == 200


# -- roles ---------------------------------------------------------------------------------


def test_roles_change_through_htmx_and_are_audited(admin, db, tenant):
    user = add_user(db, tenant, f"r@{tenant.slug}.example.com", [Role.EMPLOYEE])
    response = post(
        admin,
        tenant,
        f"/accounts/{user}/roles",
        {"roles": ["inspector", "employee"]},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="user-{user}"' in body and "<html" not in body
    assert user_by_email(db, tenant, f"r@{tenant.slug}.example.com").role_names == {
        "inspector",
        "employee",
    }
    entry = audit_rows(db, tenant, "user.roles_changed")[-1]
    assert entry.record_id == str(user) and entry.actor == tenant.admin_email
    assert entry.before == {"roles": ["employee"]}
    assert entry.after == {"roles": ["inspector", "employee"]}


def test_saving_the_same_roles_changes_and_audits_nothing(admin, db, tenant):
    user = add_user(db, tenant, f"same@{tenant.slug}.example.com", [Role.EMPLOYEE])
    assert (
        post(admin, tenant, f"/accounts/{user}/roles", {"roles": ["employee"]}).status_code == 302
    )
    assert not audit_rows(db, tenant, "user.roles_changed")


def test_a_user_needs_at_least_one_known_role(admin, db, tenant):
    user = add_user(db, tenant, f"n@{tenant.slug}.example.com", [Role.EMPLOYEE])
    assert post(admin, tenant, f"/accounts/{user}/roles", {"roles": []}).status_code == 400
    assert post(admin, tenant, f"/accounts/{user}/roles", {"roles": ["god"]}).status_code == 400
    htmx = post(admin, tenant, f"/accounts/{user}/roles", {}, headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and "row-error" in htmx.get_data(as_text=True)
    assert "<html" not in htmx.get_data(as_text=True)
    assert user_by_email(db, tenant, f"n@{tenant.slug}.example.com").role_names == {"employee"}


def test_roles_of_an_unknown_user_are_404(admin, tenant):
    assert post(admin, tenant, "/accounts/999999/roles", {"roles": ["employee"]}).status_code == 404
    assert post(admin, tenant, "/accounts/999999/disable").status_code == 404


# -- the last administrator and yourself ----------------------------------------------------


def test_the_last_active_admin_keeps_the_admin_role(admin, db, tenant):
    me = admin_id(db, tenant)
    response = post(admin, tenant, f"/accounts/{me}/roles", {"roles": ["employee"]})
    assert response.status_code == 400
    assert "is the last active administrator" in response.get_data(as_text=True)
    assert user_by_email(db, tenant, tenant.admin_email).role_names == {"tenant_admin"}
    # A disabled or merely invited admin does not count as another active one.
    add_user(db, tenant, f"off-admin@{tenant.slug}.example.com", [Role.TENANT_ADMIN], active=False)
    add_user(db, tenant, f"inv-admin@{tenant.slug}.example.com", [Role.TENANT_ADMIN], password=None)
    assert post(admin, tenant, f"/accounts/{me}/roles", {"roles": ["employee"]}).status_code == 400
    # With a second active admin, the first may step down.
    add_user(db, tenant, f"admin2@{tenant.slug}.example.com", [Role.TENANT_ADMIN])
    assert post(admin, tenant, f"/accounts/{me}/roles", {"roles": ["employee"]}).status_code == 302
    assert user_by_email(db, tenant, tenant.admin_email).role_names == {"employee"}


def test_the_last_active_admin_cannot_be_disabled_and_nobody_disables_themself(app, db, tenant):
    second = f"admin2@{tenant.slug}.example.com"
    add_user(db, tenant, second, [Role.TENANT_ADMIN])
    first_id = admin_id(db, tenant)
    client = logged_in(app, tenant, second)
    me = user_by_email(db, tenant, second).id
    own = post(client, tenant, f"/accounts/{me}/disable")
    assert own.status_code == 400
    assert "cannot disable your own account" in own.get_data(as_text=True)
    # Disabling the other admin works; then the remaining one is the last.
    assert post(client, tenant, f"/accounts/{first_id}/disable").status_code == 302
    assert not user_by_email(db, tenant, tenant.admin_email).is_active_account
    assert post(client, tenant, f"/accounts/{me}/disable").status_code == 400
    assert user_by_email(db, tenant, second).is_active_account


def test_the_last_admin_rule_holds_when_someone_else_disables_them(app, db, tenant):
    """Once one admin disables the other, the remaining one is the last and keeps the role."""
    me = admin_id(db, tenant)
    other = add_user(db, tenant, f"x@{tenant.slug}.example.com", [Role.TENANT_ADMIN])
    client = logged_in(app, tenant, f"x@{tenant.slug}.example.com")
    assert post(client, tenant, f"/accounts/{me}/disable").status_code == 302
    # Now `other` is the last active admin; the first admin (disabled) cannot log in.
    assert (
        post(client, tenant, f"/accounts/{other}/roles", {"roles": ["employee"]}).status_code == 400
    )


# -- disabling --------------------------------------------------------------------------------


def test_a_disabled_users_session_stops_working_and_they_cannot_log_in(app, admin, db, tenant):
    email = f"worker@{tenant.slug}.example.com"
    user = add_user(db, tenant, email, [Role.EMPLOYEE])
    theirs = logged_in(app, tenant, email)
    assert theirs.get(f"/t/{tenant.slug}/").status_code == 200
    response = post(admin, tenant, f"/accounts/{user}/disable", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "badge-disabled" in response.get_data(as_text=True)
    gone = theirs.get(f"/t/{tenant.slug}/")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    from tests.accounts.conftest import USER_PASSWORD
    from tests.conftest import login

    assert login(app.test_client(), tenant, email=email, password=USER_PASSWORD).status_code == 400
    entry = audit_rows(db, tenant, "user.disabled")[-1]
    assert (entry.before, entry.after) == ({"status": "active"}, {"status": "disabled"})
    # Enabled again, they can log in again.
    assert post(admin, tenant, f"/accounts/{user}/enable").status_code == 302
    assert logged_in(app, tenant, email).get(f"/t/{tenant.slug}/").status_code == 200
    assert audit_rows(db, tenant, "user.enabled")


def test_disabling_an_invited_user_kills_their_invitation(admin, db, tenant):
    response = invite(admin, tenant, f"inv@{tenant.slug}.example.com")
    link = link_in(response.get_data(as_text=True))
    user = user_by_email(db, tenant, f"inv@{tenant.slug}.example.com").id
    assert post(admin, tenant, f"/accounts/{user}/disable").status_code == 302
    assert admin.get(link).status_code == 404
    # Enabled again, the old link stays dead; a new invitation is needed.
    assert post(admin, tenant, f"/accounts/{user}/enable").status_code == 302
    assert admin.get(link).status_code == 404
    again = post(admin, tenant, f"/accounts/{user}/invitation")
    assert admin.get(link_in(again.get_data(as_text=True))).status_code == 200
