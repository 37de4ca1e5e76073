"""The providers pages (服务商): the list, a provider's page (contract, payment tiers, grades
with what is payable, the contract history, the contact), the contract form and the contact's
account.

``providers.view`` reads (a manager: the providers under their units; a contact: their own);
``providers.manage`` records contracts and contacts. A provider out of reach is not found
(404). Every change is a plain form (redirect after success); a service's ``Invalid`` goes
back beside its field (400).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from werkzeug.routing import BuildError

from saas.accounts.links import link_url
from saas.accounts.mail import mail_enabled
from saas.accounts.users import issue_link, status_of
from saas.auth.guard import can, current_actor, requires
from saas.auth.logins import logins_of
from saas.auth.permissions import Refused
from saas.jobs.tracking import start_job
from saas.models.tokens import TokenPurpose
from saas.models.user import User
from saas.providers import contacts, lists, service, tiers
from saas.providers.words import NO_FIGURE_LABELS, PERIOD_LABELS
from saas.qrcodes import qr_svg
from saas.validation import Invalid, page_number, record_id
from saas.web.fragments import page_or_fragment
from saas.web.i18n import LANGUAGES
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today
from workers.enqueue import ACCOUNT_MAIL

bp = Blueprint("providers", __name__, url_prefix=TENANT_PREFIX + "/providers")

# The areas a provider's records are also kept in, linked once they exist.
AREA_LINKS = (
    ("inspections.index", _l("Inspections"), "inspections.view"),
    ("notices.index", _l("Rectification notices"), "notices.view"),
)


@bp.app_context_processor
def _labels() -> dict:
    return {"PROVIDER_PERIOD": PERIOD_LABELS, "PROVIDER_NO_FIGURE": NO_FIGURE_LABELS}


@bp.app_template_filter("yuan")
def _yuan(value: Decimal | None) -> str:
    """Money as a statement shows it: ¥12,345.60."""
    return "" if value is None else f"¥{value:,.2f}"


def area_links() -> list[tuple[Any, str]]:
    """(label, url) of the inspections and notices pages, where they exist and the user may
    open them."""
    found = []
    for endpoint, label, needed in AREA_LINKS:
        if endpoint in current_app.view_functions and can(needed):
            try:
                found.append((label, url_for(endpoint)))
            except BuildError:
                continue
    return found


@bp.get("/")
@requires("providers.view")
def index():
    page = lists.provider_page(
        tenant_session(),
        current_actor(),
        page_number(request.args.get("page")),
        tenant_today(),
    )
    return page_or_fragment(
        "providers/index.html",
        "providers/_list.html",
        "providers",
        page=page,
        staff=service.sees_unpublished(current_actor()),
    )


def _provider_or_404(provider_id: int, name: str = "providers.view"):
    found = service.find_provider(tenant_session(), current_actor(), provider_id, name)
    if found is None:
        abort(404)
    return found


def _open_provider_or_404(provider_id: int):
    """A provider whose contracts may change: in reach, and not archived (403)."""
    unit = _provider_or_404(provider_id, "providers.manage")
    if unit.archived_at is not None:
        raise Refused(_l("This provider is archived: its contracts no longer change."))
    return unit


def _provider_page(unit, status: int = 200, errors: dict | None = None, values: dict | None = None):
    session, actor, today = tenant_session(), current_actor(), tenant_today()
    contracts = service.contracts_of(session, unit.id)
    shown = service.shown_contract(contracts, today)
    contact = contacts.contact_of(session, contracts)
    graded = lists.visible_grades(session, actor, [unit.id])
    scheme = tiers.provider_scheme(session, unit.id)
    return (
        render_template(
            "providers/provider.html",
            unit=unit,
            contract=shown,
            state=service.period_state(shown, today) if shown else None,
            history=[(c, service.period_state(c, today)) for c in reversed(contracts)],
            contact=contact,
            contact_status=status_of(contact).value if contact else None,
            payables=[lists.payable(grade, contracts) for grade in graded],
            tiers=lists.tier_table(shown, scheme) if shown else [],
            scheme=scheme,
            staff=service.sees_unpublished(actor),
            links=area_links(),
            languages=LANGUAGES,
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/<int:provider_id>")
@requires("providers.view")
def provider(provider_id: int):
    return _provider_page(_provider_or_404(provider_id))


# -- contracts --------------------------------------------------------------------------------


def _form_input() -> service.ContractInput:
    """The contract form as sent, cut to sizes the service then judges."""
    form = request.form
    rows = service.TIER_ROWS_LIMIT + 1

    def text(name: str, limit: int) -> str:
        return (form.get(name) or "")[: limit + 1]

    return service.ContractInput(
        company=text("company", service.COMPANY_LIMIT),
        starts_on=text("starts_on", 20),
        ends_on=text("ends_on", 20),
        monthly_fee=text("monthly_fee", 60),
        bands=tuple(band[: service.BAND_LIMIT + 1] for band in form.getlist("band")[:rows]),
        shares=tuple(share[:60] for share in form.getlist("share")[:rows]),
        note=text("note", service.NOTE_LIMIT),
    )


def _form_page(unit, contract, data: service.ContractInput, status=200, errors=None):
    session = tenant_session()
    scheme = tiers.provider_scheme(session, unit.id)
    typed = dict(zip(data.bands, data.shares, strict=False))
    rows = [
        tiers.TierRow(row.band, typed.get(row.band, row.share), row.coefficient, row.in_scheme)
        for row in tiers.tier_rows(scheme, _earlier_tiers(unit.id, contract))
    ]
    return (
        render_template(
            "providers/contract_form.html",
            unit=unit,
            contract=contract,
            data=data,
            rows=rows,
            scheme=scheme,
            errors=errors or {},
        ),
        status,
    )


def _earlier_tiers(provider_id: int, contract) -> list:
    """The tiers the form starts from: the contract's own, or the latest contract's."""
    if contract is not None:
        return contract.tiers or []
    earlier = service.contracts_of(tenant_session(), provider_id)
    return (earlier[-1].tiers or []) if earlier else []


def _next_period(provider_id: int) -> tuple[dt.date, dt.date]:
    """A new period starts the day after the last one ends (else this month), for a year."""
    earlier = service.contracts_of(tenant_session(), provider_id)
    start = earlier[-1].ends_on + dt.timedelta(days=1) if earlier else tenant_today().replace(day=1)
    try:
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, day=28)
    return start, end


@bp.get("/<int:provider_id>/contracts/new")
@requires("providers.manage")
def new_contract(provider_id: int):
    unit = _open_provider_or_404(provider_id)
    earlier = service.contracts_of(tenant_session(), provider_id)
    last = earlier[-1] if earlier else None
    start, end = _next_period(provider_id)
    data = service.ContractInput(
        company=last.company if last else "",
        starts_on=start.isoformat(),
        ends_on=end.isoformat(),
        monthly_fee=str(last.monthly_fee) if last and last.monthly_fee is not None else "",
    )
    return _form_page(unit, None, data)


@bp.post("/<int:provider_id>/contracts/new")
@requires("providers.manage")
def create_contract(provider_id: int):
    session = tenant_session()
    data = _form_input()
    try:
        added = service.add_contract(session, current_actor(), provider_id, data)
    except Invalid as error:
        session.rollback()
        unit = _provider_or_404(provider_id, "providers.manage")
        return _form_page(unit, None, data, 400, error.errors)
    if added is None:
        abort(404)
    session.commit()
    flash(_("The contract was recorded."), "success")
    return redirect(url_for("providers.provider", provider_id=provider_id))


def _contract_or_404(provider_id: int, contract_id: int):
    found = service.find_contract(
        tenant_session(), current_actor(), provider_id, contract_id, "providers.manage"
    )
    if found is None:
        abort(404)
    return found


@bp.get("/<int:provider_id>/contracts/<int:contract_id>")
@requires("providers.manage")
def edit_contract(provider_id: int, contract_id: int):
    unit = _open_provider_or_404(provider_id)
    contract = _contract_or_404(provider_id, contract_id)
    data = service.ContractInput(
        company=contract.company,
        starts_on=contract.starts_on.isoformat(),
        ends_on=contract.ends_on.isoformat(),
        monthly_fee="" if contract.monthly_fee is None else str(contract.monthly_fee),
        note=contract.note or "",
    )
    return _form_page(unit, contract, data)


@bp.post("/<int:provider_id>/contracts/<int:contract_id>")
@requires("providers.manage")
def update_contract(provider_id: int, contract_id: int):
    session = tenant_session()
    data = _form_input()
    try:
        found, changed = service.change_contract(
            session, current_actor(), provider_id, contract_id, data
        )
    except Invalid as error:
        session.rollback()
        unit = _provider_or_404(provider_id, "providers.manage")
        contract = _contract_or_404(provider_id, contract_id)
        return _form_page(unit, contract, data, 400, error.errors)
    if found is None:
        abort(404)
    session.commit()
    flash(_("The contract was corrected.") if changed else _("No change."), "success")
    return redirect(url_for("providers.provider", provider_id=provider_id))


# -- the contact ------------------------------------------------------------------------------


def _settings():
    return current_app.extensions["kaohe.settings"]


@bp.post("/<int:provider_id>/contact")
@requires("providers.manage")
def set_contact(provider_id: int):
    session, form = tenant_session(), request.form
    locale = form.get("locale")
    data = contacts.ContactInput(
        email=(form.get("email") or "")[:300],
        name=(form.get("name") or "")[:300],
        locale=locale if locale in LANGUAGES else None,
    )
    try:
        done = contacts.set_contact(session, current_actor(), g.tenant, provider_id, data)
    except Invalid as error:
        session.rollback()
        values = {"email": data.email, "name": data.name, "locale": data.locale}
        return _provider_page(_provider_or_404(provider_id), 400, error.errors, values)
    if done is None:
        abort(404)
    user, invited = done
    if invited:
        return _deliver_invitation(user, provider_id)
    session.commit()
    flash(_("%(name)s is now the provider's contact.", name=user.name), "success")
    return redirect(url_for("providers.provider", provider_id=provider_id))


def _deliver_invitation(user: User, provider_id: int):
    """Issue the new contact's invitation with the change, commit, then mail it or show it
    once to this admin (as the accounts page does)."""
    session = tenant_session()
    by_mail = mail_enabled(_settings())
    token, secret = issue_link(session, current_actor(), user, TokenPurpose.INVITE, by_mail=by_mail)
    session.commit()
    back = url_for("providers.provider", provider_id=provider_id)
    if by_mail:
        try:
            start_job(ACCOUNT_MAIL, token.id)
        except RedisError:
            flash(_("The mail could not be queued. Try again in a moment."), "error")
        else:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        return redirect(back)
    link = link_url(_settings().base_url, TokenPurpose.INVITE, g.tenant.slug, secret)
    page = render_template(
        "accounts/link_issued.html",
        user=user,
        logins=logins_of(session, user),
        purpose=TokenPurpose.INVITE,
        link=link,
        qr=qr_svg(link),
        token=token,
        back_url=back,
        back_label=_("Back to the provider"),
    )
    return private(make_response(page))


@bp.post("/<int:provider_id>/contact/remove")
@requires("providers.manage")
def remove_contact(provider_id: int):
    session = tenant_session()
    try:
        removed = contacts.remove_contact(
            session, current_actor(), provider_id, record_id(request.form.get("contact"))
        )
    except Invalid as error:
        session.rollback()
        return _provider_page(_provider_or_404(provider_id), 400, error.errors)
    if removed is None:
        abort(404)
    session.commit()
    flash(
        _("%(name)s is no longer the provider's contact and was logged out.", name=removed.name),
        "success",
    )
    return redirect(url_for("providers.provider", provider_id=provider_id))
