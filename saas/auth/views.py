"""Tenant login and logout, and the user's own account page (password, sessions)."""

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
from flask_login import current_user, logout_user

from saas import passwords
from saas.auth.accounts import TenantPrincipal
from saas.auth.forms import ChangePasswordForm, TenantLoginForm
from saas.auth.guard import current_actor, public, requires
from saas.auth.logins import find_login, login_key
from saas.auth.password_change import change_own_password
from saas.auth.sessions import end_sessions, log_out_everywhere
from saas.auth.signin import sign_in, start_session
from saas.extensions import limiter
from saas.models.user import User
from saas.statements.listing import own_statements
from saas.validation import Invalid
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


def _log_out() -> None:
    logout_user()
    clear_session_keeping_language()


@bp.post("/logout")
@public  # logging out needs no login: without one it only clears the session
def logout():
    principal = current_user._get_current_object()
    if isinstance(principal, TenantPrincipal):
        # Ends this login wherever a copy of its cookie went (and the user's other logins).
        session = tenant_session()
        user = session.get(User, principal.id)
        if user is not None:
            end_sessions(session, user)
            session.commit()
    _log_out()
    return redirect(url_for("auth.login"))


# -- the user's own account --------------------------------------------------------------


def _account_page(form: ChangePasswordForm, status: int = 200):
    statements = own_statements(tenant_session(), current_actor())
    page = render_template("auth/account.html", form=form, statements=statements)
    return page, status


@bp.get("/account")
@requires("account.own")
def account():
    return _account_page(ChangePasswordForm())


@bp.post("/account/password")
@requires("account.own")
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(form, 400)
    session = tenant_session()
    try:
        user = change_own_password(session, current_actor(), form.current.data, form.password.data)
    except Invalid as exc:
        session.rollback()
        form.current.errors = [*form.current.errors, exc.message]
        return _account_page(form, 400)
    session.commit()
    # This browser stays logged in; every other login has ended.
    start_session(tenant_session(), user)
    flash(_("Your password is changed. You are logged out on every other device."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/logout-everywhere")
@requires("account.own")
def logout_everywhere():
    session = tenant_session()
    log_out_everywhere(session, current_actor())
    session.commit()
    _log_out()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("auth.login"))
