"""The ledger pages (实绩档案): the filtered list of entries, one person's or unit's timeline,
an entry's page with its files, decision and withdrawal, the form adding an entry (with
photos and scans), the Excel import, and the subject's own ledger of published periods.

``ledger.view`` reads (a manager: their units' people and units, never themself);
``ledger.enter`` adds entries and their files, imports and withdraws; ``ledger.decide`` rules
an entry valid or invalid; ``ledger.own`` reads one's own entries once a cycle including
one is published. Entries outside the reader's reach are not found (404). Every change is a
plain form (redirect after success); a service's ``Invalid`` goes back beside its field (400).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from saas.attachments.files import MAX_UPLOAD_BYTES
from saas.attachments.words import MAX_AT_ONCE, MAX_REQUEST_BYTES, message
from saas.auth.accounts import current_scope
from saas.auth.guard import can, current_actor, requires
from saas.imports.columns import file_language
from saas.ledger import evidence, excel, importing, lists, service
from saas.ledger.audit_words import KIND_LABELS, SOURCE_LABELS, VALIDITY_LABELS
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.people.employees import unit_choices
from saas.schemes.explain import event_label
from saas.validation import Invalid, calendar_day, finite_decimal, page_number, record_id
from saas.web.errors import error_page
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("ledger", __name__, url_prefix=TENANT_PREFIX + "/ledger")

TEXT_LIMIT = 1000
# The forms that send photos: their requests may be larger than the app's bound (several
# phone photos at once), set before the body is read (the CSRF check reads it first).
UPLOADS = {"ledger.create", "ledger.add_files"}


@bp.url_value_preprocessor
def _upload_bound(endpoint: str | None, _values: dict | None) -> None:
    if endpoint in UPLOADS:
        request.max_content_length = MAX_REQUEST_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    # Raised while the CSRF check reads the body, before the view and its @requires ran.
    errors = {"file": [message("request_too_large")]}
    if not can("ledger.enter"):
        return error_page(413)
    if request.endpoint == "ledger.import_upload":
        return _import_page(413, [excel.TOO_LARGE])
    if request.endpoint not in UPLOADS:
        return error_page(413)
    if request.endpoint == "ledger.create":
        return _new_page(413, errors)
    entry_id = (request.view_args or {}).get("entry_id")
    found = service.find_entry(tenant_session(), current_actor(), entry_id or 0, "ledger.enter")
    if found is None:
        abort(404)
    return _entry_page(found, 413, errors)


def _uploads() -> list[evidence.Upload]:
    """The files sent in "file" (a form with no file chosen sends one without a name), each
    read no further than one byte past the bound, so a larger one is told so."""
    return [
        evidence.Upload(storage.stream.read(MAX_UPLOAD_BYTES + 1), storage.filename)
        for storage in request.files.getlist("file")[: MAX_AT_ONCE + 1]
        if storage.filename
    ]


@bp.app_context_processor
def _labels() -> dict:
    return {
        "LEDGER_SOURCE": SOURCE_LABELS,
        "LEDGER_VALIDITY": VALIDITY_LABELS,
        "LEDGER_KIND": KIND_LABELS,
    }


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
        date_from=calendar_day(args.get("from")),
        date_to=calendar_day(args.get("to")),
        withdrawn=args.get("withdrawn") == "1",
        cycle_id=record_id(args.get("cycle")),
    )


QUERY_KEYS = ("unit", "employee", "cycle", "validity", "source", "from", "to", "withdrawn")


@bp.get("/")
@requires("ledger.view")
def index():
    session = tenant_session()
    filters = _filters(request.args)
    page = lists.entry_page(
        session, current_actor(), filters, page_number(request.args.get("page"))
    )
    query = {key: value for key, value in request.args.items() if key in QUERY_KEYS and value}
    return page_or_fragment(
        "ledger/index.html",
        "ledger/_entries.html",
        "entries",
        page=page,
        filters=filters,
        query=query,
        units=unit_choices(session, current_scope().unit_clause()),
        cycles=lists.cycle_choices(session),
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


@bp.get("/unit/<int:unit_id>")
@requires("ledger.view")
def unit(unit_id: int):
    """The entries about a unit itself and, with ``people=1``, those of its people."""
    session = tenant_session()
    found = lists.unit_in_reach(session, current_actor(), unit_id)
    if found is None:
        abort(404)
    people = request.args.get("people") == "1"
    return render_template(
        "ledger/unit.html",
        unit=found,
        people=people,
        entries=lists.unit_timeline(session, current_actor(), unit_id, people),
        rules=_rule_names(session),
    )


@bp.get("/mine")
@requires("ledger.own")
def mine():
    """The signed-in person's own entries of periods whose results are published: date,
    event, points and validity, not the evidence files (docs/ledger.md)."""
    session = tenant_session()
    employee_id = current_actor().scope.employee_id
    entries = lists.own_entries(session, employee_id) if employee_id is not None else []
    rules = service.published_rules(session) if entries else {}
    return render_template(
        "ledger/mine.html",
        linked=employee_id is not None,
        rows=[_own_row(entry, rules.get(entry.event or "")) for entry in entries],
    )


def _own_row(entry, rule: dict | None) -> dict:
    """What the subject reads of an entry: what happened, its points and effects."""
    if entry.event is None:
        return {"entry": entry, "label": entry.label, "points": entry.points, "effect": None}
    if rule is None:  # its scheme is no longer published: the event's key is all there is
        return {"entry": entry, "label": entry.event, "points": None, "effect": None}
    points = finite_decimal(rule.get("points")) or None
    effect = excel.effects_text({**rule, "points": None, "needs_validity": False})
    return {
        "entry": entry,
        "label": event_label(rule),
        "points": points,
        "effect": effect or None,
    }


@bp.get("/people")
@requires("ledger.enter")
def people():
    """``<option>``s for the add form's person field, as the user types."""
    text = (request.args.get("employee_number") or "")[:40]
    found = lists.people_to_enter(tenant_session(), current_actor(), text)
    return render_template("org/_manager_options.html", people=found)


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
            unit=session.get(OrgUnit, entry.unit_id),
            files=evidence.files_of(session, entry.id),
            rules=_rule_names(session),
            errors=errors or {},
            values=values or {},
            most_at_once=MAX_AT_ONCE,
        ),
        status,
    )


@bp.get("/entry/<int:entry_id>")
@requires("ledger.view")
def entry(entry_id: int):
    return _entry_page(_entry_or_404(entry_id))


@bp.post("/entry/<int:entry_id>/files")
@requires("ledger.enter")
def add_files(entry_id: int):
    """Photos or scans added to an entry: all of them kept, or none (400 beside the field)."""
    session = tenant_session()
    actor = current_actor()
    found = evidence.entry_for_files(session, actor, entry_id)
    if found is None:
        abort(404)
    try:
        kept = evidence.attach(session, actor, found, _uploads())
    except Invalid as error:
        session.rollback()
        return _entry_page(_entry_or_404(entry_id), 400, error.errors)
    session.commit()
    flash(
        ngettext("%(num)d file was added.", "%(num)d files were added.", len(kept)),
        "success",
    )
    return redirect(url_for("ledger.entry", entry_id=entry_id) + "#files")


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
            most_at_once=MAX_AT_ONCE,
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
    unit_id = record_id(request.args.get("unit"))
    if unit_id is not None:
        values["unit_id"] = str(unit_id)
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
    day = calendar_day(form.get("on"))
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
    uploads = _uploads()
    if not errors and uploads:
        try:  # in the entry's transaction: a refused file keeps the entry out too
            evidence.attach(session, current_actor(), added, uploads)
        except Invalid as error:
            session.rollback()
            errors = error.errors
    if errors:
        if uploads and "file" not in errors:
            errors["file"] = [_l("Nothing was kept: choose the files again.")]
        return _new_page(400, errors, dict(form))
    session.commit()
    flash(_("The entry was added to the ledger."), "success")
    return redirect(url_for("ledger.entry", entry_id=added.id))


# -- import from Excel ------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 200


def _lang() -> str:
    return file_language(get_locale().language)


def _import_page(status: int = 200, messages: list | None = None, problems: list | None = None):
    problems = problems or []
    return (
        render_template(
            "ledger/import.html",
            messages=messages or [],
            problems=problems[:PROBLEMS_SHOWN],
            more=max(0, len(problems) - PROBLEMS_SHOWN),
            rows=excel.MAX_ROWS,
        ),
        status,
    )


@bp.get("/import")
@requires("ledger.enter")
def import_page():
    return _import_page()


@bp.get("/import/template.xlsx")
@requires("ledger.enter")
def import_template():
    data = excel.template(service.published_rules(tenant_session()), _lang())
    response = send_file(
        BytesIO(data),
        mimetype=XLSX,
        download_name=_("kaohe-ledger-template") + ".xlsx",
        as_attachment=True,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/import")
@requires("ledger.enter")
def import_upload():
    """A filled-in template: every row added as an entry, or nothing (400, each bad cell)."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _import_page(400, [_("Choose the filled-in template to upload.")])
    content = storage.stream.read(excel.MAX_BYTES + 1)
    name = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    session = tenant_session()
    try:
        raw = excel.read(content)
        added = importing.import_entries(
            session, current_actor(), raw, name, tenant_today(), _lang()
        )
    except Invalid as error:
        session.rollback()
        return _import_page(400, [m for found in error.errors.values() for m in found])
    except importing.Rejected as rejected:
        session.rollback()
        return _import_page(400, problems=rejected.problems)
    session.commit()
    flash(
        ngettext("%(num)d entry was imported.", "%(num)d entries were imported.", len(added)),
        "success",
    )
    return redirect(url_for("ledger.index"))
