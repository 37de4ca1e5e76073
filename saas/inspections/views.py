"""The inspection pages (检查 / 抽查 / 暗访): the filtered list, planning an ad hoc inspection,
an inspection's page, the run on a phone (item by item, photos, then both signatures), the
report, and the schedules.

``inspections.view`` reads (saas/inspections/access.py says who sees what; an unannounced
inspection is hidden from the inspected until it is done); ``inspections.plan`` plans,
schedules and cancels; ``inspections.run`` carries out (the assigned inspector, or an
administrator). Out of reach is 404. The run works without JavaScript (a whole-form post);
with it each item is saved as the inspector leaves it (HTMX), photos upload as they are
taken, and the signatures are drawn (saas/static/signature-pad.js).
"""

from __future__ import annotations

import io
import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from sqlalchemy import ColumnElement, select, true

from saas.attachments import service as attachments
from saas.attachments.files import MAX_UPLOAD_BYTES, Unacceptable
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Actor, Reach
from saas.inspections import access, lists, schedules, service
from saas.inspections import todos as _todos  # noqa: F401  registers the start page's to-do
from saas.inspections.audit_words import EVERY_LABELS, METHOD_LABELS, STATUS_LABELS
from saas.inspections.checklists import checklist_of, checklists, inspectors
from saas.inspections.findings import NOT_APPLICABLE
from saas.inspections.results import progress, sections
from saas.inspections.signatures import MAX_FIELD, data_url
from saas.jobs.tracking import start_job
from saas.models.attachment import AttachmentOwner
from saas.models.inspection import Inspection, InspectionSchedule, InspectionStatus
from saas.models.org import OrgUnit
from saas.people.employees import unit_choices
from saas.scoring.scheme import Scheme
from saas.validation import Invalid, calendar_day, page_number, record_id
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today
from workers.enqueue import INSPECTION_REPORT

log = logging.getLogger(__name__)

bp = Blueprint("inspections", __name__, url_prefix=TENANT_PREFIX + "/inspections")

FIELD_LIMIT = 200  # characters of one typed value read
TEXT_LIMIT = service.TEXT_LIMIT
UPLOAD_MESSAGES = {
    "empty": _l("Choose a photo first."),
    "too_large": _l("The photo is too large (at most 10 MB)."),
    "not_allowed": _l("Only photos (JPEG, PNG, WebP) and PDF scans can be added."),
    "damaged": _l("The file is damaged and cannot be read."),
    "too_many_pixels": _l("The photo has too many pixels."),
    "active_pdf": _l("This PDF holds active content and cannot be added."),
    "too_many": _l("This item has as many photos as it can hold (6)."),
}


@bp.app_context_processor
def _labels() -> dict:
    return {
        "INSPECTION_METHOD": METHOD_LABELS,
        "INSPECTION_STATUS": STATUS_LABELS,
        "SCHEDULE_EVERY": EVERY_LABELS,
    }


# -- reading the request ------------------------------------------------------------------------


def _filters(args) -> lists.Filters:
    status = args.get("status") or None
    method = args.get("method") or None
    return lists.Filters(
        unit_id=record_id(args.get("unit")),
        status=status if status in STATUS_LABELS else None,
        method=method if method in METHOD_LABELS else None,
        date_from=calendar_day(args.get("from")),
        date_to=calendar_day(args.get("to")),
        mine=args.get("mine") == "1",
    )


def _unit_reach(actor: Actor) -> ColumnElement[bool]:
    """The units the list may be filtered by: those whose inspections the actor may see."""
    reach = actor.reach("inspections.view")
    if Reach.ALL in reach:
        return true()
    clause = actor.scope.unit_clause() if actor.scope.managed_paths else OrgUnit.id.in_(())
    if actor.scope.provider_unit_ids:
        clause = clause | OrgUnit.id.in_(actor.scope.provider_unit_ids)
    return clause


def _item_input(form, key: str) -> service.ItemInput | None:
    """One item's fields from a form; None when the form says nothing about it. A value not
    sent (a choice left unpicked) keeps what was saved; so does a note not sent."""
    value = form.get(f"v.{key}")
    not_applicable = form.get(f"na.{key}") in ("1", "on")
    note = form.get(f"note.{key}")
    if value is None and not not_applicable and note is None:
        return None
    return service.ItemInput(
        value=None if value is None else value[:FIELD_LIMIT],
        not_applicable=not_applicable,
        note=None if note is None else note[: TEXT_LIMIT + 1],
    )


# -- the list -----------------------------------------------------------------------------------


@bp.get("/")
@requires("inspections.view")
def index():
    session = tenant_session()
    actor = current_actor()
    # Schedules whose date has come plan their inspections now (idempotent; cron does too).
    if schedules.materialise(session, tenant_today()):
        session.commit()
    filters = _filters(request.args)
    page = lists.inspection_page(session, actor, filters, page_number(request.args.get("page")))
    query = {
        key: value
        for key, value in request.args.items()
        if key in ("unit", "status", "method", "from", "to", "mine") and value
    }
    return page_or_fragment(
        "inspections/index.html",
        "inspections/_list.html",
        "inspections",
        page=page,
        filters=filters,
        query=query,
        units=unit_choices(session, _unit_reach(actor)),
    )


# -- planning -----------------------------------------------------------------------------------


def _plan_choices() -> dict[str, Any]:
    session = tenant_session()
    return {
        "checklists": checklists(session),
        "units": unit_choices(session, true()),
        "inspectors": inspectors(session),
    }


def _new_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    return (
        render_template(
            "inspections/new.html", errors=errors or {}, values=values or {}, **_plan_choices()
        ),
        status,
    )


@bp.get("/new")
@requires("inspections.plan")
def new():
    values = {"planned_on": tenant_today().isoformat(), "method": "inspection"}
    unit = record_id(request.args.get("unit"))
    if unit is not None:
        values["unit_id"] = str(unit)
    return _new_page(values=values)


def _plan_fields(form) -> dict[str, Any]:
    return {
        "scheme_id": record_id(form.get("scheme_id")),
        "unit_id": record_id(form.get("unit_id")),
        "method": (form.get("method") or "")[:20],
        "unannounced": form.get("unannounced") in ("1", "on"),
        "inspector_id": record_id(form.get("inspector_id")),
        "today": tenant_today(),
    }


@bp.post("/new")
@requires("inspections.plan")
def create():
    session = tenant_session()
    form = request.form
    try:
        planned = service.plan(
            session,
            current_actor(),
            planned_on=calendar_day(form.get("planned_on")),
            **_plan_fields(form),
        )
    except Invalid as error:
        session.rollback()
        return _new_page(400, error.errors, dict(form))
    session.commit()
    flash(_("The inspection is planned."), "success")
    return redirect(url_for("inspections.show", inspection_id=planned.id))


# -- one inspection -----------------------------------------------------------------------------


def _found(inspection_id: int, *, lock: bool = False) -> Inspection:
    found = access.find(tenant_session(), current_actor(), inspection_id, lock=lock)
    if found is None:
        abort(404)
    return found


def _photos(inspection: Inspection) -> dict[str, list]:
    by_slot: dict[str, list] = {}
    for photo in attachments.of(tenant_session(), AttachmentOwner.INSPECTION, [inspection.id])[
        inspection.id
    ]:
        by_slot.setdefault(photo.slot or "", []).append(photo)
    return by_slot


def _context(inspection: Inspection, checklist: Scheme) -> dict[str, Any]:
    session = tenant_session()
    done, total = progress(checklist, inspection.values)
    return {
        "inspection": inspection,
        "checklist": checklist,
        "names": lists.described(session, inspection),
        "photos": _photos(inspection),
        "done": done,
        "total": total,
        "may_run": access.may_run(current_actor(), inspection),
    }


@bp.get("/<int:inspection_id>")
@requires("inspections.view")
def show(inspection_id: int):
    inspection = _found(inspection_id)
    session = tenant_session()
    checklist = checklist_of(session, inspection.version_id)
    signed = {}
    if inspection.status == InspectionStatus.DONE:
        row = session.execute(
            select(Inspection.inspector_signature, Inspection.onsite_signature).where(
                Inspection.id == inspection.id
            )
        ).one()
        signed = {"inspector": row[0], "onsite": row[1]}
        has_report = session.scalar(
            select(Inspection.report.is_not(None)).where(Inspection.id == inspection.id)
        )
    else:
        has_report = False
    return render_template(
        "inspections/inspection.html",
        sections=sections(checklist, inspection.values, inspection.notes, inspection.breakdown),
        signed={key: data_url(png) for key, png in signed.items() if png},
        has_report=has_report,
        errors={},
        **_context(inspection, checklist),
    )


@bp.post("/<int:inspection_id>/cancel")
@requires("inspections.plan")
def cancel(inspection_id: int):
    session = tenant_session()
    inspection = _found(inspection_id, lock=True)
    try:
        service.cancel(
            session,
            current_actor(),
            inspection,
            (request.form.get("reason") or "")[: TEXT_LIMIT + 1],
        )
    except Invalid as error:
        session.rollback()
        inspection = _found(inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        return render_template(
            "inspections/inspection.html",
            sections=sections(checklist, inspection.values, inspection.notes, None),
            signed={},
            has_report=False,
            errors=error.errors,
            **_context(inspection, checklist),
        ), 400
    session.commit()
    flash(_("The inspection was cancelled."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


# -- the run ------------------------------------------------------------------------------------


def _run_urls(inspection_id: int) -> dict[str, str]:
    return {
        "run": url_for("inspections.save", inspection_id=inspection_id),
        "item": url_for("inspections.save_item", inspection_id=inspection_id),
        "photos": url_for("inspections.add_photo", inspection_id=inspection_id),
        "sign": url_for("inspections.sign", inspection_id=inspection_id),
        "show": url_for("inspections.show", inspection_id=inspection_id),
    }


def _runnable(inspection_id: int, *, lock: bool = False) -> tuple[Inspection, Scheme]:
    """The inspection the actor may carry out now (404 out of sight; 403 refused)."""
    inspection = _found(inspection_id, lock=lock)
    service.require_runnable(current_actor(), inspection)
    return inspection, checklist_of(tenant_session(), inspection.version_id)


def _shown_value(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _run_page(
    inspection: Inspection,
    checklist: Scheme,
    *,
    status: int = 200,
    errors: dict | None = None,
    typed: dict | None = None,
    photo_errors: dict | None = None,
):
    typed = typed or {}
    shown = {key: _shown_value(value) for key, value in inspection.values.items()}
    shown.update(typed)
    return (
        render_template(
            "inspections/run.html",
            values=shown,
            notes=inspection.notes,
            errors=errors or {},
            photo_errors=photo_errors or {},
            urls=_run_urls(inspection.id),
            NOT_APPLICABLE=NOT_APPLICABLE,
            **_context(inspection, checklist),
        ),
        status,
    )


@bp.get("/<int:inspection_id>/run")
@requires("inspections.run")
def run(inspection_id: int):
    inspection, checklist = _runnable(inspection_id)
    return _run_page(inspection, checklist)[0]


def _given(checklist: Scheme, form) -> dict[str, service.ItemInput]:
    given = {}
    for key in service.items_of(checklist):
        found = _item_input(form, key)
        if found is not None:
            given[key] = found
    return given


def _stepped(checklist: Scheme, inspection: Inspection, given: dict, how: str) -> str | None:
    """A deduction's − or + pressed without JavaScript ("<key>:+1"): the key, count changed."""
    key, _sep, by = how.rpartition(":")
    item = service.items_of(checklist).get(key)
    if item is None or item.mode.value != "deduction" or by not in ("+1", "-1"):
        return None
    one = given.get(key) or service.ItemInput()
    raw = one.value if one.value is not None else inspection.values.get(key)
    count = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else 0
    count = min(max(count + (1 if by == "+1" else -1), 0), 1000)
    given[key] = service.ItemInput(str(count), False, one.note)
    return key


def _save_whole(inspection: Inspection, checklist: Scheme, how: str = ""):
    """Every item the form sent, saved (or none, with every problem shown: the 400 page as
    the first of the pair); the second is the item whose stepper was pressed."""
    session = tenant_session()
    given = _given(checklist, request.form)
    stepped = _stepped(checklist, inspection, given, how) if how else None
    try:
        service.save_all(session, current_actor(), inspection, checklist, given)
    except Invalid as error:
        session.rollback()
        typed = {key: one.value or "" for key, one in given.items() if one.value is not None}
        again = _found(inspection.id)
        return _run_page(again, checklist, status=400, errors=error.errors, typed=typed), None
    return None, stepped


@bp.post("/<int:inspection_id>/run")
@requires("inspections.run")
def save(inspection_id: int):
    """The whole form, without JavaScript: save every item (a deduction's − or + too), then
    go on to the signatures when asked."""
    inspection, checklist = _runnable(inspection_id, lock=True)
    how = (request.form.get("step") or "")[:FIELD_LIMIT]
    failed, stepped = _save_whole(inspection, checklist, how)
    if failed is not None:
        return failed
    tenant_session().commit()
    if stepped:
        return redirect(
            url_for("inspections.run", inspection_id=inspection_id, _anchor=f"item-{stepped}")
        )
    if request.form.get("do") == "sign":
        return redirect(url_for("inspections.sign", inspection_id=inspection_id))
    flash(_("Saved."), "success")
    return redirect(url_for("inspections.run", inspection_id=inspection_id))


@bp.post("/<int:inspection_id>/item")
@requires("inspections.run")
def save_item(inspection_id: int):
    """One item saved as the inspector leaves it: "saved" or the problem beside it, and the
    progress out of band. Without HTMX it falls back to the whole form."""
    inspection, checklist = _runnable(inspection_id, lock=True)
    session = tenant_session()
    key = (request.form.get("item") or "")[:FIELD_LIMIT]
    given = _item_input(request.form, key) or service.ItemInput()
    if given.value is None and not given.not_applicable:
        # No choice picked in this item (only its note changed): its value stays.
        current = inspection.values.get(key)
        given = service.ItemInput(_shown_value(current), current == NOT_APPLICABLE, given.note)
    try:
        stored = service.save_item(
            session,
            current_actor(),
            inspection,
            checklist,
            key,
            given,
            with_note=given.note is not None,
        )
    except Invalid as error:
        session.rollback()
        if not wants_fragment():
            return _run_page(_found(inspection_id), checklist, status=400, errors=error.errors)
        return render_template("inspections/_saved.html", key=key, error=error.message), 400
    session.commit()
    if not wants_fragment():
        return redirect(url_for("inspections.run", inspection_id=inspection_id))
    done, total = progress(checklist, inspection.values)
    return render_template(
        "inspections/_saved.html",
        key=key,
        error=None,
        stored=stored,
        done=done,
        total=total,
        inspection=inspection,
        urls=_run_urls(inspection_id),
    )


# -- photos -------------------------------------------------------------------------------------


def _uploaded() -> tuple[bytes, str | None]:
    """The first file sent (the no-JavaScript form sends every item's picker)."""
    for upload in request.files.getlist("file"):
        if upload and upload.filename:
            return upload.read(MAX_UPLOAD_BYTES + 1), upload.filename[:200]
    return b"", None


def _photos_fragment(inspection: Inspection, slot: str, status: int = 200, error: Any = None):
    return (
        render_template(
            "inspections/_photos.html",
            inspection=inspection,
            key=slot,
            photos=_photos(inspection).get(slot, []),
            editable=True,
            urls=_run_urls(inspection.id),
            error=error,
        ),
        status,
    )


@bp.post("/<int:inspection_id>/photos")
@requires("inspections.run")
def add_photo(inspection_id: int):
    inspection, checklist = _runnable(inspection_id, lock=True)
    session = tenant_session()
    slot = (request.form.get("slot") or "")[:FIELD_LIMIT]
    fragment = wants_fragment()
    if not fragment:  # the whole form came along: keep what was typed too
        failed, _stepped_key = _save_whole(inspection, checklist)
        if failed is not None:
            return failed
    data, name = _uploaded()
    try:
        service.add_photo(session, current_actor(), inspection, checklist, slot, data, name)
    except (Unacceptable, Invalid) as error:
        session.rollback()
        message = (
            UPLOAD_MESSAGES.get(error.code, UPLOAD_MESSAGES["not_allowed"])
            if isinstance(error, Unacceptable)
            else error.message
        )
        if fragment and slot in service.items_of(checklist):
            return _photos_fragment(_found(inspection_id), slot, 400, message)
        again = _found(inspection_id)
        errors = {slot: [message]} if slot in service.items_of(checklist) else {}
        return _run_page(again, checklist, status=400, photo_errors=errors)
    session.commit()
    if fragment:
        return _photos_fragment(inspection, slot)
    return redirect(url_for("inspections.run", inspection_id=inspection_id, _anchor=f"item-{slot}"))


@bp.post("/<int:inspection_id>/photos/<int:attachment_id>/remove")
@requires("inspections.run")
def remove_photo(inspection_id: int, attachment_id: int):
    inspection, checklist = _runnable(inspection_id, lock=True)
    session = tenant_session()
    if not wants_fragment():  # the whole form came along: keep what was typed too
        failed, _stepped_key = _save_whole(inspection, checklist)
        if failed is not None:
            return failed
    slot = service.remove_photo(session, current_actor(), inspection, attachment_id)
    if slot is None:
        abort(404)
    session.commit()
    if wants_fragment():
        return _photos_fragment(inspection, slot)
    return redirect(url_for("inspections.run", inspection_id=inspection_id, _anchor=f"item-{slot}"))


# -- signing and finishing ----------------------------------------------------------------------


def _sign_page(
    inspection: Inspection,
    checklist: Scheme,
    *,
    status: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    missing: list | None = None,
):
    left = missing if missing is not None else service.missing(checklist, inspection.values)
    return (
        render_template(
            "inspections/sign.html",
            errors=errors or {},
            values=values or {},
            missing=left,
            urls=_run_urls(inspection.id),
            **_context(inspection, checklist),
        ),
        status,
    )


@bp.get("/<int:inspection_id>/sign")
@requires("inspections.run")
def sign(inspection_id: int):
    inspection, checklist = _runnable(inspection_id)
    return _sign_page(inspection, checklist)[0]


@bp.post("/<int:inspection_id>/finish")
@requires("inspections.run")
def finish(inspection_id: int):
    inspection, checklist = _runnable(inspection_id, lock=True)
    session = tenant_session()
    form = request.form
    posted = {
        "inspector_signature": (form.get("inspector_signature") or "")[: MAX_FIELD + 1],
        "onsite_signature": (form.get("onsite_signature") or "")[: MAX_FIELD + 1],
        "onsite_name": (form.get("onsite_name") or "")[: service.NAME_LIMIT + 1],
    }
    try:
        service.finish(
            session, current_actor(), inspection, checklist, today=tenant_today(), **posted
        )
    except service.Incomplete as error:
        session.rollback()
        again = _found(inspection_id)
        return _sign_page(again, checklist, status=400, values=posted, missing=error.missing)
    except Invalid as error:
        session.rollback()
        # Signatures that were fine are drawn back, so only the refused one is signed again.
        kept = {k: v for k, v in posted.items() if k not in error.errors}
        return _sign_page(
            _found(inspection_id), checklist, status=400, errors=error.errors, values=kept
        )
    session.commit()
    _queue_report(inspection_id)
    flash(_("The inspection is finished. Its signed report is being made."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


def _queue_report(inspection_id: int) -> None:
    try:
        start_job(INSPECTION_REPORT, inspection_id, user_id=current_actor().user_id)
    except RedisError:  # the inspection is saved; the report can be asked for again
        log.exception("could not queue the report of inspection %s", inspection_id)
        flash(_("The report could not be queued now. Ask for it again on this page."), "error")


# -- the report ---------------------------------------------------------------------------------


@bp.get("/<int:inspection_id>/report")
@requires("inspections.view")
def report(inspection_id: int):
    inspection = _found(inspection_id)
    row = (
        tenant_session()
        .execute(
            select(Inspection.report, Inspection.report_serial).where(
                Inspection.id == inspection.id
            )
        )
        .one()
    )
    if row[0] is None:
        abort(404)
    response: Response = send_file(
        io.BytesIO(row[0]),
        mimetype="application/pdf",
        download_name=f"{row[1]}.pdf",
        as_attachment=request.args.get("download") == "1",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<int:inspection_id>/report")
@requires("inspections.run")
def make_report(inspection_id: int):
    """Queue the report again (it failed, or the queue was down at the finish)."""
    inspection = _found(inspection_id)
    if inspection.status != InspectionStatus.DONE:
        abort(404)
    _queue_report(inspection_id)
    flash(_("The report is being made."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


# -- schedules ----------------------------------------------------------------------------------


def _schedules_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    session = tenant_session()
    return (
        render_template(
            "inspections/schedules.html",
            schedules=lists.schedules(session),
            errors=errors or {},
            values=values or {"every": "month", "method": "inspection"},
            **_plan_choices(),
        ),
        status,
    )


@bp.get("/schedules")
@requires("inspections.plan")
def schedules_index():
    return _schedules_page()[0]


@bp.post("/schedules")
@requires("inspections.plan")
def add_schedule():
    session = tenant_session()
    form = request.form
    try:
        schedules.add(
            session,
            current_actor(),
            every=(form.get("every") or "")[:10],
            next_on=calendar_day(form.get("next_on")),
            **_plan_fields(form),
        )
    except Invalid as error:
        session.rollback()
        return _schedules_page(400, error.errors, dict(form))
    session.commit()
    flash(_("The schedule is added."), "success")
    return redirect(url_for("inspections.schedules_index"))


@bp.post("/schedules/<int:schedule_id>/end")
@requires("inspections.plan")
def end_schedule(schedule_id: int):
    session = tenant_session()
    schedule = session.scalar(
        select(InspectionSchedule).where(InspectionSchedule.id == schedule_id).with_for_update()
    )
    if schedule is None:
        abort(404)
    schedules.end(session, current_actor(), schedule)  # ended already: nothing to do
    session.commit()
    flash(_("The schedule has ended; what it planned stays."), "success")
    return redirect(url_for("inspections.schedules_index"))
