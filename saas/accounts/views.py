"""The accounts area: the users page for tenant admins, and the one-time link pages.

Admin pages: /t/<slug>/accounts/ (list, invite, roles, disable/enable, links).
Public pages, opened from a link: welcome/<token> (accept an invitation), reset/<token>
(choose a new password), forgot (ask for a reset link).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from saas.accounts import tokens
from saas.accounts.forms import (
    ROLE_HINTS,
    ROLE_LABELS,
    ForgotForm,
    InviteForm,
    ResetForm,
    RolesForm,
    WelcomeForm,
)
from saas.accounts.links import link_url
from saas.accounts.mail import mail_enabled
from saas.accounts.users import (
    ROLE_ORDER,
    Invitation,
    Status,
    UnknownUser,
    get_user,
    invite,
    issue_link,
    list_users,
    seats_used,
    set_enabled,
    set_roles,
    user_row,
)
from saas.auth.accounts import tenant_user
from saas.auth.guard import current_actor, public, requires
from saas.auth.logins import audit_name, logins_of
from saas.auth.permissions import Actor
from saas.auth.signin import sign_in
from saas.config import Settings
from saas.extensions import limiter
from saas.jobs.tracking import start_job
from saas.models.audit import record
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import User
from saas.qrcodes import qr_svg
from saas.validation import Invalid
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session
from workers.enqueue import ACCOUNT_MAIL

bp = Blueprint("accounts", __name__, url_prefix=TENANT_PREFIX + "/accounts")


@bp.app_context_processor
def _labels() -> dict:
    return {"ROLE_LABELS": ROLE_LABELS, "ROLE_ORDER": ROLE_ORDER, "ROLE_HINTS": ROLE_HINTS}


def _settings() -> Settings:
    return current_app.extensions["kaohe.settings"]


# -- the users page ------------------------------------------------------------------------


def _users_context() -> dict:
    session = tenant_session()
    return {
        "rows": list_users(session),
        "seats_used": seats_used(session),
        "mail": mail_enabled(_settings()),
        "me": tenant_user().id,
    }


@bp.get("/")
@requires("accounts.manage")
def users():
    return page_or_fragment("accounts/users.html", "accounts/_table.html", **_users_context())


def _row_response(
    user_id: int, message: str | None = None, error: bool = False, at: str = "actions"
):
    """The user's row, for HTMX swaps; a plain POST gets a flash and the page instead.

    A refused change answers 400 either way (base.html lets HTMX swap a 400 into place).
    """
    status = 400 if error else 200
    if wants_fragment():
        row = user_row(tenant_session(), user_id)
        page = render_template(
            "accounts/_row.html",
            row=row,
            me=tenant_user().id,
            message=message,
            error=error,
            message_at=at,
            open_roles=at == "roles",
        )
        return page, status
    if message:
        flash(message, "error" if error else "success")
    if error:
        return render_template("accounts/users.html", **_users_context()), status
    return redirect(url_for("accounts.users"))


def _change(user_id: int, change) -> tuple[str | None, bool]:
    """Run ``change(session, actor)`` in one transaction; (message, failed)."""
    session = tenant_session()
    try:
        changed_message = change(session, current_actor())
        session.commit()
        return changed_message, False
    except UnknownUser:
        session.rollback()
        abort(404)
    except Invalid as exc:
        session.rollback()
        return exc.message, True


@bp.post("/<int:user_id>/roles")
@requires("accounts.manage")
def roles(user_id: int):
    form = RolesForm()
    if not form.validate():
        get_or_404(user_id)
        return _row_response(
            user_id, " ".join(str(error) for error in form.roles.errors), error=True, at="roles"
        )

    def change(session, actor: Actor) -> str:
        changed = set_roles(session, actor, g.tenant, user_id, form.roles.data)
        return _("Roles saved.") if changed else _("No change.")

    message, failed = _change(user_id, change)
    return _row_response(user_id, message, failed, at="roles")


@bp.post("/<int:user_id>/disable")
@requires("accounts.manage")
def disable(user_id: int):
    return _toggle(user_id, enabled=False)


@bp.post("/<int:user_id>/enable")
@requires("accounts.manage")
def enable(user_id: int):
    return _toggle(user_id, enabled=True)


def _toggle(user_id: int, enabled: bool):
    def change(session, actor: Actor) -> str:
        user = get_user(session, user_id)
        set_enabled(session, actor, g.tenant, user_id, enabled)
        if enabled:
            return _("%(name)s can log in again.", name=user.name)
        return _("%(name)s is disabled and can no longer log in.", name=user.name)

    message, failed = _change(user_id, change)
    return _row_response(user_id, message, failed)


def get_or_404(user_id: int) -> User:
    try:
        return get_user(tenant_session(), user_id)
    except UnknownUser:
        abort(404)


# -- invitations and links issued by an admin --------------------------------------------


@bp.route("/invite", methods=["GET", "POST"])
@requires("accounts.manage")
def invite_user():
    form = InviteForm()
    if request.method == "GET":
        form.locale.data = g.tenant.locale
    if form.validate_on_submit():
        session = tenant_session()
        invitation = Invitation(
            email=form.email.data,
            name=form.name.data,
            roles=form.roles.data,
            employee_number=form.employee_number.data or None,
            locale=form.locale.data,
        )
        try:
            user = invite(session, current_actor(), g.tenant, invitation)
            return _deliver(current_actor(), user, TokenPurpose.INVITE)
        except Invalid as exc:
            session.rollback()
            _show_error(form, exc)
    status = 200 if request.method == "GET" else 400
    return render_template("accounts/invite.html", form=form, **_seats()), status


def _show_error(form, exc: Invalid) -> None:
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _seats() -> dict:
    return {"seats_used": seats_used(tenant_session()), "mail": mail_enabled(_settings())}


@bp.post("/<int:user_id>/invitation")
@requires("accounts.manage")
def send_invitation(user_id: int):
    return _issue_for(user_id, TokenPurpose.INVITE)


@bp.post("/<int:user_id>/reset-link")
@requires("accounts.manage")
def send_reset(user_id: int):
    return _issue_for(user_id, TokenPurpose.RESET)


def _issue_for(user_id: int, purpose: TokenPurpose):
    user = get_or_404(user_id)
    try:
        return _deliver(current_actor(), user, purpose)
    except Invalid as exc:
        tenant_session().rollback()
        return _row_response(user_id, exc.message, error=True)


def _deliver(actor: Actor, user: User, purpose: TokenPurpose):
    """Issue the link and commit; then mail it, or show it to this admin once (also when the
    account has no e-mail address: the person scans it from this screen)."""
    by_mail = mail_enabled(_settings()) and user.email is not None
    session = tenant_session()
    token, secret = issue_link(session, actor, user, purpose, by_mail=by_mail)
    session.commit()
    if by_mail:
        return _queue_mail(user, token, purpose)
    link = link_url(_settings().base_url, purpose, g.tenant.slug, secret)
    page = render_template(
        "accounts/link_issued.html",
        user=user,
        logins=logins_of(session, user),
        purpose=purpose,
        link=link,
        qr=qr_svg(link),
        token=token,
    )
    return private(make_response(page))


def _queue_mail(user: User, token: AccountToken, purpose: TokenPurpose):
    try:
        start_job(ACCOUNT_MAIL, token.id)
    except RedisError:
        flash(_("The mail could not be queued. Try again in a moment."), "error")
        return redirect(url_for("accounts.users"))
    if purpose is TokenPurpose.INVITE:
        flash(_("Invitation sent to %(email)s.", email=user.email), "success")
    else:
        flash(_("A password reset link was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.users"))


# -- pages opened from a link ---------------------------------------------------------------


def _invalid_link(link: tokens.Link, purpose: TokenPurpose):
    status = 410 if link.state is tokens.LinkState.EXPIRED else 404
    page = render_template("accounts/link_invalid.html", state=link.state, purpose=purpose)
    return private(make_response(page, status))


def _use_link(token: str, purpose: TokenPurpose, form, template: str):
    """Shared by welcome and reset: show the form, or set the password and spend the link."""
    session = tenant_session()
    link = tokens.find(session, token, purpose)
    if link.state is not tokens.LinkState.VALID:
        return _invalid_link(link, purpose)
    if request.method == "GET" and "name" in form:
        form.name.data = link.user.name
    if form.validate_on_submit():
        password_hash = generate_password_hash(form.password.data)  # slow: before the lock
        session.rollback()
        link = tokens.find(session, token, purpose, lock=True)
        if link.state is not tokens.LinkState.VALID:
            session.rollback()
            return _invalid_link(link, purpose)
        _accept(session, link, form, password_hash, purpose)
        # Holding the link proved who they are: no need to type the new password again.
        sign_in(session, link.user)
        flash(_("Your password is set and you are logged in."), "success")
        return redirect(url_for("home.index"))
    status = 200 if request.method == "GET" else 400
    logins = logins_of(session, link.user)
    page = render_template(template, form=form, user=link.user, logins=logins, token=link.token)
    return private(make_response(page, status))


def _accept(session, link: tokens.Link, form, password_hash: str, purpose: TokenPurpose) -> None:
    user = link.user
    before = {"status": Status.INVITED.value, "name": user.name}
    if "name" in form:
        user.name = form.name.data.strip()
    tokens.consume(session, link.token, user, password_hash)
    who = audit_name(session, user)
    if purpose is TokenPurpose.INVITE:
        after = {"status": Status.ACTIVE.value, "name": user.name}
        record(session, who, "user.invitation_accepted", "user", user.id, before, after)
    else:
        record(session, who, "user.password_reset", "user", user.id)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def welcome(token: str):
    return _use_link(token, TokenPurpose.INVITE, WelcomeForm(), "accounts/welcome.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str):
    return _use_link(token, TokenPurpose.RESET, ResetForm(), "accounts/reset.html")


# -- forgotten password ----------------------------------------------------------------------


def _reset_limit() -> str:
    return _settings().reset_rate_limit


def _forgot_by_client() -> str:
    return f"forgot:{g.tenant.slug}:{request.remote_addr}"


def _forgot_by_address() -> str:
    # Also per address, so nobody can flood one person's mailbox from many clients.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"forgot:{g.tenant.slug}:address:{email}"


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"], key_func=_forgot_by_client)
@limiter.limit(_reset_limit, methods=["POST"], key_func=_forgot_by_address)
def forgot():
    if not mail_enabled(_settings()):
        return render_template("accounts/forgot.html", form=None)
    form = ForgotForm()
    if form.validate_on_submit():
        _request_reset(form.email.data.strip().lower())
        # One answer whether or not the address is registered.
        return render_template("accounts/forgot_sent.html")
    status = 200 if request.method == "GET" else 400
    return render_template("accounts/forgot.html", form=form), status


def _request_reset(email: str) -> None:
    session = tenant_session()
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.is_active_account:
        return
    actor = Actor.themself(user.id, user.email)
    token, _secret = issue_link(session, actor, user, TokenPurpose.RESET, by_mail=True)
    session.commit()
    try:
        start_job(ACCOUNT_MAIL, token.id)
    except RedisError:
        current_app.logger.warning("password reset mail for a %s user not queued", g.tenant.slug)
