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
from flask_login import logout_user

from saas import passwords
from saas.auth.forms import TenantLoginForm
from saas.auth.guard import public
from saas.auth.logins import find_login, login_key
from saas.auth.signin import sign_in
from saas.extensions import limiter
from saas.web.i18n import clear_session_keeping_language
from saas.web.navigation import safe_next
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("auth", __name__, url_prefix=TENANT_PREFIX)
# Made at start-up, so that the first failed login of a process does not pay for it.
bp.record_once(lambda _state: passwords.dummy_hash())


def login_limit() -> str:
    return current_app.config["KAOHE_LOGIN_RATE_LIMIT"]


def login_by_client() -> str:
    return f"login:{g.tenant.slug}:{request.remote_addr}"


def login_by_identifier() -> str:
    # Also per account, so guessing one person's password from many clients is as slow.
    identifier = (request.form.get("identifier") or "")[:254]
    return f"login:{g.tenant.slug}:identifier:{login_key(identifier)}"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"], key_func=login_by_client)
@limiter.limit(login_limit, methods=["POST"], key_func=login_by_identifier)
def login():
    form = TenantLoginForm()
    if form.validate_on_submit():
        db = tenant_session()
        user = find_login(db, form.identifier.data)
        # One hash check whatever was typed: unknown and disabled accounts take as long as
        # a wrong password, so the answer's timing does not tell which identifiers exist.
        usable = user if user is not None and user.is_active_account else None
        if passwords.verify(usable.password_hash if usable else None, form.password.data):
            sign_in(db, user)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        flash(_("Wrong login or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
@public  # logging out needs no login: without one it only clears the session
def logout():
    logout_user()
    clear_session_keeping_language()
    return redirect(url_for("auth.login"))
