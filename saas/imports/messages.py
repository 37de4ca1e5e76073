"""What each problem code means, in the user's language, rendered when a page is shown."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.imports.columns import (
    EMPLOYEES,
    STATUS_WORDS,
    UNIT_KIND_WORDS,
    UNITS,
    column,
    file_language,
)

KIND_LABELS = {UNITS: _l("Units"), EMPLOYEES: _l("Employees")}

ROW_MESSAGES = {
    "duplicate_column": _l("Two columns of this sheet both mean this column; keep one of them."),
    "missing_value": _l("A value is required here."),
    "too_long": _l("Too long: at most %(max)s characters."),
    "duplicate_code": _l("Unit code %(value)s is already on row %(first)s of this file."),
    "duplicate_number": _l("Employee number %(value)s is already on row %(first)s of this file."),
    "unknown_parent": _l(
        "No unit has the code %(value)s, neither in this file nor in your organisation."
    ),
    "unit_cycle": _l("This parent would put the unit inside itself: %(chain)s."),
    "unknown_unit": _l(
        "No unit has the code %(value)s, neither in this file nor in your organisation."
    ),
    "archived_unit": _l("Unit %(value)s is archived; choose a current unit."),
    "unknown_manager": _l(
        "No employee has the number %(value)s, neither in this file nor in your organisation."
    ),
    "manager_cycle": _l("Managers would form a loop: %(chain)s."),
    "unknown_position_level": _l(
        "Unknown position level “%(value)s”. Levels you have: %(known)s. Add the level first "
        "or correct the name."
    ),
    "unknown_kind": _l("Unknown kind “%(value)s”; use one of: %(known)s."),
    "unknown_status": _l("Unknown status “%(value)s”; use one of: %(known)s."),
    "bad_date": _l("Not a date: write it as YYYY-MM-DD, e.g. 2024-03-01."),
    "bad_mobile": _l("Not a mainland mobile number: write its 11 digits, e.g. 138 0013 8000."),
    "bad_email": _l("Not an e-mail address: write it like name@example.com."),
    "mobile_taken": _l("Mobile number %(value)s would also belong to employee %(other)s."),
    "email_taken": _l("E-mail %(value)s would also belong to employee %(other)s."),
    "email_of_account": _l(
        "E-mail %(value)s is the login of an account that belongs to no employee."
    ),
}

FILE_MESSAGES = {
    "empty_file": _l("The file is empty."),
    "old_excel": _l(
        "This is an old Excel 97–2003 (.xls) file. Open it in Excel or WPS, save it as .xlsx "
        "and upload that."
    ),
    "not_spreadsheet": _l(
        "This file is not a spreadsheet Kaohe can read. Upload an Excel workbook (.xlsx) or a "
        "CSV file."
    ),
    "unknown_encoding": _l(
        "The text of this CSV file is not UTF-8, GBK or whole UTF-16 (it may be cut short). "
        "Save it again from Excel as CSV UTF-8 and upload that."
    ),
    "too_large": _l("The workbook unpacks to far more data than an import may hold."),
    "too_many_rows": _l("The file has more than %(limit)s rows; split it into smaller files."),
    "no_rows": _l("The file has no rows to import under its header row."),
    "unknown_header": _l(
        "The first row must name the columns, e.g. 工号, 姓名, 部门编码 (or Employee number, "
        "Name, Unit code); none of its cells is a column Kaohe knows."
    ),
    "wrong_kind": _l("You chose %(chosen)s, but this file holds %(detected)s."),
    "file_too_big": _l("The file is larger than 10 MB; split it into smaller files."),
}


def _language() -> str:
    return file_language(get_locale().language)


def _joined(words: list[str]) -> str:
    return ("、" if _language() == "zh" else ", ").join(words) or _("none yet")


def _known(code: str, params: dict[str, Any]) -> str:
    if code == "unknown_kind":
        return _joined([w[0 if _language() == "zh" else 1] for w in UNIT_KIND_WORDS.values()])
    if code == "unknown_status":
        return _joined([w[0 if _language() == "zh" else 1] for w in STATUS_WORDS.values()])
    return _joined(params.get("known", []))


def row_message(entry: dict[str, Any]) -> str:
    """A stored problem as a sentence in the user's language."""
    params = {**entry.get("params", {}), "value": entry.get("value") or ""}
    if "known" in params or entry["code"] in ("unknown_kind", "unknown_status"):
        params["known"] = _known(entry["code"], params)
    return str(ROW_MESSAGES[entry["code"]]) % params


def file_message(code: str, params: dict[str, Any]) -> str:
    params = dict(params)
    for name in ("chosen", "detected"):
        if name in params:
            params[name] = str(KIND_LABELS[params[name]])
    message = str(FILE_MESSAGES[code]) % params
    if "sheet" in params:
        message = _("Sheet “%(sheet)s”: %(message)s", sheet=params["sheet"], message=message)
    return message


def column_label(kind: str, field: str | None) -> str:
    """A column as headed in a file of the user's language."""
    if field is None:
        return ""
    return column(kind, field).header(_language())
