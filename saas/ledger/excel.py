"""Ledger entries in an Excel file (实绩记录导入): the template to fill in, and reading it back.

The template has the entries sheet (one row per entry: an employee number or a unit code,
the date, an event of a published scheme or a free entry's text and points, a fine, the
source, a note), an instructions sheet and the events with their effects; events and
sources are picked from a list. Headers are part of the file format and are read in Chinese
or English whatever the page's language (saas/imports/columns.py does the same).

Reading refuses the whole file for anything but a workbook within the bounds (``MAX_BYTES``,
``MAX_UNPACKED_BYTES``, ``MAX_ROWS`` rows), with a date column and a subject column. It returns
raw rows; ``saas/ledger/importing.py`` checks every cell and names each bad one.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.imports.columns import INSTRUCTIONS_SHEET, LISTS_SHEET, ZH, Column, normalise
from saas.imports.formats import Choices, Table, write_xlsx
from saas.ledger.audit_words import SOURCE_LABELS
from saas.schemes.explain import DISQUALIFY_LABELS
from saas.scoring.scheme import Disqualify
from saas.validation import Invalid, finite_decimal

MAX_BYTES = 2 * 1024 * 1024  # 5,000 rows of entries are well under 1 MB
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # a zip that inflates past this is not a list of entries
MAX_ROWS = 5_000
MAX_SHEET_ROWS = 100_000  # rows looked at, blank ones included, before giving up

COLUMNS = (
    Column("number", "工号", "Employee number", ("员工编号", "员工工号", "employee no")),
    Column("unit", "部门编码", "Unit code", ("单位编码", "unit", "department code")),
    Column("on", "日期", "Date", ("发生日期", "date of entry")),
    Column("event", "事件", "Event", ("事件编码", "规则事件", "event key")),
    Column("label", "事项（自由记录）", "What happened (free entry)", ("事项", "label")),
    Column("points", "分值（自由记录）", "Points (free entry)", ("分值", "分数", "points")),
    Column("fine", "罚款", "Fine", ("罚款金额", "fine amount")),
    Column("source", "来源", "Entry source", ("source",)),
    Column("note", "备注", "Note", ("说明", "note")),
)
SHEET_NAME = {ZH: "实绩记录", "en": "ledger entries"}
EVENTS_SHEET = {ZH: "事件", "en": "events"}
_HEADERS = {
    normalise(word): column.field
    for column in COLUMNS
    for word in (column.field, column.zh, column.en, *column.aliases)
}
_SHEETS = {normalise(name) for name in (*SHEET_NAME.values(), "ledger", "实绩档案")}
# The words of the source column, as written in files (the import also reads the codes).
SOURCE_WORDS = {"internal": ("内部", "internal"), "customer": ("客户", "customer")}
SOURCE_WORDS["inspection"] = ("检查", "inspection")


@dataclass
class RawRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, Any]  # by column field, the cells as read
    formulas: tuple[str, ...] = ()  # fields holding a formula instead of a value


@dataclass
class RawFile:
    headers: dict[str, str]  # field → the header as the file writes it
    rows: list[RawRow]
    letters: dict[str, str]  # field → its column's letter (A, B, …)


def header(field: str, lang: str) -> str:
    return next(c for c in COLUMNS if c.field == field).header(lang)


def event_word(rule: dict[str, Any], lang: str) -> str:
    """What the file calls a rule's event: its label in the file's language."""
    if lang != ZH and rule.get("label_en"):
        return str(rule["label_en"])
    return str(rule.get("label") or rule.get("event"))


def _amount(value: Any) -> Decimal | None:
    """A rule's number as stored (a number or its text), None when it is nothing or zero."""
    number = finite_decimal(value)
    return number.normalize() if number else None


def effects_text(rule: dict[str, Any]) -> str:
    """What a rule does, in the reader's language ("" for nothing): the events sheet, and
    one's own ledger."""
    parts = []
    if points := _amount(rule.get("points")):
        parts.append(_("%(points)s points", points=f"{points:+f}"))
    if monthly := _amount(rule.get("monthly_points")):
        parts.append(_("%(points)s points in the month's tally", points=f"{monthly:+f}"))
    if fine := _amount(rule.get("fine")):
        parts.append(_("fine ¥%(fine)s", fine=f"{fine:f}"))
    disqualify = rule.get("disqualify") or Disqualify.NONE
    if disqualify != Disqualify.NONE and disqualify in set(Disqualify):
        parts.append(str(DISQUALIFY_LABELS[Disqualify(disqualify)]))
    if rule.get("needs_validity"):
        parts.append(_("once decided valid"))
    return "; ".join(parts)


def _instructions(lang: str) -> Table:
    lines = [
        _(
            "Fill in one row per entry on the sheet “%(sheet)s”; keep its header row.",
            sheet=SHEET_NAME[lang],
        ),
        _(
            "Who: an employee number (工号) for an entry about a person, or a unit code for an"
            " entry about a unit; with both, the person must be in that unit."
        ),
        _("Date: YYYY-MM-DD, e.g. 2026-08-03, or an Excel date; not in the future."),
        _(
            "Event: pick one from the list (the events of the published schemes, sheet"
            " “%(sheet)s”). Or leave it empty and write what happened and its points (-100 to"
            " 100): a free entry, kept for people to read, reaching no score.",
            sheet=EVENTS_SHEET[lang],
        ),
        _("Fine: zero or more; empty means none. Source: pick from the list; empty is internal."),
        _("At most %(rows)s rows. Type values, not formulas.", rows=MAX_ROWS),
        _(
            "Nothing is saved unless every row is right: the page names each wrong cell by its"
            " row and column."
        ),
    ]
    return Table(INSTRUCTIONS_SHEET[lang], [_("How to fill in this file")], [[x] for x in lines])


def template(rules: dict[str, dict[str, Any]], lang: str) -> bytes:
    """The template in ``lang``, its lists made of the published rules' events."""
    titles = [c.header(lang) for c in COLUMNS]
    events = [event_word(rule, lang) for rule in rules.values()]
    sources = [word[0 if lang == ZH else 1] for word in SOURCE_WORDS.values()]
    entries = Table(
        SHEET_NAME[lang],
        titles,
        [],
        widths=[14, 14, 13, 36, 30, 12, 10, 10, 40],
        choices={
            3: Choices(tuple(events), strict=False),
            7: Choices(tuple(sources), error=_("Choose a source from the list.")),
        },
    )
    listed = Table(
        EVENTS_SHEET[lang],
        [_("Event"), _("Effect"), _("Event key")],
        [
            [event_word(rule, lang), effects_text(rule) or _("no effect"), key]
            for key, rule in rules.items()
        ],
        widths=[40, 50, 24],
    )
    return write_xlsx([entries, _instructions(lang), listed], LISTS_SHEET[lang])


# -- reading back ----------------------------------------------------------------------------


def _refuse(message: Any) -> Invalid:
    return Invalid.many({"": [message]})


TOO_LARGE = _l("The file is larger than 2 MB; split it into several files.")
NOT_XLSX = _l("This is not an Excel (.xlsx) file. Download the template, fill it in and upload it.")


def read(content: bytes) -> RawFile:
    """The header and the non-blank rows of the entries sheet; ``Invalid`` (under "") when the
    file as a whole cannot be read."""
    if not content:
        raise _refuse(_l("The file is empty."))
    if len(content) > MAX_BYTES:
        raise _refuse(TOO_LARGE)
    if not content.startswith(b"PK\x03\x04"):
        raise _refuse(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(TOO_LARGE)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _refuse(NOT_XLSX) from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise _refuse(NOT_XLSX)
        named = [s for s in sheets if normalise(s.title) in _SHEETS]
        return _read_sheet(named[0] if named else sheets[0])
    finally:
        book.close()


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _read_sheet(sheet) -> RawFile:
    sheet.reset_dimensions()  # some writers record wrong sizes; read what is there
    lines = sheet.iter_rows()
    head = [_text(getattr(cell, "value", None)) for cell in next(lines, ())]
    fields: dict[int, str] = {}
    headers: dict[str, str] = {}
    for index, given in enumerate(head):
        field = _HEADERS.get(normalise(given)) if given else None
        if field and field not in headers:
            fields[index], headers[field] = field, given
    if "on" not in headers or not ({"number", "unit"} & set(headers)):
        raise _refuse(
            _l(
                "The first row must name the columns, with at least the date and an employee"
                " number or a unit code. Download the template and use its header row."
            )
        )
    rows: list[RawRow] = []
    for number, cells in enumerate(lines, start=2):
        if number > MAX_SHEET_ROWS:
            raise _refuse(_l("The sheet has more than %(rows)s rows.", rows=MAX_SHEET_ROWS))
        values: dict[str, Any] = {}
        formulas = []
        for index, cell in enumerate(cells):
            field = fields.get(index)
            value = getattr(cell, "value", None)
            if field is None or value is None or _text(value) == "":
                continue
            if getattr(cell, "data_type", "") == "f":
                formulas.append(field)
            values[field] = value
        if not values:
            continue
        rows.append(RawRow(number, values, tuple(formulas)))
        if len(rows) > MAX_ROWS:
            raise _refuse(
                _l(
                    "The file has more than %(rows)s entries; split it into several files.",
                    rows=MAX_ROWS,
                )
            )
    if not rows:
        raise _refuse(_l("The file has no entries: fill in rows under the header row."))
    from openpyxl.utils import get_column_letter

    letters = {field: get_column_letter(index + 1) for index, field in fields.items()}
    return RawFile(headers, rows, letters)


def source_lookup() -> dict[str, str]:
    return {
        normalise(word): code
        for code, words in SOURCE_WORDS.items()
        for word in (code, *words, *(str(SOURCE_LABELS[code]),))
    }


def as_date(value: Any) -> dt.date | None:
    """A cell as a date of this century: an Excel date, or text such as 2026-08-03,
    2026/8/3, 2026.8.3 or 2026年8月3日."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()[:20]
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                day = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            return None
    else:
        return None
    return day if 2000 <= day.year <= 2100 else None


def as_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (an employee number typed as a number)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def as_number_text(value: Any) -> str:
    """A cell as the text of a number, its shortest decimal form for a float."""
    if isinstance(value, bool):
        return "x"  # not a number
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()
