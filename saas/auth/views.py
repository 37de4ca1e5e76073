"""Tenant login and logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from saas import passwords
from saas.auth.accounts import load_tenant_principal
from saas.auth.forms import LoginForm
from saas.auth.guard import public
from saas.extensions import limiter
from saas.models.user import User
from saas.web.i18n import clear_session_keeping_language
from saas.web.navigation import safe_next
from saas.web.tenancy import TENANT_PREFIX, tenant_session
from tenants.db import utcnow

bp = Blueprint("auth", __name__, url_prefix=TENANT_PREFIX)
# Made at start-up, so that the first failed login of a process does not pay for it.
bp.record_once(lambda _state: passwords.dummy_hash())


def login_limit() -> str:
    return current_app.config["KAOHE_LOGIN_RATE_LIMIT"]


def login_key() -> str:
    return f"login:{g.tenant.slug}:{request.remote_addr}"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"], key_func=login_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = tenant_session()
        user = db.scalar(select(User).where(func.lower(User.email) == form.email.data.lower()))
        # One hash check whatever the address: unknown and disabled accounts take as long as
        # a wrong password, so the answer's timing does not tell which addresses exist.
        usable = user if user is not None and user.is_active_account else None
        if passwords.verify(usable.password_hash if usable else None, form.password.data):
            user.last_login_at = utcnow()
            db.commit()
            clear_session_keeping_language()
            login_user(load_tenant_principal(db, user.id, g.tenant.slug))
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
@public  # logging out needs no login: without one it only clears the session
def logout():
    logout_user()
    clear_session_keeping_language()
    return redirect(url_for("auth.login"))
