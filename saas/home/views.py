"""The start page a tenant user lands on after logging in: a tenant admin's set-up
checklist, and everyone's open to-dos from every area."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from saas.auth.accounts import tenant_user
from saas.auth.guard import can, current_actor, public, requires
from saas.home.setup import setup_checklist
from saas.home.todos import todos_for
from saas.models.user import Role
from saas.providers.portal import portal_cards
from saas.providers.views import area_links
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("home", __name__, url_prefix=TENANT_PREFIX)


@bp.get("/")
@requires("home.view")
def index():
    principal, session = tenant_user(), tenant_session()
    checklist = setup_checklist(session) if can("home.setup") else None
    # A provider's contact: their providers' contracts, tiers and grades (nothing for staff).
    contact = current_actor().has_role(Role.PROVIDER)
    return render_template(
        "home/index.html",
        checklist=checklist,
        todos=todos_for(session, principal),
        provider_contact=contact,
        provider_cards=portal_cards(session, current_actor(), tenant_today()) if contact else [],
        provider_links=area_links() if contact else [],
    )


@bp.get("")
@public
def bare():
    return redirect(url_for("home.index"))
