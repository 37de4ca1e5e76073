"""Platform admin pages: log in, list tenants, onboard one, suspend and resume, the audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from saas.audit.forms import FilterForm, filtered
from saas.audit.present import present
from saas.audit.queries import facets, search
from saas.auth.accounts import PlatformPrincipal
from saas.auth.forms import ChangePasswordForm, LoginForm
from saas.auth.sessions import end_sessions
from saas.extensions import limiter
from saas.models.audit import PlatformAuditEntry
from saas.platform.admins import authenticate, change_admin_password, log_admin_out_everywhere
from saas.platform.forms import SuspendForm, TenantForm
from saas.platform.onboarding import ProvisioningError, create_tenant, resume_tenant, suspend_tenant
from saas.validation import Invalid
from saas.web.fragments import page_or_fragment
from saas.web.i18n import TENANT_STATUS, clear_session_keeping_language, select_timezone
from saas.web.navigation import safe_next
from saas.web.tenancy import database
from tenants.registry import PlatformAdmin, Tenant, all_tenants, find_tenant

bp = Blueprint("platform", __name__, url_prefix="/platform")


@bp.before_request
def platform_admins_only():
    if request.endpoint in ("platform.login", "static"):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not isinstance(current_user._get_current_object(), PlatformPrincipal):
        abort(403)
    return None


def _login_limit() -> str:
    return current_app.config["KAOHE_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: f"platform:{request.remote_addr}")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with database().public() as db:
            admin = authenticate(db, form.email.data, form.password.data)
        if admin is not None:
            clear_session_keeping_language()
            login_user(PlatformPrincipal(admin))
            return redirect(safe_next(request.args.get("next")) or url_for("platform.index"))
        flash(_("Wrong e-mail or password."), "error")
    status = 200 if request.method == "GET" else 400
    return render_template("platform/login.html", form=form), status


def _end_own_sessions(end) -> None:
    """Run ``end(session, admin)`` on the logged-in admin's row, then log this browser out."""
    with database().public() as db:  # commits when the block ends
        admin = db.get(PlatformAdmin, current_user.admin.id)
        if admin is not None:
            end(db, admin)
    logout_user()
    clear_session_keeping_language()


@bp.post("/logout")
@login_required
def logout():
    # Ends this login wherever a copy of its cookie went (and the admin's other logins).
    _end_own_sessions(end_sessions)
    return redirect(url_for("platform.login"))


@bp.get("/account")
def account():
    return render_template("platform/account.html", form=ChangePasswordForm())


@bp.post("/account/password")
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("platform/account.html", form=form), 400
    try:
        with database().public() as db:  # commits when the block ends, rolls back on Invalid
            admin = db.get(PlatformAdmin, current_user.admin.id)
            change_admin_password(db, admin, form.current.data, form.password.data)
            principal = PlatformPrincipal(admin)
            principal.get_id()  # reads the new session version while the session is open
    except Invalid as exc:
        form.current.errors = [*form.current.errors, exc.message]
        return render_template("platform/account.html", form=form), 400
    login_user(principal)  # this browser stays logged in
    flash(_("Your password is changed. You are logged out on every other device."), "success")
    return redirect(url_for("platform.account"))


@bp.post("/account/logout-everywhere")
def logout_everywhere():
    _end_own_sessions(log_admin_out_everywhere)
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("platform.login"))


@bp.get("/")
def index():
    with database().public() as db:
        tenants = all_tenants(db)
    return render_template("platform/index.html", tenants=tenants)


@bp.route("/tenants/new", methods=["GET", "POST"])
def new_tenant():
    form = TenantForm()
    if form.validate_on_submit():
        try:
            created = create_tenant(
                database(),
                current_app.extensions["kaohe.settings"],
                form.slug.data,
                form.name.data,
                form.admin_email.data,
                locale=form.locale.data,
                time_zone=form.time_zone.data,
                seat_limit=form.seat_limit.data,
                actor=current_user.email,
            )
        except ProvisioningError as exc:
            form.slug.errors = [*form.slug.errors, str(exc)]
        else:
            return render_template("platform/created.html", created=created)
    status = 200 if request.method == "GET" else 400
    return render_template("platform/new_tenant.html", form=form), status


def _tenant_or_404(slug: str) -> Tenant:
    with database().public() as session:
        tenant = find_tenant(session, slug)
    if tenant is None:
        abort(404)
    return tenant


@bp.route("/tenants/<slug>/suspend", methods=["GET", "POST"])
def suspend(slug: str):
    """Ask for confirmation and a reason, then suspend."""
    tenant = _tenant_or_404(slug)
    if tenant.is_suspended:
        flash(_("%(name)s is already suspended.", name=tenant.name), "success")
        return redirect(url_for("platform.index"))
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            suspend_tenant(database(), slug, form.reason.data, actor=current_user.email)
        except ProvisioningError:
            abort(409)  # suspended or dropped by someone else meanwhile
        flash(_("%(name)s is suspended.", name=tenant.name), "success")
        return redirect(url_for("platform.index"))
    status = 200 if request.method == "GET" else 400
    return render_template("platform/suspend.html", form=form, tenant=tenant), status


@bp.post("/tenants/<slug>/resume")
def resume(slug: str):
    tenant = _tenant_or_404(slug)
    try:
        resumed = resume_tenant(database(), slug, actor=current_user.email)
    except ProvisioningError:
        flash(_("%(name)s is not suspended.", name=tenant.name), "success")
        return redirect(url_for("platform.index"))
    status = TENANT_STATUS[resumed.status]
    flash(_("%(name)s is resumed (%(status)s).", name=tenant.name, status=status), "success")
    return redirect(url_for("platform.index"))


@bp.get("/audit/")
def audit():
    """The platform's own audit log: organisations created, suspended, resumed, dropped."""
    form = FilterForm(request.args)
    with database().public() as session:
        form.offer(facets(session, PlatformAuditEntry))
        valid = form.validate()
        zone = ZoneInfo(select_timezone())
        page = search(session, form.query(), zone, PlatformAuditEntry) if valid else None
        shown = present(session, page.rows) if page else []
        body = page_or_fragment(
            "platform/audit.html",
            "audit/_results.html",
            form=form,
            page=page,
            shown=shown,
            filtered=filtered(),
            log_endpoint="platform.audit",
        )
    return body, 200 if valid else 400
