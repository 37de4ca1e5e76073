"""The settings page: the organisation's switches, for tenant admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.auth.guard import current_actor, requires
from saas.settings import service
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("settings", __name__, url_prefix=TENANT_PREFIX + "/settings")


@bp.get("/")
@requires("settings.change")
def index():
    session = tenant_session()
    rows = [(setting, service.value(session, setting.key)) for setting in service.SETTINGS]
    return render_template("settings/index.html", rows=rows)


@bp.post("/")
@requires("settings.change")
def save():
    session = tenant_session()
    changed = service.change_settings(session, current_actor(), request.form)
    session.commit()
    flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("settings.index"), 303)
