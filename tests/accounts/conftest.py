"""Helpers for the accounts tests: users with given roles, employees, invitations, links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.user import Role, User, UserRole
from saas.platform.onboarding import NewTenant
from tenants.slugs import schema_for
from tests.conftest import csrf_token, login

USER_PASSWORD = "user-password-123"
NEW_PASSWORD = "a-brand-new-password"
LINK = re.compile(
    r"(?:https?://[^/\s\"<]+)?(/t/[a-z0-9-]+/accounts/(welcome|reset)/[A-Za-z0-9_-]{43})"
)

# Hashing is slow on purpose; tests share one hash of the test password.
_HASHES: dict[str, str] = {}


def password_hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


def add_user(
    db,
    tenant: NewTenant,
    email: str,
    roles: list[Role],
    *,
    password: str | None = USER_PASSWORD,
    active: bool = True,
    name: str | None = None,
) -> int:
    with db.tenant(schema_for(tenant.slug)) as session:
        user = User(
            email=email,
            name=name or email.split("@")[0],
            password_hash=password_hash(password) if password else None,
            is_active_account=active,
        )
        user.roles = [UserRole(role=role) for role in roles]
        session.add(user)
        session.flush()
        return user.id


def user_by_email(db, tenant: NewTenant, email: str) -> User | None:
    with db.tenant(schema_for(tenant.slug)) as session:
        return session.scalar(select(User).where(User.email == email))


def admin_id(db, tenant: NewTenant) -> int:
    return user_by_email(db, tenant, tenant.admin_email).id


def add_employee(db, tenant: NewTenant, number: str, name: str) -> int:
    with db.tenant(schema_for(tenant.slug)) as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        if unit is None:
            unit = OrgUnit(code="HQ", name="总部", kind="company", path="")
            session.add(unit)
            session.flush()
            unit.path = f"{unit.id}/"
        employee = Employee(number=number, name=name, unit_id=unit.id, initials="")
        session.add(employee)
        session.flush()
        return employee.id


def logged_in(app, tenant: NewTenant, email: str | None = None, password: str | None = None):
    client = app.test_client()
    response = login(client, tenant, email=email, password=password or _default(email, tenant))
    assert response.status_code == 302, response.get_data(as_text=True)
    english(client)
    return client


def english(client):
    """Pages in English, so tests can read messages whatever the catalogs hold."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def _default(email: str | None, tenant: NewTenant) -> str:
    from tests.conftest import ADMIN_PASSWORD

    return ADMIN_PASSWORD if email in (None, tenant.admin_email) else USER_PASSWORD


def post(client, tenant: NewTenant, path: str, data: dict | None = None, **kwargs):
    """POST to a tenant path with a CSRF token taken from the accounts page or ``form_path``."""
    form_path = kwargs.pop("form_path", f"/t/{tenant.slug}/login")
    token = csrf_token(client, form_path)
    return client.post(
        f"/t/{tenant.slug}{path}", data={**(data or {}), "csrf_token": token}, **kwargs
    )


def invite(client, tenant: NewTenant, email: str, roles=("employee",), **fields):
    data = {
        "email": email,
        "name": fields.pop("name", "新同事"),
        "roles": list(roles),
        "locale": "zh_CN",
    }
    data.update(fields)
    return post(
        client, tenant, "/accounts/invite", data, form_path=f"/t/{tenant.slug}/accounts/invite"
    )


def link_in(text: str) -> str:
    """The path of the one-time link in a page or mail."""
    match = LINK.search(text)
    assert match, f"no one-time link in:\n{text[:3000]}"
    return match.group(1)


def set_password(client, link: str, password: str = NEW_PASSWORD, **fields):
    token = csrf_token(client, link)
    data = {"password": password, "confirm": fields.pop("confirm", password), "csrf_token": token}
    data.update(fields)
    return client.post(link, data=data)


@pytest.fixture
def admin(app, tenant):
    return logged_in(app, tenant)
