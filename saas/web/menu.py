"""The tenant navigation bar: each area's entry, shown to whoever holds its permission.

An area appears once its blueprint is registered, so a new area only adds a line here; the
permission is the one its page declares with ``@requires``, so no entry leads to a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import can


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object
    permission: str
    # Whoever lacks ``wider`` reaches only their own record here: the entry is called
    # ``own_label`` and leads straight to it (``own_endpoint`` with their employee id).
    wider: str | None = None
    own_label: object = None
    own_endpoint: str | None = None


MENU = (
    MenuItem("home.index", _l("Home"), "home.view"),
    MenuItem("org.tree", _l("Organisation"), "org.view"),
    MenuItem(
        "people.index",
        _l("People"),
        "people.view",
        wider="people.search",
        own_label=_l("My profile"),
        own_endpoint="people.profile",
    ),
    MenuItem("goals.tree", _l("Goals"), "goals.view"),
    MenuItem("rating.mine", _l("My ratings"), "rating.enter"),
    MenuItem("schemes.index", _l("Schemes"), "schemes.view"),
    MenuItem("cycles.index", _l("Cycles"), "cycles.view"),
    MenuItem("ledger.index", _l("Ledger"), "ledger.view"),
    MenuItem("ledger.mine", _l("My ledger"), "ledger.own"),
    MenuItem("notices.index", _l("Rectification"), "notices.view"),
    MenuItem("providers.index", _l("Providers"), "providers.view"),
    MenuItem("feedback.units", _l("Feedback codes"), "feedback.links"),
    MenuItem("inspections.index", _l("Inspections"), "inspections.view"),
    MenuItem("accounts.users", _l("Accounts"), "accounts.manage"),
    MenuItem("imports.index", _l("Import"), "imports.run"),
    MenuItem("audit.index", _l("Audit log"), "audit.view"),
    MenuItem("settings.index", _l("Settings"), "settings.change"),
)


def tenant_menu() -> list[tuple[str, object, bool]]:
    """(url, label, is_current) for the current user, in menu order."""
    principal = current_user._get_current_object()
    if g.get("tenant") is None or not isinstance(principal, TenantPrincipal):
        return []
    return [
        (*_link(item, principal), request.blueprint == item.endpoint.split(".")[0])
        for item in MENU
        if item.endpoint in current_app.view_functions and can(item.permission)
    ]


def _link(item: MenuItem, principal: TenantPrincipal) -> tuple[str, object]:
    if item.wider is None or can(item.wider):
        return url_for(item.endpoint), item.label
    employee_id = principal.scope.employee_id
    if employee_id is None:  # no record of their own: the area's page says so
        return url_for(item.endpoint), item.own_label
    return url_for(item.own_endpoint, employee_id=employee_id), item.own_label


def init_menu(app: Flask) -> None:
    app.jinja_env.globals["tenant_menu"] = tenant_menu
