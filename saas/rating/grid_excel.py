"""The grid as an Excel file and back (评分表格的 Excel 下载与上传).

The file: row 1 says what to do, in the rater's language; row 2 heads the columns — a hidden
ID (the rating sheet's id), number, name and unit, then one column per rated item headed by
its text and maximum; then one row per person whose rating is not submitted yet. Yes/no and
scale columns have drop-downs, points and counts a number check.

Reading back refuses the whole file for anything but the grid it came from with values in
it: not an .xlsx, over ``MAX_BYTES``, more rows or columns than the grid, a header row that
changed, unknown columns, formulas, rows whose ID is not one of the rater's sheets. The
values themselves are checked by ``grid.apply`` (all or nothing), which names each bad cell
by its row number and column header.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.imports.formats import Choices, Table, _drop_downs, _reproducible
from saas.rating.grid import Column, Grid, RowInput
from saas.scoring.scheme import Mode
from saas.validation import Invalid, record_id

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
EXTRA_COLUMNS = 30  # columns read past the grid's, to name one added by hand
EXTRA_ROWS = 50  # rows read past the grid's, to tell a file with more people than the grid
HEADER_ROW = 2
FIRST_ROW = 3
LANGUAGES = ("zh", "en")
_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_FIXED = 4  # ID, number, name, unit


def language(locale_language: str) -> str:
    return "zh" if locale_language == "zh" else "en"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def header(column: Column) -> str:
    """A column's header in the current language: the item's text and its maximum."""
    top = _number(column.max)
    if column.item.mode is Mode.DEDUCTION:
        return _("%(text)s (max %(max)s; times)", text=column.text, max=top)
    return _("%(text)s (max %(max)s)", text=column.text, max=top)


def headers(grid: Grid, lang: str) -> list[str]:
    with force_locale("zh_CN" if lang == "zh" else "en"):
        fixed = ["ID", _("Number"), _("Person assessed"), _("Unit")]
        return fixed + [header(column) for column in grid.columns]


def _instructions(lang: str) -> str:
    with force_locale("zh_CN" if lang == "zh" else "en"):
        return _(
            "One row per person. Fill in the columns to the right of the name: each header "
            "says the item's maximum; yes/no and scale cells have a list to choose from; "
            "deductions are counted in times. Do not change the header row, the order of the "
            "columns or the hidden ID column, and type values, not formulas. Upload the file "
            "on the grid page: nothing is saved unless every cell is right, and the ratings "
            "are saved as drafts, not submitted."
        )


def _cell(column: Column, stored: Any, lang: str) -> Any:
    if stored is None:
        return None
    if stored is True or stored is False:
        yes, no = _YES_NO[lang]
        return yes if stored else no
    if column.item.mode in (Mode.POINTS, Mode.DEDUCTION):
        number = Decimal(str(stored))
        return int(number) if number == number.to_integral_value() else float(number)
    return str(stored)


def download(grid: Grid, lang: str) -> bytes:
    """The grid's rows not yet submitted as an .xlsx file in ``lang``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    titles = headers(grid, lang)
    rows = [
        [row.sheet_id, row.number, row.name, row.unit]
        + [_cell(c, row.values.get(c.key), lang) for c in grid.columns]
        for row in grid.rows
        if not row.submitted
    ]
    last_row = FIRST_ROW + max(len(rows), 1) - 1
    choices: dict[int, Choices] = {}
    with force_locale("zh_CN" if lang == "zh" else "en"):
        title = _("Ratings")
        for index, column in enumerate(grid.columns, start=_FIXED):
            if column.item.mode in (Mode.YES_NO, Mode.CRITICAL):
                choices[index] = Choices(_YES_NO[lang], error=_("Answer yes or no."))
            elif column.item.mode is Mode.SCALE:
                choices[index] = Choices(column.choices, error=_("Choose a level from the list."))
        rule_errors = [header(column) for column in grid.columns]
    book = Workbook()
    sheet = book.active
    sheet.title = title
    width = len(titles)
    sheet.cell(1, 1, _instructions(lang)).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 75
    for index, text in enumerate(titles, start=1):
        cell = sheet.cell(HEADER_ROW, index, text)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="F1F3F6")
    sheet.row_dimensions[HEADER_ROW].height = 48
    for number, values in enumerate(rows, start=FIRST_ROW):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(number, index, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
    for index in range(1, width + 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = (10, 12, 12, 14)[index - 1] if index <= _FIXED else 16
        if index in (2, 3, 4):
            dimension.number_format = "@"
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = sheet.cell(FIRST_ROW, _FIXED)
    for index, column in enumerate(grid.columns, start=_FIXED + 1):
        if column.item.mode not in (Mode.POINTS, Mode.DEDUCTION):
            continue
        letter = get_column_letter(index)
        if column.item.mode is Mode.POINTS:
            rule = DataValidation(
                type="decimal", operator="between", formula1="0", formula2=_number(column.max)
            )
        else:
            rule = DataValidation(type="whole", operator="between", formula1="0", formula2="1000")
        rule.allow_blank = True
        rule.error = rule_errors[index - _FIXED - 1]
        rule.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
        sheet.add_data_validation(rule)
    table = Table(title, titles, rows, choices=choices)
    _drop_downs(book, [table], "lists", first_row=FIRST_ROW, last_row=last_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def file_name(grid: Grid) -> str:
    return f"{grid.cycle_name}-{grid.source}.xlsx".replace("/", "-")


# -- reading back ----------------------------------------------------------------------------


def _refuse(message: Any) -> Invalid:
    return Invalid.many({"": [message]})


def _value(value: Any) -> Any:
    """A cell as ``parse`` reads it: numbers as their shortest decimal text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def read(grid: Grid, content: bytes) -> list[RowInput]:
    """The rows of an uploaded file as raw values by item key; ``Invalid`` (every problem
    under "", in the current language) when the file is not this grid's."""
    if len(content) > MAX_BYTES:
        raise _refuse(_l("The file is larger than 2 MB; upload the grid's own file."))
    if not content.startswith(b"PK\x03\x04"):
        raise _refuse(
            _l(
                "This is not an Excel (.xlsx) file. Download the grid, fill it in and upload"
                " that file."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(_l("This is not an Excel (.xlsx) file.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(_l("The file is larger than 2 MB; upload the grid's own file."))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _refuse(_l("This is not an Excel (.xlsx) file.")) from None
    try:
        return _rows(grid, book.worksheets[0])
    except IndexError:
        raise _refuse(_l("This is not an Excel (.xlsx) file.")) from None
    finally:
        book.close()


def _rows(grid: Grid, sheet) -> list[RowInput]:
    expected = {lang: headers(grid, lang) for lang in LANGUAGES}
    width = len(expected["en"])
    limit = FIRST_ROW + len(grid.rows) + EXTRA_ROWS
    sheet.reset_dimensions()
    lines = sheet.iter_rows(min_row=HEADER_ROW, max_row=limit, max_col=width + EXTRA_COLUMNS)
    head = next(lines, None)
    given = [_text(cell.value) for cell in head or ()]
    while given and not given[-1]:
        given.pop()
    if given not in [[_text(h) for h in found] for found in expected.values()]:
        known = {_text(h) for found in expected.values() for h in found}
        unknown = [h for h in given if h and h not in known]
        if unknown:
            raise Invalid.many(
                {
                    "": [
                        _l("Column “%(column)s” is not a column of this grid.", column=h)
                        for h in unknown
                    ]
                }
            )
        raise _refuse(
            _l(
                "The file's header row was changed (columns moved, removed or renamed). "
                "Download the grid again and enter the ratings in that file."
            )
        )
    problems: list[Any] = []
    rows: list[RowInput] = []
    for number, cells in enumerate(lines, start=HEADER_ROW + 1):
        if number >= limit:
            raise _refuse(_l("The file has more rows than the grid has people."))
        cells = tuple(cells)
        if all(cell.value is None or _text(cell.value) == "" for cell in cells):
            continue
        extra = [cell for cell in cells[width:] if cell.value not in (None, "")]
        if extra:
            problems.append(_l("Row %(row)d: values right of the last column.", row=number))
        formulas = [
            index
            for index, cell in enumerate(cells[:width])
            if getattr(cell, "data_type", "") == "f"
        ]
        for index in formulas:
            problems.append(
                _l(
                    "Row %(row)d, “%(column)s”: formulas are not accepted; type the value.",
                    row=number,
                    column=given[index],
                )
            )
        if formulas:
            continue
        padded = list(cells[:width]) + [None] * (width - len(cells[:width]))
        sheet_id = record_id(padded[0].value if padded[0] is not None else None)
        if sheet_id is None:
            problems.append(
                _l("Row %(row)d: the hidden ID column is empty or was changed.", row=number)
            )
            continue
        values = {
            column.key: _value(cell.value if cell is not None else None)
            for column, cell in zip(grid.columns, padded[_FIXED:], strict=True)
        }
        rows.append(RowInput(sheet_id, values, line=number))
    if problems:
        raise Invalid.many({"": problems})
    if not rows:
        raise _refuse(_l("The file has no rows of ratings."))
    return rows
