"""The logged-in principal behind Flask-Login's ``current_user``.

A login is bound to one place: a tenant user's id carries the tenant slug, and is only
honoured on that tenant's URLs; a platform admin's id is only honoured under /platform.
A cookie from tenant A therefore opens nothing at tenant B, and vice versa.

A login also carries the account's session version (``t:<slug>:<id>:<version>``,
``p:<id>:<version>``), in the session cookie and in a remember cookie alike. Logging out,
changing or resetting the password and "log out everywhere" raise the version
(saas/auth/sessions.py), so every cookie issued before stops opening anything, wherever it
was copied to. Ids of any other shape (older cookies) are simply not logged in.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, request
from flask_login import UserMixin, current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.extensions import login_manager
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.provider import ProviderContract
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope, scope_of
from saas.validation import record_id, whole_number
from saas.web.tenancy import database, tenant_session
from tenants.registry import PlatformAdmin


@dataclass(frozen=True, eq=False)
class TenantPrincipal(UserMixin):
    """A logged-in tenant user as a request sees them: who, their roles and their scope,
    read in one statement (``load_tenant_principal``) and never changed during the request."""

    kind = "tenant"

    id: int
    slug: str
    email: str  # the e-mail, else the employee number: who the audit log names
    name: str
    locale: str | None
    roles: frozenset[str]
    scope: Scope
    session_version: int

    def get_id(self) -> str:
        return f"t:{self.slug}:{self.id}:{self.session_version}"

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def _principal_statement(user_id: int, session_version: int):
    roles = select(func.array_agg(UserRole.role)).where(UserRole.user_id == User.id)
    managed = select(func.array_agg(OrgUnit.path)).where(
        OrgUnit.manager_id == Employee.id, OrgUnit.archived_at.is_(None)
    )
    provided = select(func.array_agg(ProviderContract.unit_id)).where(
        ProviderContract.contact_user_id == User.id
    )
    return (
        select(
            User.id,
            # Who the audit log names: the e-mail, else (front-line staff) the employee number.
            func.coalesce(User.email, Employee.number, User.name),
            User.name,
            User.locale,
            roles.scalar_subquery(),
            Employee.id,
            managed.scalar_subquery(),
            provided.scalar_subquery(),
        )
        .outerjoin(Employee, Employee.user_id == User.id)
        .where(
            User.id == user_id,
            User.is_active_account.is_(True),
            User.session_version == session_version,
        )
    )


def load_tenant_principal(
    session: Session, user_id: int, session_version: int, *, slug: str
) -> TenantPrincipal | None:
    """An active user with roles and scope, in one statement; None if absent, disabled, or
    if their logins of ``session_version`` were ended."""
    row = session.execute(_principal_statement(user_id, session_version)).one_or_none()
    if row is None:
        return None
    user_id, email, name, locale, roles, employee_id, managed, provided = row
    roles = frozenset(roles or ())
    scope = scope_of(roles, employee_id, managed or (), provided or ())
    return TenantPrincipal(user_id, slug, email, name, locale, roles, scope, session_version)


class PlatformPrincipal(UserMixin):
    kind = "platform"
    locale = None

    def __init__(self, admin: PlatformAdmin) -> None:
        self.admin = admin

    def get_id(self) -> str:
        return f"p:{self.admin.id}:{self.admin.session_version}"

    @property
    def email(self) -> str:
        return self.admin.email

    name = email


def _in_platform_area() -> bool:
    return request.blueprint == "platform"


def _id_and_version(user_id: str, version: str) -> tuple[int, int] | None:
    numbers = record_id(user_id), whole_number(version)
    return None if None in numbers else numbers


def _load_tenant(rest: str) -> TenantPrincipal | None:
    parts = rest.rsplit(":", 2)
    tenant = g.get("tenant")
    if len(parts) != 3 or tenant is None or tenant.slug != parts[0]:
        return None
    numbers = _id_and_version(parts[1], parts[2])
    if numbers is None:
        return None
    return load_tenant_principal(tenant_session(), *numbers, slug=tenant.slug)


def _load_platform(rest: str) -> PlatformPrincipal | None:
    parts = rest.split(":")
    numbers = _id_and_version(*parts) if len(parts) == 2 else None
    if numbers is None or not _in_platform_area():
        return None
    admin_id, version = numbers
    with database().public() as session:
        admin = session.get(PlatformAdmin, admin_id)
    if admin is None or admin.session_version != version:
        return None
    return PlatformPrincipal(admin)


@login_manager.user_loader
def load_principal(principal_id: str) -> TenantPrincipal | PlatformPrincipal | None:
    kind, _, rest = principal_id.partition(":")
    if kind == "t":
        return _load_tenant(rest)
    if kind == "p":
        return _load_platform(rest)
    return None


def tenant_user() -> TenantPrincipal:
    """The current tenant user; views behind ``@requires`` only."""
    principal = current_user._get_current_object()
    if not isinstance(principal, TenantPrincipal):
        abort(403)
    return principal


def current_scope() -> Scope:
    """The current tenant user's scope, read with the user once per request."""
    return tenant_user().scope
