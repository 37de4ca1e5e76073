"""Importing goal actuals from Excel: the page with the file format and the upload form, the
template of a period's goals to fill in, and the upload, which records every row or none.

Any tenant user may use it for the goals they may record actuals for (an employee for their
own); a row naming any other goal is refused like a goal that does not exist.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from saas.auth.guard import can, current_actor, requires
from saas.auth.permissions import Refused
from saas.goals import actuals_import as actuals
from saas.goals.service import period_kind, visible_clause
from saas.goals.views import current_period_label
from saas.imports.columns import file_language
from saas.imports.formats import UnreadableFile
from saas.models.goal import Goal
from saas.validation import Invalid
from saas.web.errors import error_page
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("goal_imports", __name__, url_prefix=TENANT_PREFIX + "/goals/import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 500

ROW_MESSAGES = {
    "missing_goal_id": _l("Enter the number of the goal, as in the template."),
    "goal_not_found": _l("Goal %(value)s not found."),
    "not_allowed": _l("You may not record actuals for this goal."),
    "missing_actual": _l("This goal is measured by a number: enter the actual."),
    "number_for_milestone": _l(
        "This goal is a milestone: leave the actual empty and say whether it is done."
    ),
    "done_for_numeric": _l(
        "This goal is measured by a number: leave done empty and enter the actual."
    ),
    "missing_done": _l("This goal is a milestone: write 是 or 否 (yes or no)."),
    "bad_number": _l("Not a number: write it like 1250 or 1250.5."),
    "bad_done": _l("Write 是 or 否 (yes or no)."),
    "missing_date": _l("Enter the date of the actual."),
    "bad_date": _l("Not a date: use an Excel date or write it like 2026-08-03."),
    "outside_period": _l("Date the actual within the goal's period, %(start)s to %(end)s."),
    "after_today": _l("An actual cannot be dated after today (%(today)s)."),
    "too_long": _l("Too long: at most %(max)s characters."),
}

FILE_MESSAGES = {
    "empty_file": _l("The file is empty."),
    "file_too_big": _l("The file is larger than 2 MB; split it into smaller files."),
    "old_excel": _l(
        "This is an old Excel 97–2003 (.xls) file. Open it in Excel or WPS, save it as .xlsx "
        "and upload that."
    ),
    "not_xlsx": _l(
        "This file is not an Excel workbook (.xlsx). Open it in Excel or WPS, save it as .xlsx "
        "and upload that."
    ),
    "too_large": _l("The workbook unpacks to far more data than an import may hold."),
    "no_header": _l(
        "No sheet has a header row with the column 目标编号 (goal id). Start from the template."
    ),
    "missing_column": _l("The header row has no column %(column)s."),
    "duplicate_column": _l("Two columns of the header row both mean %(column)s; keep one."),
    "too_many_rows": _l("The file has more than %(limit)s rows; split it into smaller files."),
    "no_rows": _l("The file has no rows to import under its header row."),
}


class ActualsUploadForm(FlaskForm):
    file = FileField(
        _l("Excel workbook (.xlsx, at most 2 MB)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        render_kw={"accept": ".xlsx," + XLSX},
    )


def _lang() -> str:
    return file_language(get_locale().language)


def _column_label(field_name: str | None) -> str:
    return actuals.column(field_name).header(_lang()) if field_name else ""


def _period(values=None) -> str:
    """The period asked for (the upload form carries it along), else the current one."""
    label = ((values if values is not None else request.values).get("period") or "").strip()
    if label:
        try:
            period_kind(label)
            return label
        except Invalid as error:
            flash(str(error.message), "error")
    return current_period_label()


# -- messages --------------------------------------------------------------------------------


def file_message(error: UnreadableFile) -> str:
    params = dict(error.params)
    if "column" in params:
        params["column"] = _column_label(params["column"])
    if "limit" in params:
        params["limit"] = format_number(params["limit"])
    message = str(FILE_MESSAGES[error.code]) % params
    if "sheet" in params:
        message = _("Sheet “%(sheet)s”: %(message)s", sheet=params["sheet"], message=message)
    return message


def shown_problems(problems: list[actuals.Problem]) -> list[dict[str, Any]]:
    """The first problems, each in the user's language with its column as the file heads it."""
    return [
        {
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column or "",
            "column_label": _column_label(p.column),
            "value": p.value,
            "code": p.code,
            "message": str(ROW_MESSAGES[p.code]) % {**p.params, "value": p.value or ""},
        }
        for p in problems[:PROBLEMS_SHOWN]
    ]


# -- the page --------------------------------------------------------------------------------


def _page(
    form: ActualsUploadForm,
    status: int = 200,
    problems: list | None = None,
    period: str | None = None,
):
    problems = problems or []
    context = {
        "form": form,
        "period": period or _period(),
        "columns": actuals.COLUMNS,
        "column_help": column_help(),
        "max_rows": format_number(actuals.MAX_ROWS),
        "problems": shown_problems(problems),
        "problem_count": len(problems),
    }
    return render_template("goals/import.html", **context), status


@bp.get("/")
@requires("goals.draft")
def index():
    return _page(ActualsUploadForm())


@bp.post("/")
@requires("goals.draft")
def upload():
    form = ActualsUploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        lines = actuals.read_actuals(form.file.data.read(actuals.MAX_BYTES + 1))
    except UnreadableFile as error:
        form.file.errors = [file_message(error)]
        return _page(form, 400)
    session, actor = tenant_session(), current_actor()
    today = tenant_today()
    checked = actuals.check(session, actor, lines, visible_clause(actor.scope), today)
    if checked.problems:
        session.rollback()
        return _page(form, 400, checked.problems)
    try:
        count = actuals.record_all(session, actor, checked.entries, today)
    except (Invalid, Refused):
        # The check passed, so a goal changed hands meanwhile: record none of the rows.
        session.rollback()
        form.file.errors = [_("Your goals changed while the file was read; nothing was saved.")]
        return _page(form, 400)
    session.commit()
    flash(ngettext("%(num)s actual recorded.", "%(num)s actuals recorded.", count), "success")
    return redirect(url_for("goal_imports.index", period=_period()), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    # Raised while the CSRF check reads the body, before the view's @requires has run.
    if not can("goals.draft"):
        return error_page(413)
    form = ActualsUploadForm(formdata=None)
    form.file.errors = [str(FILE_MESSAGES["file_too_big"])]
    # Not request.values: reading the form again would raise the same error.
    return _page(form, 413, period=_period(request.args))


@bp.get("/template.xlsx")
@requires("goals.draft")
def template():
    period = (request.args.get("period") or "").strip() or current_period_label()
    try:
        period_kind(period)
    except Invalid as error:
        flash(str(error.message), "error")
        return redirect(url_for("goal_imports.index"), 303)
    session, actor = tenant_session(), current_actor()
    found = actuals.recordable(session, actor, visible_clause(actor.scope), Goal.period == period)
    data = actuals.template_xlsx(found, _lang(), _instructions(period))
    name = "{}-{}.xlsx".format(_("goal-actuals"), period)
    response = send_file(BytesIO(data), mimetype=XLSX, download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "no-store"
    return response


def _instructions(period: str) -> list[str]:
    """The template's instructions sheet, naming the columns as its header row does."""
    header = {c.field: c.header(_lang()) for c in actuals.COLUMNS}
    return [
        _("The goals of %(period)s you may record actuals for, one row each.", period=period),
        _("Fill in a row per actual; keep the header row. Columns may be in any order."),
        _("To record more than one actual of a goal, add a row with its number."),
        *(
            _("%(column)s: %(what)s", column=header[name], what=what)
            for name, what in column_help().items()
        ),
        _("A row with nothing to record (no actual, done, date or note) is skipped."),
        _(
            "At most %(rows)s rows and 2 MB. If any row has a problem, nothing is recorded: "
            "every problem is listed with its row and column.",
            rows=format_number(actuals.MAX_ROWS),
        ),
    ]


def column_help() -> dict[str, str]:
    """What to write in each column, for the page and the template."""
    return {
        "goal_id": _("The goal's number, as the template gives it."),
        "title": _("The goal's title, for reference; it is not checked."),
        "actual": _("For a goal measured by a number: the actual, e.g. 1250.5."),
        "done": _("For a milestone: 是 or 否 (yes or no)."),
        "date": _(
            "The date of the actual, within the goal's period and not after today: an Excel "
            "date, or text like 2026-08-03."
        ),
        "note": _("Optional, at most %(max)s characters.", max=actuals.MAX_NOTE),
    }
