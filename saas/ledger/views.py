"""The ledger pages (实绩档案): the filtered list of entries, one person's timeline, an
entry's page with its decision and withdrawal, and the form adding an entry.

``ledger.view`` reads (a manager: their units' people and units, never themself);
``ledger.enter`` adds and withdraws; ``ledger.decide`` rules an entry valid or invalid.
Entries outside the reader's reach are not found (404). Every change is a plain form
(redirect after success); a service's ``Invalid`` goes back beside its field (400).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.ledger import lists, service
from saas.ledger.audit_words import KIND_LABELS, SOURCE_LABELS, VALIDITY_LABELS
from saas.models.people import Employee
from saas.people.employees import unit_choices
from saas.schemes.explain import event_label
from saas.validation import Invalid, finite_decimal, page_number, record_id
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("ledger", __name__, url_prefix=TENANT_PREFIX + "/ledger")

TEXT_LIMIT = 1000


@bp.app_context_processor
def _labels() -> dict:
    return {
        "LEDGER_SOURCE": SOURCE_LABELS,
        "LEDGER_VALIDITY": VALIDITY_LABELS,
        "LEDGER_KIND": KIND_LABELS,
    }


def _date(value: str | None) -> dt.date | None:
    """A date typed in a form or a query, or None (empty or not a date of this century)."""
    text = (value or "").strip()[:20]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _rule_names(session) -> dict[str, str]:
    return {key: event_label(rule) for key, rule in service.published_rules(session).items()}


def _filters(args) -> lists.Filters:
    validity = args.get("validity") or None
    source = args.get("source") or None
    return lists.Filters(
        unit_id=record_id(args.get("unit")),
        employee_id=record_id(args.get("employee")),
        validity=validity if validity in (*VALIDITY_LABELS, "none") else None,
        source=source if source in SOURCE_LABELS else None,
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        withdrawn=args.get("withdrawn") == "1",
    )


@bp.get("/")
@requires("ledger.view")
def index():
    session = tenant_session()
    filters = _filters(request.args)
    page = lists.entry_page(
        session, current_actor(), filters, page_number(request.args.get("page"))
    )
    query = {
        key: value
        for key, value in request.args.items()
        if key in ("unit", "employee", "validity", "source", "from", "to", "withdrawn") and value
    }
    return page_or_fragment(
        "ledger/index.html",
        "ledger/_entries.html",
        "entries",
        page=page,
        filters=filters,
        query=query,
        units=unit_choices(session, current_scope().unit_clause()),
        rules=_rule_names(session),
    )


@bp.get("/employee/<int:employee_id>")
@requires("ledger.view")
def employee(employee_id: int):
    session = tenant_session()
    found = lists.employee_in_reach(session, current_actor(), employee_id)
    if found is None:
        abort(404)
    person, unit_name = found
    return render_template(
        "ledger/employee.html",
        person=person,
        unit_name=unit_name,
        entries=lists.timeline(session, current_actor(), employee_id),
        rules=_rule_names(session),
    )


def _entry_or_404(entry_id: int):
    found = service.find_entry(tenant_session(), current_actor(), entry_id)
    if found is None:
        abort(404)
    return found


def _entry_page(entry, status: int = 200, errors: dict | None = None, values: dict | None = None):
    session = tenant_session()
    person = session.get(Employee, entry.employee_id) if entry.employee_id else None
    return (
        render_template(
            "ledger/entry.html",
            entry=entry,
            person=person,
            rules=_rule_names(session),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/entry/<int:entry_id>")
@requires("ledger.view")
def entry(entry_id: int):
    return _entry_page(_entry_or_404(entry_id))


@bp.post("/entry/<int:entry_id>/decide")
@requires("ledger.decide")
def decide(entry_id: int):
    session = tenant_session()
    try:
        found = service.decide(
            session,
            current_actor(),
            entry_id,
            (request.form.get("validity") or "")[:20],
            (request.form.get("reason") or "")[: TEXT_LIMIT + 1],
        )
    except Invalid as error:
        session.rollback()
        return _entry_page(_entry_or_404(entry_id), 400, error.errors, dict(request.form))
    if found is None:
        abort(404)
    session.commit()
    flash(_("The decision was recorded."), "success")
    return redirect(url_for("ledger.entry", entry_id=entry_id))


@bp.post("/entry/<int:entry_id>/withdraw")
@requires("ledger.enter")
def withdraw(entry_id: int):
    session = tenant_session()
    try:
        found = service.withdraw(
            session,
            current_actor(),
            entry_id,
            (request.form.get("withdraw_reason") or "")[: TEXT_LIMIT + 1],
        )
    except Invalid as error:
        session.rollback()
        errors = {"withdraw_reason": error.errors.get("reason", [error.message])}
        return _entry_page(_entry_or_404(entry_id), 400, errors, dict(request.form))
    if found is None:
        abort(404)
    session.commit()
    flash(_("The entry was withdrawn."), "success")
    return redirect(url_for("ledger.entry", entry_id=entry_id))


def _new_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    session = tenant_session()
    actor = current_actor()
    return (
        render_template(
            "ledger/new.html",
            rules=_rule_names(session),
            units=unit_choices(session, service.unit_reach(actor, "ledger.enter")),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/new")
@requires("ledger.enter")
def new():
    values: dict = {"on": tenant_today().isoformat()}
    person_id = record_id(request.args.get("employee"))
    if person_id is not None:
        person = tenant_session().get(Employee, person_id)
        if person is not None:
            values["employee_number"] = person.number
    return _new_page(values=values)


_NUMBER = _l("Give a number such as 2 or -1.5.")


@bp.post("/new")
@requires("ledger.enter")
def create():
    session = tenant_session()
    form = request.form
    errors: dict[str, list] = {}
    number = (form.get("employee_number") or "").strip()[:40]
    employee_id = None
    if number:
        employee_id = session.scalar(select(Employee.id).where(Employee.number == number))
        if employee_id is None:
            errors["subject"] = [_l("No one has this employee number.")]
    unit_id = None if number else record_id(form.get("unit_id"))
    day = _date(form.get("on"))
    if day is None:
        errors.setdefault("on", []).append(_l("Give a date such as 2026-10-10."))
    points = fine = None
    if (form.get("points") or "").strip():
        points = finite_decimal(form.get("points"), Decimal(1000))
        if points is None:
            errors["points"] = [_NUMBER]
    if (form.get("fine") or "").strip():
        fine = finite_decimal(form.get("fine"), Decimal(10**7))
        if fine is None:
            errors["fine"] = [_NUMBER]
    if not errors:
        try:
            added = service.add_entry(
                session,
                current_actor(),
                employee_id=employee_id,
                unit_id=unit_id,
                on=day,
                event=(form.get("event") or "")[:60] or None,
                label=(form.get("label") or "")[: TEXT_LIMIT + 1],
                points=points,
                fine=fine,
                note=(form.get("note") or "")[: TEXT_LIMIT + 1],
                source=(form.get("source") or "internal")[:20],
                today=tenant_today(),
            )
        except Invalid as error:
            session.rollback()
            errors = error.errors
    if errors:
        return _new_page(400, errors, dict(form))
    session.commit()
    flash(_("The entry was added to the ledger."), "success")
    return redirect(url_for("ledger.entry", entry_id=added.id))
