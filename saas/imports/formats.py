"""Reading and writing the spreadsheets: xlsx through openpyxl, CSV through the csv module.

CSV files come from Chinese offices in UTF-8 (with or without a BOM, as Excel writes it),
in GBK (Excel's "CSV" on a Chinese Windows) and occasionally as Excel's UTF-16 "Unicode text";
decoding tries UTF-16 (by its BOM), then UTF-8, then GB18030, which contains GBK.

An xlsx file may hold a units sheet and an employees sheet, recognised by their names; a CSV,
or a workbook without such names, holds one kind, told by its header row (or chosen on upload).
Written xlsx files are byte-for-byte reproducible: the same data gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from saas.imports.columns import EMPLOYEES, KINDS, UNITS, header_field, sheet_kind

MAX_ROWS = 50_000
# A 10 MB upload that inflates past this is a zip bomb, not a staff list.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gb18030"}
# Fixed zip and document times make an export reproducible (see module docstring).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = "1980-01-01T00:00:00Z"


class UnreadableFile(Exception):
    """The upload is not a spreadsheet Kaohe can import; ``code`` says why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, Any]  # recognised fields only, raw cell values


@dataclass
class Sheet:
    kind: str
    fields: tuple[str, ...]  # recognised columns, in file order, each once
    rows: list[Row]
    header_row: int = 1
    ignored: tuple[str, ...] = ()  # headers that name no known column
    duplicated: tuple[str, ...] = ()  # fields named by more than one column


@dataclass
class Workbook:
    sheets: dict[str, Sheet] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets.values())

    @property
    def kind(self) -> str:
        return next(iter(self.sheets)) if len(self.sheets) == 1 else "both"


# -- reading ---------------------------------------------------------------------------------


def read_workbook(content: bytes, filename: str, chosen: str | None = None) -> Workbook:
    """Parse an upload into sheets of rows; raise UnreadableFile when it cannot be imported.

    ``chosen`` (units or employees) limits a workbook to that kind and must agree with what a
    CSV's header row says it holds."""
    if not content.strip():
        raise UnreadableFile("empty_file")
    if content.startswith(b"PK\x03\x04"):
        workbook = _read_xlsx(content, chosen)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("old_excel")
    elif filename.lower().endswith(CSV_EXTENSIONS):
        workbook = Workbook({})
        sheet = _sheet_from_rows(_csv_rows(content), chosen)
        workbook.sheets[sheet.kind] = sheet
    else:
        raise UnreadableFile("not_spreadsheet")
    if workbook.row_count == 0:
        raise UnreadableFile("no_rows")
    return workbook


def _read_xlsx(content: bytes, chosen: str | None) -> Workbook:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile("not_spreadsheet") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("too_large")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise UnreadableFile("not_spreadsheet") from None
    try:
        return _sheets_of(book, chosen)
    finally:
        book.close()


def _sheets_of(book, chosen: str | None) -> Workbook:
    named = {}
    for worksheet in book.worksheets:
        kind = sheet_kind(worksheet.title)
        if kind and kind not in named and chosen in (None, kind):
            named[kind] = worksheet
    workbook = Workbook({})
    if not named:
        # No sheet named for its kind: the first sheet, told by its header row.
        sheet = _sheet_from_rows(_rows_of(book.worksheets[0]), chosen)
        workbook.sheets[sheet.kind] = sheet
        return workbook
    for kind in KINDS:
        if kind not in named:
            continue
        try:
            sheet = _sheet_from_rows(_rows_of(named[kind]), kind)
        except UnreadableFile as exc:
            if exc.code == "no_rows":
                continue  # an empty sheet of the template: nothing of that kind to import
            exc.params.setdefault("sheet", named[kind].title)
            raise
        if sheet.rows:
            workbook.sheets[kind] = sheet
    return workbook


def _rows_of(worksheet) -> Iterator[Sequence[Any]]:
    worksheet.reset_dimensions()  # some writers record wrong sizes; read what is there
    return worksheet.iter_rows(values_only=True)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in content[:4096]:
        raise UnreadableFile("not_spreadsheet")
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:  # e.g. UTF-16 of an odd number of bytes
            continue
        # No text file of staff or units holds a NUL, and PostgreSQL refuses to store one.
        if "\x00" in text:
            raise UnreadableFile("not_spreadsheet")
        return text
    raise UnreadableFile("unknown_encoding")


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [csv_unescape(cell) for cell in cells]
    except csv.Error:
        raise UnreadableFile("not_spreadsheet") from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _detect(headers: Sequence[Any]) -> str | None:
    """Employees if a column is the employee number; units if one is the unit code."""
    texts = [str(h) for h in headers if not _blank(h)]
    if any(header_field(EMPLOYEES, text) == "number" for text in texts):
        return EMPLOYEES
    if any(header_field(UNITS, text) == "code" for text in texts):
        return UNITS
    return None


def _sheet_from_rows(rows: Iterable[Sequence[Any]], chosen: str | None) -> Sheet:
    numbered = enumerate(rows, start=1)
    header_row, headers = next(
        ((n, cells) for n, cells in numbered if not all(_blank(c) for c in cells)), (0, ())
    )
    if not header_row:
        raise UnreadableFile("no_rows")
    detected = _detect(headers)
    if detected is None:
        raise UnreadableFile("unknown_header")
    if chosen and chosen != detected:
        raise UnreadableFile("wrong_kind", chosen=chosen, detected=detected)
    positions, ignored, duplicated = _map_headers(detected, headers)
    sheet = Sheet(
        detected,
        tuple(positions.values()),
        [],
        header_row=header_row,
        ignored=ignored,
        duplicated=duplicated,
    )
    for number, cells in numbered:
        if all(_blank(cell) for cell in cells):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise UnreadableFile("too_many_rows", limit=MAX_ROWS)
        values = {f: cells[i] if i < len(cells) else None for i, f in positions.items()}
        sheet.rows.append(Row(number, values))
    return sheet


def _map_headers(
    kind: str, headers: Sequence[Any]
) -> tuple[dict[int, str], tuple[str, ...], tuple[str, ...]]:
    positions: dict[int, str] = {}
    ignored, duplicated = [], []
    for i, header in enumerate(headers):
        if _blank(header):
            continue
        name = header_field(kind, str(header))
        if name is None:
            ignored.append(str(header).strip())
        elif name in positions.values():
            duplicated.append(name)
        else:
            positions[i] = name
    return positions, tuple(ignored), tuple(dict.fromkeys(duplicated))


# -- writing ---------------------------------------------------------------------------------

# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…); tab and CR are skipped before the check).
# OWASP's advice: put a single quote in front, which Excel and WPS show as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The escape must be undone on import, and only where it was added. A value that already
# starts with quotes before a trigger ('=x) gets one more quote too, so "quotes then a
# trigger" always means "one quote was added": the mapping is one-to-one and a real name
# that starts with a quote survives the round trip.
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")


def csv_escape(value: str) -> str:
    """The CSV text of a cell: a value a spreadsheet would run as a formula, quoted."""
    return "'" + value if _ESCAPED.match(value) else value


def csv_unescape(value: str) -> str:
    """The value ``csv_escape`` was given: the quote it added in front of a trigger removed."""
    return value[1:] if value.startswith("'") and _ESCAPED.match(value, 1) else value


@dataclass(frozen=True)
class Choices:
    """The words a column takes, offered as a drop-down list in Excel and WPS."""

    words: tuple[str, ...]
    # Strict: other words are refused as they are typed (kinds, statuses); else the list only
    # suggests (forms of employment are free text).
    strict: bool = True
    error: str = ""  # shown when a strict column gets another word


@dataclass
class Table:
    """One sheet to write: a header row and rows of str, date or None."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int] = field(default_factory=list)
    choices: dict[int, Choices] = field(default_factory=dict)  # by column, from 0


def _append(sheet, row: Sequence[Any]) -> None:
    sheet.append(list(row))
    for index, value in enumerate(row, start=1):
        if isinstance(value, str) and value.startswith("="):
            sheet.cell(sheet.max_row, index).data_type = "s"  # text, never a formula


def _drop_downs(
    book,
    tables: Sequence[Table],
    lists_title: str,
    first_row: int = 2,
    last_row: int = MAX_ROWS + 1,
) -> None:
    """Each column's words in a column of a hidden sheet, and a list validation pointing there
    (a list written into the rule itself may hold at most 255 characters), on the rows from
    ``first_row`` to ``last_row``."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wanted = [(t, i, c) for t in tables for i, c in sorted(t.choices.items()) if c.words]
    if not wanted:
        return
    lists = book.create_sheet(lists_title)
    lists.sheet_state = "hidden"
    for number, (table, index, choices) in enumerate(wanted, start=1):
        letter = get_column_letter(number)
        lists.cell(1, number, table.headers[index]).data_type = "s"
        for row, word in enumerate(choices.words, start=2):
            lists.cell(row, number, word).data_type = "s"
        source = f"{quote_sheetname(lists_title)}!${letter}$2:${letter}${len(choices.words) + 1}"
        rule = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=choices.strict,
            errorStyle="stop",
            error=choices.error or None,
        )
        column = get_column_letter(index + 1)
        rule.add(f"{column}{first_row}:{column}{last_row}")
        book[table.title].add_data_validation(rule)


def write_xlsx(tables: Sequence[Table], lists_title: str = "lists") -> bytes:
    """A workbook of ``tables``; their choices become drop-downs fed by a hidden sheet."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Not write-only: that mode leaves out the sheet's <dimension>, and openpyxl's read-only
    # reader then parses a whole sheet once more just to size it.
    book = OpenpyxlWorkbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.title)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            _append(sheet, row)
        for index, width in enumerate(table.widths, start=1):
            dimension = sheet.column_dimensions[get_column_letter(index)]
            dimension.width = width
            if not any(isinstance(row[index - 1], dt.date) for row in table.rows[:50]):
                # Typed into later, a code like 0012 stays text instead of becoming 12.
                dimension.number_format = "@"
        sheet.freeze_panes = "A2"
    _drop_downs(book, tables, lists_title)
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed times in the zip and in docProps/core.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + _CORE_TIME.encode(),
                    content,
                )
            target.writestr(
                zipfile.ZipInfo(info.filename, _ZIP_TIME), content, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_escape(value) if isinstance(value, str) else value


def write_csv(headers: list[str], rows: Iterable[list[Any]], encoding: str) -> bytes:
    """CSV for Excel: UTF-8 with a BOM (Excel needs it to see UTF-8), or GBK (as GB18030).
    Cells that a spreadsheet would run as formulas are quoted (see ``csv_escape``)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([csv_escape(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return text.getvalue().encode(CSV_ENCODINGS[encoding])
