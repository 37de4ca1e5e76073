"""The rectification pages (整改): the filtered list with its counts per unit and provider, a
notice's page (what to fix, photos, history; the verify and deadline forms for verifiers),
the phone form that answers a notice with a note and photos, and the written notice as PDF
(one notice, or all of one inspection's).

``notices.view`` reads (a manager: their units' notices; a provider's contact: their
provider's; the owner: their own); ``notices.answer`` answers; ``notices.verify`` accepts,
sends back and moves deadlines. Notices out of reach are not found (404). Every change is a
plain form (redirect after success); bad input comes back beside its field (400).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from saas.attachments import service as attachments
from saas.attachments.files import MAX_UPLOAD_BYTES, Unacceptable
from saas.auth.guard import current_actor, requires
from saas.models.attachment import AttachmentOwner
from saas.models.inspection import RectificationNotice
from saas.notices import lists, service, todos  # noqa: F401  (todos: registers its source)
from saas.notices.audit_words import WORDS as NOTICE_WORDS
from saas.notices.overdue import is_overdue
from saas.notices.words import FILE_PROBLEMS, FILTER_LABELS, STATUS_LABELS
from saas.notices.written import notice_pdf, printable, split_what
from saas.people.employees import unit_choices
from saas.validation import Invalid, calendar_day, page_number, record_id
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("notices", __name__, url_prefix=TENANT_PREFIX + "/notices")

TEXT_LIMIT = service.NOTE_LIMIT
PHOTOS_PER_ANSWER = attachments.MAX_PER_SLOT
QUERY_KEYS = ("status", "overdue", "unit", "provider", "mine", "inspection")


@bp.app_context_processor
def _labels() -> dict:
    return {
        "NOTICE_STATUS": STATUS_LABELS,
        "NOTICE_FILTERS": FILTER_LABELS,
        "NOTICE_ACTIONS": NOTICE_WORDS.actions,
    }


def _filters(args) -> lists.Filters:
    status = args.get("status") or None
    mine = args.get("mine") or None
    return lists.Filters(
        status=status if status in FILTER_LABELS else None,
        overdue=args.get("overdue") == "1",
        unit_id=record_id(args.get("unit")),
        provider_id=record_id(args.get("provider")),
        mine=mine if mine in (lists.OWNER, lists.INSPECTOR) else None,
        inspection_id=record_id(args.get("inspection")),
    )


@bp.get("/")
@requires("notices.view")
def index():
    session = tenant_session()
    actor, today = current_actor(), tenant_today()
    filters = _filters(request.args)
    page = lists.notice_page(session, actor, filters, page_number(request.args.get("page")), today)
    query = {key: value for key, value in request.args.items() if key in QUERY_KEYS and value}
    reach = service.unit_clause(actor)
    return page_or_fragment(
        "notices/index.html",
        "notices/_notices.html",
        "notices",
        page=page,
        filters=filters,
        query=query,
        today=today,
        tallies=lists.summary(session, actor, filters, today, g.tenant.time_zone),
        units=unit_choices(session, reach),
        providers=lists.provider_choices(session, reach),
    )


def _notice_or_404(notice_id: int, name: str = "notices.view") -> RectificationNotice:
    found = service.find_notice(tenant_session(), current_actor(), notice_id, name)
    if found is None:
        abort(404)
    return found


def _notice_page(
    notice: RectificationNotice,
    status: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
):
    session = tenant_session()
    today = tenant_today()
    requirement, found = split_what(notice.what)
    return (
        render_template(
            "notices/notice.html",
            d=lists.detail(session, notice),
            requirement=requirement,
            found=found,
            overdue=is_overdue(notice, today),
            moves=service.allowed_moves(notice),
            errors=errors or {},
            values=values or {},
            today=today,
        ),
        status,
    )


@bp.get("/<int:notice_id>")
@requires("notices.view")
def notice(notice_id: int):
    return _notice_page(_notice_or_404(notice_id))


def _answer_page(
    notice: RectificationNotice,
    status: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
):
    requirement, found = split_what(notice.what)
    return (
        render_template(
            "notices/answer.html",
            notice=notice,
            requirement=requirement,
            found=found,
            overdue=is_overdue(notice, tenant_today()),
            errors=errors or {},
            values=values or {},
            photos_most=PHOTOS_PER_ANSWER,
        ),
        status,
    )


@bp.get("/<int:notice_id>/answer")
@requires("notices.answer")
def answer_form(notice_id: int):
    return _answer_page(_notice_or_404(notice_id, "notices.answer"))


def _uploads() -> list[FileStorage]:
    """The photos sent with the form, empty file inputs left out (at most one too many, so
    the count is refused rather than silently cut)."""
    files = [f for f in request.files.getlist("file") if f and f.filename]
    return files[: PHOTOS_PER_ANSWER + 1]


def _photo_problem(code: str, name: str) -> str:
    return str(FILE_PROBLEMS[code]) % {"name": name[:60], "most": PHOTOS_PER_ANSWER}


@bp.post("/<int:notice_id>/answer")
@requires("notices.answer")
def answer(notice_id: int):
    session = tenant_session()
    actor = current_actor()
    note = (request.form.get("note") or "")[: TEXT_LIMIT + 1]
    files = _uploads()
    errors: dict[str, list] = {}
    if len(files) > PHOTOS_PER_ANSWER:
        errors["file"] = [_photo_problem("too_many", "")]
    found = None
    if not errors:
        try:
            found = service.answer(session, actor, notice_id, note)
            if found is not None:
                errors = _keep_photos(session, found, files)
        except Invalid as error:
            errors = error.errors
    if errors:
        session.rollback()
        found_again = _notice_or_404(notice_id, "notices.answer")
        return _answer_page(found_again, 400, errors, {"note": note})
    if found is None:
        abort(404)
    session.commit()
    flash(_("Your answer was sent; the inspector will verify it."), "success")
    return redirect(url_for("notices.notice", notice_id=notice_id))


def _keep_photos(session, notice: RectificationNotice, files: list[FileStorage]) -> dict:
    """Store each photo in the answer's slot; the problems, by field, of those refused."""
    slot = service.round_slot(notice)
    problems = []
    for upload in files:
        name = upload.filename or ""
        data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
        try:
            attachments.add(
                session, current_actor(), AttachmentOwner.NOTICE, notice.id, data, name, slot
            )
        except Unacceptable as refused:
            problems.append(_photo_problem(refused.code, name))
    return {"file": problems} if problems else {}


@bp.post("/<int:notice_id>/verify")
@requires("notices.verify")
def verify(notice_id: int):
    session = tenant_session()
    form = request.form
    try:
        found = service.verify(
            session,
            current_actor(),
            notice_id,
            (form.get("decision") or "")[:20],
            (form.get("verify_note") or "")[: TEXT_LIMIT + 1],
        )
    except Invalid as error:
        session.rollback()
        return _notice_page(_notice_or_404(notice_id), 400, error.errors, dict(form))
    if found is None:
        abort(404)
    session.commit()
    if found.status == "accepted":
        flash(_("The rectification was accepted; the notice is closed."), "success")
    else:
        flash(_("The answer was sent back; the owner sees it on their to-do list."), "success")
    return redirect(url_for("notices.notice", notice_id=notice_id))


@bp.post("/<int:notice_id>/deadline")
@requires("notices.verify")
def deadline(notice_id: int):
    session = tenant_session()
    form = request.form
    try:
        found = service.change_deadline(
            session,
            current_actor(),
            notice_id,
            calendar_day(form.get("deadline")),
            (form.get("reason") or "")[: TEXT_LIMIT + 1],
            today=tenant_today(),
        )
    except Invalid as error:
        session.rollback()
        return _notice_page(_notice_or_404(notice_id), 400, error.errors, dict(form))
    if found is None:
        abort(404)
    session.commit()
    flash(_("The deadline was changed."), "success")
    return redirect(url_for("notices.notice", notice_id=notice_id))


def _pdf(pages, filename: str) -> Response:
    tenant = g.tenant
    data = notice_pdf(
        pages, tenant_name=tenant.name, locale=tenant.locale, time_zone=tenant.time_zone
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<int:notice_id>/pdf")
@requires("notices.view")
def pdf(notice_id: int):
    found = _notice_or_404(notice_id)
    pages = printable(
        tenant_session(),
        current_actor(),
        RectificationNotice.id == found.id,
        g.tenant.time_zone,
    )
    return _pdf(pages, f"{found.serial}.pdf")


@bp.get("/inspection/<int:inspection_id>/pdf")
@requires("notices.view")
def inspection_pdf(inspection_id: int):
    pages = printable(
        tenant_session(),
        current_actor(),
        RectificationNotice.inspection_id == inspection_id,
        g.tenant.time_zone,
    )
    if not pages:
        abort(404)
    return _pdf(pages, f"notices-inspection-{inspection_id}.pdf")
