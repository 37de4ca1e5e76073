"""The logged-in principal behind Flask-Login's ``current_user``.

A login is bound to one place: a tenant user's id carries the tenant slug, and is only
honoured on that tenant's URLs; a platform admin's id is only honoured under /platform.
A cookie from tenant A therefore opens nothing at tenant B, and vice versa.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from flask_login import UserMixin, current_user, login_required

from saas.extensions import login_manager
from saas.models.user import Role, User
from saas.org.access import Scope, scope_for
from saas.web.tenancy import database, tenant_session
from tenants.registry import PlatformAdmin


class TenantPrincipal(UserMixin):
    kind = "tenant"

    def __init__(self, user: User, slug: str) -> None:
        self.user = user
        self.slug = slug

    def get_id(self) -> str:
        return f"t:{self.slug}:{self.user.id}"

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def locale(self) -> str | None:
        return self.user.locale

    def has_role(self, role: Role) -> bool:
        return self.user.has_role(role)


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
        slug, _, user_id = rest.rpartition(":")
        tenant = g.get("tenant")
        if tenant is None or tenant.slug != slug or not user_id.isdigit():
            return None
        user = tenant_session().get(User, int(user_id))
        if user is None or not user.is_active_account:
            return None
        return TenantPrincipal(user, slug)
    if kind == "p" and rest.isdigit() and _in_platform_area():
        with database().public() as session:
            admin = session.get(PlatformAdmin, int(rest))
        return None if admin is None else PlatformPrincipal(admin)
    return None


def tenant_user() -> TenantPrincipal:
    """The current tenant user; views behind login_required only."""
    principal = current_user._get_current_object()
    if not isinstance(principal, TenantPrincipal):
        abort(403)
    return principal


def role_required(*roles: Role):
    """Let the request through only if the tenant user holds one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            principal = tenant_user()
            if not any(principal.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_scope() -> Scope:
    """The current tenant user's scope, worked out once per request."""
    if "scope" not in g:
        g.scope = scope_for(tenant_session(), tenant_user().user)
    return g.scope


def organisation_view(view: Callable) -> Callable:
    """Logged in, and allowed to see some of the organisation (employees are not)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_scope().sees_organisation:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
