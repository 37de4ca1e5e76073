"""Creating accounts from the people pages, and the printed sheets of set-up links.

/t/<slug>/people/accounts              POST: accounts for the people ticked on the list, or
                                        for everyone in the unit the list shows
/t/<slug>/people/<id>/account           POST: one person's account (or a new set-up link)
/t/<slug>/people/accounts/sheets/<id>   the sheet: progress while the job prints it, then
                                        the PDF (…/<id>.pdf)

Who may: ``people.accounts`` (administrators for everyone, managers for the people of their
units). A sheet is shown to whoever made it, and to administrators; to anyone else, and at
any other tenant, it does not exist (404).
"""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    send_file,
)
from redis.exceptions import RedisError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import defer

from saas.accounts.mail import mail_enabled
from saas.accounts.setup import Outcome, create_accounts, renew_link, select_people
from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Reach, Refused
from saas.jobs.tracking import start_job
from saas.models.tokens import AccountSheet
from saas.people.employees import visible_employee
from saas.validation import Invalid, record_ids
from saas.web.i18n import select_locale
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session
from workers.enqueue import ACCOUNT_MAIL, SETUP_SHEET

bp = Blueprint("people_accounts", __name__, url_prefix=TENANT_PREFIX + "/people")


def _mail() -> bool:
    return mail_enabled(current_app.extensions["kaohe.settings"])


@bp.post("/accounts")
@requires("people.accounts")
def create_for_selection():
    """Accounts for the ticked people, or (``everyone=unit``) for everyone in ``unit``."""
    session = tenant_session()
    unit = record_ids([request.form.get("unit", "")])
    everyone = request.form.get("everyone") == "unit" and unit
    try:
        people = select_people(
            session,
            current_scope(),
            record_ids(request.form.getlist("employee")),
            unit[0] if everyone else None,
        )
        outcome = create_accounts(
            session, current_actor(), g.tenant, people, mail=_mail(), locale=select_locale()
        )
        session.commit()
    except Invalid as exc:
        session.rollback()
        return render_template("people/accounts_result.html", error=exc.message), 400
    return _result(outcome)


@bp.post("/<int:employee_id>/account")
@requires("people.accounts")
def create_for_person(employee_id: int):
    """The person's account and set-up link; for an account without a password yet, a new
    link (the previous one stops working)."""
    session = tenant_session()
    scope = current_scope()
    if visible_employee(session, scope, employee_id) is None:
        abort(404)
    try:
        people = select_people(session, scope, [employee_id])
    except Invalid:
        raise Refused() from None  # seen, but not one of the people this user may change
    person = people[0]
    try:
        if person.user_id is None:
            outcome = create_accounts(
                session, current_actor(), g.tenant, people, mail=_mail(), locale=select_locale()
            )
        else:
            outcome = renew_link(
                session, current_actor(), person, mail=_mail(), locale=select_locale()
            )
        session.commit()
    except Invalid as exc:
        session.rollback()
        return render_template("people/accounts_result.html", error=exc.message), 400
    return _result(outcome)


def _result(outcome: Outcome):
    """Queue the mails and the sheet (after the commit: a job finds what the page promised)."""
    mail_failed = False
    for _person, token in outcome.mailed:
        try:
            start_job(ACCOUNT_MAIL, token.id)
        except RedisError:
            mail_failed = True
    job = _print(outcome.sheet) if outcome.sheet is not None else None
    page = render_template(
        "people/accounts_result.html",
        outcome=outcome,
        sheet=outcome.sheet,
        job=job,
        mail_failed=mail_failed,
    )
    return private(make_response(page))


def _print(sheet: AccountSheet) -> Job | None:
    """The job printing ``sheet``; the same job while one is pending (workers/enqueue.py)."""
    try:
        return start_job(SETUP_SHEET, sheet.id, user_id=current_actor().user_id)
    except RedisError:
        return None  # the sheet page asks again


def _visible_sheet(sheet_id: int, *options) -> AccountSheet:
    actor = current_actor()
    query = select(AccountSheet).where(AccountSheet.id == sheet_id).options(*options)
    if Reach.ALL not in actor.reach("people.accounts"):
        query = query.where(AccountSheet.created_by_id == actor.user_id)
    sheet = tenant_session().scalar(query)
    if sheet is None:
        abort(404)
    return sheet


@bp.get("/accounts/sheets/<int:sheet_id>")
@requires("people.accounts")
def sheet(sheet_id: int):
    found = _visible_sheet(sheet_id, defer(AccountSheet.pdf))
    ready = found.rendered_at is not None
    job = None if ready else _print(found)
    page = render_template("people/sheet.html", sheet=found, job=job, ready=ready)
    return private(make_response(page))


@bp.get("/accounts/sheets/<int:sheet_id>.pdf")
@requires("people.accounts")
def sheet_pdf(sheet_id: int):
    found = _visible_sheet(sheet_id)
    if found.pdf is None:
        abort(404)
    response = send_file(
        BytesIO(found.pdf),
        mimetype="application/pdf",
        download_name=f"kaohe-setup-links-{found.id}.pdf",
    )
    return private(response)
