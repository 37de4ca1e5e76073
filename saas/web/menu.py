"""The tenant navigation bar: each area's entry, shown to the roles that can use it.

An area appears once its blueprint is registered, so a new area only adds a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.accounts import TenantPrincipal, current_scope
from saas.models.user import Role
from saas.org.access import Scope
from saas.schemes.access import can_read_schemes


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object
    visible: Callable[[TenantPrincipal, Scope], bool]


def _admin(principal: TenantPrincipal, _scope: Scope) -> bool:
    return principal.has_role(Role.TENANT_ADMIN)


MENU = (
    MenuItem("home.index", _l("Home"), lambda p, s: True),
    MenuItem("org.tree", _l("Organisation"), lambda p, s: s.sees_organisation),
    MenuItem("people.index", _l("People"), lambda p, s: True),
    MenuItem("goals.tree", _l("Goals"), lambda p, s: True),
    MenuItem("schemes.index", _l("Schemes"), lambda p, s: can_read_schemes(p)),
    MenuItem("accounts.users", _l("Accounts"), _admin),
    MenuItem("imports.index", _l("Import"), _admin),
    MenuItem("audit.index", _l("Audit log"), _admin),
)


def tenant_menu() -> list[tuple[str, object, bool]]:
    """(url, label, is_current) for the current user, in menu order."""
    principal = current_user._get_current_object()
    if g.get("tenant") is None or not isinstance(principal, TenantPrincipal):
        return []
    scope = current_scope()
    return [
        (url_for(item.endpoint), item.label, request.blueprint == item.endpoint.split(".")[0])
        for item in MENU
        if item.endpoint in current_app.view_functions and item.visible(principal, scope)
    ]


def init_menu(app: Flask) -> None:
    app.jinja_env.globals["tenant_menu"] = tenant_menu
