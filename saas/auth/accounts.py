"""The logged-in principal behind Flask-Login's ``current_user``.

A login is bound to one place: a tenant user's id carries the tenant slug, and is only
honoured on that tenant's URLs; a platform admin's id is only honoured under /platform.
A cookie from tenant A therefore opens nothing at tenant B, and vice versa.
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
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope, scope_of
from saas.validation import record_id
from saas.web.tenancy import database, tenant_session
from tenants.registry import PlatformAdmin


@dataclass(frozen=True, eq=False)
class TenantPrincipal(UserMixin):
    """A logged-in tenant user as a request sees them: who, their roles and their scope,
    read in one statement (``load_tenant_principal``) and never changed during the request."""

    kind = "tenant"

    id: int
    slug: str
    email: str
    name: str
    locale: str | None
    roles: frozenset[str]
    scope: Scope

    def get_id(self) -> str:
        return f"t:{self.slug}:{self.id}"

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def _principal_statement(user_id: int):
    roles = select(func.array_agg(UserRole.role)).where(UserRole.user_id == User.id)
    managed = select(func.array_agg(OrgUnit.path)).where(
        OrgUnit.manager_id == Employee.id, OrgUnit.archived_at.is_(None)
    )
    return (
        select(
            User.id,
            User.email,
            User.name,
            User.locale,
            roles.scalar_subquery(),
            Employee.id,
            managed.scalar_subquery(),
        )
        .outerjoin(Employee, Employee.user_id == User.id)
        .where(User.id == user_id, User.is_active_account.is_(True))
    )


def load_tenant_principal(session: Session, user_id: int, slug: str) -> TenantPrincipal | None:
    """An active user with roles and scope, in one statement; None if absent or disabled."""
    row = session.execute(_principal_statement(user_id)).one_or_none()
    if row is None:
        return None
    user_id, email, name, locale, roles, employee_id, managed = row
    roles = frozenset(roles or ())
    scope = scope_of(roles, employee_id, managed or ())
    return TenantPrincipal(user_id, slug, email, name, locale, roles, scope)


class PlatformPrincipal(UserMixin):
    kind = "platform"
    locale = None

    def __init__(self, admin: PlatformAdmin) -> None:
        self.admin = admin

    def get_id(self) -> str:
        return f"p:{self.admin.id}"

    @property
    def email(self) -> str:
        return self.admin.email

    name = email


def _in_platform_area() -> bool:
    return request.blueprint == "platform"


@login_manager.user_loader
def load_principal(principal_id: str) -> TenantPrincipal | PlatformPrincipal | None:
    kind, _, rest = principal_id.partition(":")
    if kind == "t":
        slug, _, raw_id = rest.rpartition(":")
        tenant, user_id = g.get("tenant"), record_id(raw_id)
        if tenant is None or tenant.slug != slug or user_id is None:
            return None
        return load_tenant_principal(tenant_session(), user_id, slug)
    admin_id = record_id(rest)
    if kind == "p" and admin_id is not None and _in_platform_area():
        with database().public() as session:
            admin = session.get(PlatformAdmin, admin_id)
        return None if admin is None else PlatformPrincipal(admin)
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
