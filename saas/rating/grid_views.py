"""The department grid's pages: the grids a rater has, one grid (rows = the people they rate
for one source of one cycle, columns = the rated items), a cell saved as it is typed, the
whole grid saved at once (without JavaScript), "submit all complete rows", and the grid as
an Excel file down and back up.

A rater reaches only the sheets assigned to them (``saas.rating.mine.assigned_to``): a cycle
or source where they have none is not found (404), whoever asks.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Refused
from saas.rating import grid as grids
from saas.rating import grid_excel
from saas.rating.grid import Grid, RowInput, cell_field
from saas.rating.values import shown
from saas.validation import Invalid, record_id
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("rating_grid", __name__, url_prefix=TENANT_PREFIX + "/rating/grid")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_KEY = 100
MAX_VALUE = 200
STATUS_LABELS = {
    "assigned": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
}
SOURCE_LABELS = {
    "self": _l("Self-assessment"),
    "supervisor": _l("Supervisor / department"),
    "peer": _l("Peers"),
    "subordinate": _l("Subordinates"),
    "customer": _l("Customers"),
    "committee": _l("Assessment committee"),
    "third_party": _l("Third party"),
}


def _lang() -> str:
    return grid_excel.language(get_locale().language)


def _grid_or_404(cycle_id: int, source: str) -> Grid:
    grid = grids.load(tenant_session(), current_actor(), cycle_id, source)
    if grid is None:
        abort(404)
    return grid


def _shown(grid: Grid, stored: Any) -> str:
    """A stored value as a cell shows it: yes/no as the select's values."""
    return shown(None, stored)  # type: ignore[arg-type]


def _page(grid: Grid, status: int = 200, errors: dict | None = None, posted=None, problems=()):
    return (
        render_template(
            "rating/grid.html",
            grid=grid,
            source_label=SOURCE_LABELS.get(grid.source, grid.source),
            status_labels=STATUS_LABELS,
            errors=errors or {},
            posted=posted,
            problems=list(problems),
            cell_field=cell_field,
            shown=_shown,
            number=grid_excel._number,
            section_max={head.index: grid_excel._number(head.max) for head in grid.sections},
        ),
        status,
    )


@bp.get("/")
@requires("rating.enter")
def index():
    found = grids.assigned_grids(tenant_session(), current_actor())
    return render_template("rating/grid_index.html", grids=found, source_labels=SOURCE_LABELS)


@bp.get("/<int:cycle_id>/<source>")
@requires("rating.enter")
def page(cycle_id: int, source: str):
    return _page(_grid_or_404(cycle_id, source))


@bp.post("/<int:cycle_id>/<source>")
@requires("rating.enter")
def save_all(cycle_id: int, source: str):
    """The whole grid posted as a form (the page without JavaScript): all or nothing."""
    session = tenant_session()
    grid = _grid_or_404(cycle_id, source)
    rows = []
    for row in grid.rows:
        if row.submitted:
            continue
        given = {
            column.key: request.form[name][:MAX_VALUE]
            for column in grid.columns
            if (name := cell_field(row.sheet_id, column.key)) in request.form
        }
        if given:
            rows.append(RowInput(row.sheet_id, given))
    try:
        changed = grids.apply(session, current_actor(), cycle_id, source, rows)
    except Invalid as error:
        session.rollback()
        return _page(grid, 400, errors=error.errors, posted=request.form)
    session.commit()
    flash(ngettext("%(num)d rating saved.", "%(num)d ratings saved.", changed or 0), "success")
    return redirect(url_for(".page", cycle_id=cycle_id, source=source))


@bp.post("/<int:cycle_id>/<source>/cell")
@requires("rating.enter")
def cell(cycle_id: int, source: str):
    """One cell, saved as the rater leaves it: JSON for the page's script."""
    session = tenant_session()
    sheet_id = record_id(request.form.get("sheet"))
    key = (request.form.get("key") or "")[:MAX_KEY]
    raw = (request.form.get("value") or "")[:MAX_VALUE]
    if sheet_id is None or not key:
        return jsonify(error=_("Not found.")), 404
    try:
        saved = grids.save_cell(session, current_actor(), cycle_id, source, sheet_id, key, raw)
    except Invalid as error:
        session.rollback()
        return jsonify(error=str(error.message)), 400
    except Refused as refused:
        session.rollback()
        return jsonify(error=str(refused)), 403
    if saved is None:
        return jsonify(error=_("Not found.")), 404
    session.commit()
    return jsonify(
        sheet=saved.sheet_id,
        key=saved.key,
        value=shown(None, saved.value),  # type: ignore[arg-type]
        total=grid_excel._number(saved.total),
        status=saved.status,
        status_label=str(STATUS_LABELS[saved.status]),
        missing=saved.missing,
    )


@bp.post("/<int:cycle_id>/<source>/submit")
@requires("rating.enter")
def submit(cycle_id: int, source: str):
    session = tenant_session()
    done = grids.submit_complete(session, current_actor(), cycle_id, source)
    if done is None:
        abort(404)
    session.commit()
    if done.names:
        flash(
            ngettext("%(num)d rating submitted.", "%(num)d ratings submitted.", len(done.names)),
            "success",
        )
    if done.incomplete:
        flash(
            _(
                "Not submitted, some items still without a rating: %(names)s.",
                names="、".join(done.incomplete),
            ),
            "error",
        )
    elif not done.names:
        flash(_("Nothing to submit."), "success")
    return redirect(url_for(".page", cycle_id=cycle_id, source=source))


@bp.get("/<int:cycle_id>/<source>/grid.xlsx")
@requires("rating.enter")
def download(cycle_id: int, source: str):
    grid = _grid_or_404(cycle_id, source)
    data = grid_excel.download(grid, _lang())
    response = send_file(
        BytesIO(data), mimetype=XLSX, download_name=grid_excel.file_name(grid), as_attachment=True
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:cycle_id>/<source>/upload")
@requires("rating.enter")
def upload(cycle_id: int, source: str):
    """A filled-in grid file: every value saved as a draft, or nothing."""
    session = tenant_session()
    grid = _grid_or_404(cycle_id, source)
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _page(grid, 400, problems=[_("Choose the grid's Excel file to upload.")])
    content = storage.stream.read(grid_excel.MAX_BYTES + 1)
    try:
        rows = grid_excel.read(grid, content)
        changed = grids.apply(session, current_actor(), cycle_id, source, rows, how="upload")
    except Invalid as error:
        session.rollback()
        problems = [message for found in error.errors.values() for message in found]
        return _page(grid, 400, problems=problems)
    session.commit()
    flash(
        ngettext(
            "File uploaded: %(num)d cell changed, saved as a draft.",
            "File uploaded: %(num)d cells changed, saved as drafts.",
            changed or 0,
        ),
        "success",
    )
    return redirect(url_for(".page", cycle_id=cycle_id, source=source))
