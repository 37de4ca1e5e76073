"""Import pages: upload a spreadsheet, preview what it would change, commit it; export; template.

Tenant admins only (``imports.run``). Up to INLINE_ROWS rows are checked and committed inside
the request; larger files go to the worker, and the batch page follows the job with the
progress bar of the jobs area (the finished job loads the batch's preview in its place).
"""

from __future__ import annotations

import logging
import math
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from rq.job import Job
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectField
from wtforms.fields import SelectChoice

from saas.auth.accounts import current_scope, tenant_user
from saas.auth.guard import can, requires
from saas.imports import batches, preview
from saas.imports.columns import EMPLOYEES, KINDS, LISTS_SHEET, SHEET_NAMES, UNITS, file_language
from saas.imports.exports import export_tables, headers, template_tables
from saas.imports.formats import CSV_ENCODINGS, UnreadableFile, read_workbook, write_csv, write_xlsx
from saas.imports.messages import KIND_LABELS, column_label, file_message, row_message
from saas.jobs.tracking import find_job, start_job
from saas.models.imports import ImportBatch
from saas.validation import page_number
from saas.web.errors import error_page
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session
from workers.enqueue import IMPORT_CHECK, IMPORT_COMMIT, JobKind

bp = Blueprint("imports", __name__, url_prefix=TENANT_PREFIX + "/imports")
log = logging.getLogger(__name__)

PROBLEMS_PER_PAGE = 200
PLANNED_PER_PAGE = 50
RECENT_BATCHES = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {
    "uploaded": _l("Being checked"),
    "checked": _l("Checked"),
    "committed": _l("Imported"),
    "failed": _l("Failed"),
    "discarded": _l("Discarded"),
}


class UploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv, at most 10 MB)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
    kind = SelectField(
        _l("What the file holds"),
        choices=[
            SelectChoice("", _l("Tell from the file")),
            SelectChoice(UNITS, _l("Units")),
            SelectChoice(EMPLOYEES, _l("Employees")),
        ],
        default="",
    )


def _lang() -> str:
    return file_language(get_locale().language)


# -- upload ----------------------------------------------------------------------------------


def _index_page(form: UploadForm, status: int = 200):
    recent = tenant_session().scalars(
        select(ImportBatch).order_by(ImportBatch.id.desc()).limit(RECENT_BATCHES)
    )
    return (
        render_template(
            "imports/index.html",
            form=form,
            recent=list(recent),
            status_labels=STATUS_LABELS,
            kind_labels=KIND_LABELS,
        ),
        status,
    )


@bp.get("/")
@requires("imports.run")
def index():
    return _index_page(UploadForm())


@bp.post("/")
@requires("imports.run")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, 400)
    storage = form.file.data
    content = storage.read()
    # Some browsers send the whole client path; keep the file's own name.
    filename = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    try:
        workbook = read_workbook(content, filename, form.kind.data or None)
    except UnreadableFile as exc:
        form.file.errors = [file_message(exc.code, exc.params)]
        return _index_page(form, 400)
    session = tenant_session()
    batch = batches.new_batch(session, workbook, filename, content, tenant_user().id)
    if batches.is_large(batch):
        session.commit()
        _start_job(batch, IMPORT_CHECK)
    else:
        batches.check_batch(session, batch.id)
    return redirect(url_for("imports.batch", batch_id=batch.id), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    # Raised while the CSRF check reads the body, before the view and its @requires ran.
    if not can("imports.run"):
        return error_page(413)
    form = UploadForm(formdata=None)
    form.file.errors = [file_message("file_too_big", {})]
    return _index_page(form, 413)


# -- jobs ------------------------------------------------------------------------------------


def _job_key(batch_id: int) -> str:
    queue = current_app.extensions["kaohe.settings"].queue_name
    return f"kaohe-imports:{queue}:{g.tenant.slug}:{batch_id}"


def _start_job(batch: ImportBatch, kind: JobKind) -> Job:
    # One run per batch and kind: a second click while it is queued or running finds the first.
    user_id = tenant_user().id
    job = start_job(kind, batch.id, user_id, key=(batch.id,), user_id=user_id)
    current_app.extensions["kaohe.redis"].set(_job_key(batch.id), job.id, ex=24 * 3600)
    return job


def _latest_job(batch: ImportBatch) -> Job | None:
    job_id = current_app.extensions["kaohe.redis"].get(_job_key(batch.id))
    if job_id is None:
        return None
    return find_job(job_id.decode(), g.tenant.slug, tenant_user().id)


# -- one batch -------------------------------------------------------------------------------


def _batch_or_404(batch_id: int) -> ImportBatch:
    batch = tenant_session().get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


def _paged(items: list, page: int, per_page: int) -> tuple[list, int, int]:
    """One page of ``items``, the page number it really is, and how many pages there are."""
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 1), pages)
    return items[(page - 1) * per_page : page * per_page], page, pages


def _shown_problems(batch: ImportBatch, page: int) -> tuple[list[dict], int, int]:
    shown, page, pages = _paged(batches.problems(batch), page, PROBLEMS_PER_PAGE)
    for entry in shown:
        entry["message"] = row_message(entry)
        entry["column_label"] = column_label(entry["kind"], entry["column"])
        entry["kind_label"] = KIND_LABELS[entry["kind"]]
    return shown, page, pages


def _shown_planned(summary: dict, page: int) -> tuple[list[preview.Shown], int, int]:
    rows = summary.get("planned", {}).get("rows", [])
    listed, page, pages = _paged(rows, page, PLANNED_PER_PAGE)
    return [preview.shown(entry, _lang()) for entry in listed], page, pages


@bp.get("/<int:batch_id>")
@requires("imports.run")
def batch(batch_id: int):
    found = _batch_or_404(batch_id)
    job = _latest_job(found)
    state = job.get_status(refresh=False) if job else None
    asked = page_number(request.args.get("page"))
    summary = batches.summary(found)
    # One list at a time: the problems while there are any, else what the import writes.
    if found.error_count:
        problems, page, pages = _shown_problems(found, asked)
        planned = []
    else:
        problems = []
        planned, page, pages = _shown_planned(summary, asked)
    context = {
        "batch": found,
        "summary": summary,
        "problems": problems,
        "planned": planned,
        "planned_total": summary.get("planned", {}).get("total", 0),
        "planned_kept": len(summary.get("planned", {}).get("rows", [])),
        "page": page,
        "pages": pages,
        "job": job if state in ("queued", "started", "deferred", "scheduled") else None,
        "job_failed": job if state in ("failed", "stopped", "canceled") else None,
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "sheet_names": {kind: SHEET_NAMES[kind][_lang()] for kind in KINDS},
        "endpoints": current_app.view_functions,
    }
    return page_or_fragment("imports/batch.html", "imports/_batch.html", **context)


@bp.post("/<int:batch_id>/check")
@requires("imports.run")
def recheck(batch_id: int):
    found = _batch_or_404(batch_id)
    if found.status not in ("uploaded", "checked"):
        abort(409)
    if batches.is_large(found):
        _start_job(found, IMPORT_CHECK)
    else:
        batches.check_batch(tenant_session(), found.id)
    return redirect(url_for("imports.batch", batch_id=found.id), 303)


@bp.post("/<int:batch_id>/commit")
@requires("imports.run")
def commit(batch_id: int):
    found = _batch_or_404(batch_id)
    if found.status == "committed":
        flash(_("This file has already been imported."), "success")
        return redirect(url_for("imports.batch", batch_id=found.id), 303)
    if found.status != "checked" or found.error_count:
        flash(_("Only a checked file without problems can be imported."), "error")
        return redirect(url_for("imports.batch", batch_id=found.id), 303)
    if batches.is_large(found):
        _start_job(found, IMPORT_COMMIT)
        return redirect(url_for("imports.batch", batch_id=found.id), 303)
    try:
        done = batches.commit_batch(
            tenant_session(), g.tenant.schema, found.id, tenant_user().email
        )
    except Exception:
        log.exception("import batch %s of %s failed to commit", batch_id, g.tenant.slug)
        flash(_("The import failed and nothing was saved. Try again later."), "error")
        return redirect(url_for("imports.batch", batch_id=batch_id), 303)
    if done is None or not done.committed_now:
        flash(_("Your organisation changed since the check; see the problems below."), "error")
    return redirect(url_for("imports.batch", batch_id=found.id), 303)


@bp.post("/<int:batch_id>/discard")
@requires("imports.run")
def discard(batch_id: int):
    found = _batch_or_404(batch_id)
    if batches.discard_batch(tenant_session(), found):
        tenant_session().commit()
        flash(_("The upload was discarded; nothing was imported."), "success")
    return redirect(url_for("imports.index"), 303)


# -- files -----------------------------------------------------------------------------------


def _download(data: bytes, mimetype: str, name: str):
    response = send_file(BytesIO(data), mimetype=mimetype, download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/template.xlsx")
@requires("imports.run")
def template():
    data = write_xlsx(template_tables(tenant_session(), _lang()), LISTS_SHEET[_lang()])
    return _download(data, XLSX, _("kaohe-import-template") + ".xlsx")


def _export_kinds(allow_both: bool) -> tuple[str, ...]:
    kind = request.args.get("kind", "")
    if kind in KINDS:
        return (kind,)
    if allow_both and not kind:
        return KINDS
    abort(400)


@bp.get("/export.xlsx")
@requires("imports.run")
def export_xlsx():
    kinds = _export_kinds(allow_both=True)
    tables = export_tables(tenant_session(), current_scope(), _lang(), kinds)
    name = "-".join(table.title for table in tables)
    data = write_xlsx(tables, LISTS_SHEET[_lang()])
    return _download(data, XLSX, f"{g.tenant.slug}-{name}.xlsx")


@bp.get("/export.csv")
@requires("imports.run")
def export_csv():
    (kind,) = _export_kinds(allow_both=False)
    encoding = request.args.get("encoding", "utf-8")
    if encoding not in CSV_ENCODINGS:
        abort(400)
    (table,) = export_tables(tenant_session(), current_scope(), _lang(), (kind,))
    data = write_csv(headers(kind, _lang()), table.rows, encoding)
    charset = "utf-8" if encoding == "utf-8" else "gb18030"
    return _download(data, f"text/csv; charset={charset}", f"{g.tenant.slug}-{table.title}.csv")
