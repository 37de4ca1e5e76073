"""Actuals of many goals from one Excel workbook: read it, check every row, then record them all
or none.

The file: one sheet with a header row and a row per actual —

    目标编号 goal id | 目标 goal | 实际值 actual | 是否完成 done | 日期 date | 说明 note

目标 is for the reader and not checked; 实际值 is for goals measured by a number, 是否完成 (是/否)
for milestones; 日期 is an Excel date or text such as 2026-08-03. A row with nothing in 实际值,
是否完成, 日期 and 说明 is skipped, so the template's rows of goals without news may stay.
Headers are part of the file format, not page text (as in ``saas.imports.columns``): both
languages are read whatever language the page is in.

Reading and checking need no request: a problem is a code with parameters, put into words by
the page. A goal the user may not see is "not found", word for word like an id that does not
exist, so the ids of other units' or other tenants' goals reveal nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.goals import service
from saas.goals.actuals import date_problem, record_actual
from saas.imports.columns import ZH, normalise
from saas.imports.formats import UnreadableFile
from saas.imports.validate import BadValue, to_date, to_text
from saas.models.goal import Goal
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.validation import finite_decimal, record_id

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
# A 2 MB workbook of actuals unpacks to a few tens of MB at most; more is a zip bomb.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# Rows read in all (skipped ones too) before the file is refused as far too long.
MAX_LINES = 50_000
# A title or a blank line may come above the header row.
HEADER_SEARCH_ROWS = 10
MAX_NOTE = 1000
SHOWN_LENGTH = 100
YEARS = range(2000, 2100)  # an actual dated outside these is a typing slip, e.g. 120 read as 1900

ERROR_CODES = (
    "missing_goal_id",
    "goal_not_found",
    "not_allowed",
    "missing_actual",
    "number_for_milestone",
    "done_for_numeric",
    "missing_done",
    "bad_number",
    "bad_done",
    "missing_date",
    "bad_date",
    "outside_period",
    "after_today",
    "too_long",
)


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""
    aliases: tuple[str, ...] = ()

    def header(self, lang: str) -> str:
        return self.zh if lang == ZH else self.en

    def titled(self, lang: str) -> str:
        """The header as the template writes it: the name and, in brackets, what to write
        (the import ignores bracketed notes)."""
        hint = self.hint_zh if lang == ZH else self.hint_en
        if not hint:
            return self.header(lang)
        return f"{self.zh}（{hint}）" if lang == ZH else f"{self.en} ({hint})"


COLUMNS = (
    Column("goal_id", "目标编号", "goal id", aliases=("目标id", "编号", "id", "goal no")),
    Column(
        "title",
        "目标名称",
        "goal",
        "仅供阅读，不检查",
        "for reference, not checked",
        ("目标", "title", "goal title"),
    ),
    Column(
        "actual",
        "实际值",
        "actual",
        "数值目标填写",
        "for goals measured by a number",
        ("实际", "实际完成值", "value", "actual value"),
    ),
    Column(
        "done",
        "是否完成",
        "done",
        "里程碑填写：是/否",
        "for milestones: yes/no",
        ("完成", "已完成"),
    ),
    Column("date", "日期", "date", "如 2026-08-03", "e.g. 2026-08-03", ("实际日期", "on", "as of")),
    Column("note", "备注", "note", "可不填", "optional", ("说明", "notes", "comment")),
)
# Written into the template to help whoever fills it in; the import does not read them.
REFERENCE_COLUMNS = (
    Column("owner", "负责人", "owner", "仅供阅读", "for reference"),
    Column("target", "目标值", "target", "仅供阅读", "for reference"),
)
FIELDS = tuple(c.field for c in COLUMNS)
RECORDED = ("actual", "done", "date", "note")  # a row with none of these is skipped
SHEET_NAMES = {ZH: "实际值", "en": "actuals"}
INSTRUCTIONS_SHEET = {ZH: "填写说明", "en": "instructions"}

_HEADERS = {normalise(word): c.field for c in COLUMNS for word in (c.zh, c.en, *c.aliases)}
_DONE_WORDS = {
    **dict.fromkeys(("是", "已完成", "完成", "yes", "y", "done", "true"), True),
    **dict.fromkeys(("否", "未完成", "没完成", "no", "n", "notdone", "false"), False),
}
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def column(field_name: str) -> Column:
    return next(c for c in (*COLUMNS, *REFERENCE_COLUMNS) if c.field == field_name)


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of the sheet with something to record: raw cell values by field."""

    sheet: str
    number: int  # as the spreadsheet shows it
    values: dict[str, Any]


def read_actuals(content: bytes) -> list[Line]:
    """The rows of an uploaded workbook; raises UnreadableFile when it cannot be imported."""
    if not content.strip():
        raise UnreadableFile("empty_file")
    if len(content) > MAX_BYTES:
        raise UnreadableFile("file_too_big")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("old_excel")
    if not content.startswith(b"PK\x03\x04"):
        raise UnreadableFile("not_xlsx")
    book = _open(content)
    try:
        for worksheet in book.worksheets:
            lines = _sheet_lines(worksheet.title, _rows_of(worksheet))
            if lines is not None:
                break
        else:
            raise UnreadableFile("no_header")
    finally:
        book.close()
    if not lines:
        raise UnreadableFile("no_rows")
    return lines


def _open(content: bytes):
    from openpyxl import load_workbook  # parses its XML through defusedxml when installed

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile("not_xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("too_large")
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise UnreadableFile("not_xlsx") from None


def _rows_of(worksheet) -> Iterator[Sequence[Any]]:
    worksheet.reset_dimensions()  # some writers record wrong sizes; read what is there
    return worksheet.iter_rows(values_only=True)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet_lines(title: str, rows: Iterable[Sequence[Any]]) -> list[Line] | None:
    """The sheet's rows to record, or None when no header row names the goal id column."""
    numbered = enumerate(rows, start=1)
    positions = None
    for number, cells in numbered:
        if not all(_blank(c) for c in cells):
            positions = _map_headers(title, cells)
            if positions is not None or number >= HEADER_SEARCH_ROWS:
                break
        elif number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        return None
    lines: list[Line] = []
    for number, cells in numbered:
        if number > MAX_LINES:
            raise UnreadableFile("too_many_rows", limit=MAX_ROWS, sheet=title)
        values = {f: cells[i] if i < len(cells) else None for i, f in positions.items()}
        if all(_blank(values.get(f)) for f in RECORDED):
            continue  # nothing to record: an empty row, or a template row left as it was
        if len(lines) >= MAX_ROWS:
            raise UnreadableFile("too_many_rows", limit=MAX_ROWS, sheet=title)
        lines.append(Line(title, number, values))
    return lines


def _map_headers(title: str, headers: Sequence[Any]) -> dict[int, str] | None:
    positions: dict[int, str] = {}
    duplicated: list[str] = []
    for index, header in enumerate(headers):
        name = None if _blank(header) else _HEADERS.get(normalise(str(header)))
        if name is None:
            continue  # the template's reference columns, or the user's own
        if name in positions.values():
            duplicated.append(name)
        else:
            positions[index] = name
    if "goal_id" not in positions.values():
        return None
    if duplicated:
        raise UnreadableFile("duplicate_column", column=duplicated[0], sheet=title)
    if "date" not in positions.values():
        raise UnreadableFile("missing_column", column="date", sheet=title)
    return positions


# -- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str | None  # a field of COLUMNS
    value: str | None  # the cell as text, shortened
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """A checked row, ready to record."""

    row: int
    goal: Goal
    value: Decimal | None
    done: bool | None
    on: dt.date
    note: str | None


@dataclass
class Checked:
    entries: list[Entry]
    problems: list[Problem]


def check(
    session: Session,
    actor: Actor,
    lines: Sequence[Line],
    visible: ColumnElement[bool],
    today: dt.date,
) -> Checked:
    """Every row checked against the goals the user may see (``visible``, the goal pages'
    rule) and may record actuals for, and dated as the goal form wants (within the goal's
    period, not after the tenant's ``today``); every problem of every row is listed."""
    ids = {goal_id for line in lines if (goal_id := _goal_id(line.values.get("goal_id")))}
    found = recordable(session, actor, visible, Goal.id.in_(ids)) if ids else Recordable()
    checked = Checked([], [])
    for line in lines:
        _check_line(line, found, checked, today)
    return checked


@dataclass
class Recordable:
    seen: dict[int, Goal] = field(default_factory=dict)  # the goals the user may see …
    allowed: list[Goal] = field(default_factory=list)  # … those they may record for
    owners: dict[int, str] = field(default_factory=dict)  # the owner's name of each allowed


def recordable(
    session: Session, actor: Actor, visible: ColumnElement[bool], *where: ColumnElement[bool]
) -> Recordable:
    """The goals the user may see and those they may record actuals for, with their owners'
    names. Owners are loaded up front, so checking each goal asks the database nothing more."""
    goals = list(session.scalars(select(Goal).where(visible, *where).order_by(Goal.id)))
    people = {
        e.id: e for e in _load(session, Employee, {g.employee_id for g in goals if g.employee_id})
    }
    unit_ids = {g.unit_id for g in goals if g.unit_id} | {e.unit_id for e in people.values()}
    units = {u.id: u for u in _load(session, OrgUnit, unit_ids)}
    allowed = [goal for goal in goals if service.can_draft(session, actor, goal)]
    owners = {
        goal.id: units[goal.unit_id].name if goal.unit_id else people[goal.employee_id].name
        for goal in allowed
    }
    return Recordable({goal.id: goal for goal in goals}, allowed, owners)


def _load(session: Session, model, ids: set[int]) -> list:
    return list(session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def _goal_id(raw: Any) -> int | None:
    return record_id(to_text(raw))


def _shown(raw: Any) -> str | None:
    text = to_text(raw)
    if text is not None and len(text) > SHOWN_LENGTH:
        return text[: SHOWN_LENGTH - 1] + "…"
    return text


class _Row:
    """Problems of one line as they are found."""

    def __init__(self, line: Line, checked: Checked) -> None:
        self.line, self.checked, self.bad = line, checked, False

    def problem(self, column_name: str | None, code: str, **params: Any) -> None:
        assert code in ERROR_CODES, code
        raw = self.line.values.get(column_name) if column_name else None
        self.checked.problems.append(
            Problem(self.line.sheet, self.line.number, column_name, _shown(raw), code, params)
        )
        self.bad = True

    def parsed(self, column_name: str, parse) -> Any:
        try:
            return parse(self.line.values.get(column_name))
        except BadValue as error:
            self.problem(column_name, error.code, **error.params)
            return None


def _check_line(line: Line, found: Recordable, checked: Checked, today: dt.date) -> None:
    row = _Row(line, checked)
    goal = _find_goal(row, found)
    value, done = _measured(row, goal)
    on = None
    if _blank(line.values.get("date")):
        row.problem("date", "missing_date")
    else:
        on = row.parsed("date", _date)
    if goal is not None and on is not None and (problem := date_problem(goal, on, today)):
        code, params = problem
        row.problem("date", code, **params)
    note = row.parsed("note", _note)
    if not row.bad and goal is not None and on is not None:
        checked.entries.append(Entry(line.number, goal, value, done, on, note))


def _find_goal(row: _Row, found: Recordable) -> Goal | None:
    raw = row.line.values.get("goal_id")
    if _blank(raw):
        row.problem("goal_id", "missing_goal_id")
        return None
    goal_id = _goal_id(raw)
    if goal_id is None or goal_id not in found.seen:
        row.problem("goal_id", "goal_not_found")
        return None
    goal = found.seen[goal_id]
    if goal.id not in found.owners:  # owners name exactly the goals they may record for
        row.problem("goal_id", "not_allowed")
        return None
    return goal


def _measured(row: _Row, goal: Goal | None) -> tuple[Decimal | None, bool | None]:
    """The number or the done / not done of the row, as the goal's measure wants."""
    has_actual = not _blank(row.line.values.get("actual"))
    has_done = not _blank(row.line.values.get("done"))
    value = row.parsed("actual", _number) if has_actual else None
    done = row.parsed("done", _done) if has_done else None
    if goal is None:
        return None, None  # the values are still checked, so every problem shows at once
    if goal.measure == "milestone":
        if has_actual:
            row.problem("actual", "number_for_milestone")
        elif not has_done:
            row.problem("done", "missing_done")
        return None, done
    if has_done:
        row.problem("done", "done_for_numeric")
    elif not has_actual:
        row.problem("actual", "missing_actual")
    return value, None


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool | dt.date):
        raise BadValue("bad_number")
    # A float goes through its shortest text, so 0.1 stays 0.1 and not 0.1000000000000000055…
    text = (to_text(raw) or "").replace(" ", "")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    number = finite_decimal(text, below=service.MAX_NUMBER)
    if number is None:
        raise BadValue("bad_number")
    return number


def _done(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _DONE_WORDS.get(normalise(to_text(raw) or ""))
    if word is None:
        raise BadValue("bad_done")
    return word


def _date(raw: Any) -> dt.date | None:
    on = to_date(raw)
    if on is not None and on.year not in YEARS:
        raise BadValue("bad_date")
    return on


def _note(raw: Any) -> str | None:
    if _blank(raw):
        return None
    text = to_text(raw) if not isinstance(raw, str) else raw.strip()
    if len(text) > MAX_NOTE:
        raise BadValue("too_long", max=MAX_NOTE)
    return text


# -- applying --------------------------------------------------------------------------------


def record_all(session: Session, actor: Actor, entries: Sequence[Entry], today: dt.date) -> int:
    """Record every checked row as the goal page does (which audits each one). Adds only:
    the caller commits them together, or rolls all of them back on any refusal."""
    for entry in entries:
        record_actual(
            session,
            actor,
            entry.goal,
            value=entry.value,
            done=entry.done,
            on=entry.on,
            note=entry.note,
            today=today,
        )
    return len(entries)


# -- the template ----------------------------------------------------------------------------


def target_text(goal: Goal, lang: str) -> str:
    """What the goal aims at, for whoever fills in the template."""
    if goal.measure == "milestone":
        return "里程碑：填 是/否" if lang == ZH else "milestone: yes/no"
    if goal.target is None:
        return "未定" if lang == ZH else "not set"
    text = f"{format(goal.target.normalize(), 'f')} {goal.unit or ''}".strip()
    if goal.direction == "lower":
        text += "（越低越好）" if lang == ZH else " (lower is better)"
    return text


def template_xlsx(found: Recordable, lang: str, instructions: Sequence[str]) -> bytes:
    """A workbook to fill in: a row per goal with its id, title, owner and target, the columns
    to fill empty (the one a goal's measure does not use shaded), then a sheet of
    instructions."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAMES[lang]
    sheet.append([c.titled(lang) for c in (*COLUMNS, *REFERENCE_COLUMNS)])
    for goal in found.allowed:
        owner = found.owners[goal.id]
        sheet.append([goal.id, goal.title, None, None, None, None, owner, target_text(goal, lang)])
    _style(sheet, found.allowed, lang)
    notes = book.create_sheet(INSTRUCTIONS_SHEET[lang])
    for text in instructions:
        notes.append([text])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style(sheet, goals: Sequence[Goal], lang: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl stores "=…" as a formula; a title or an owner's name is text.
                cell.data_type = "s"
    shaded = PatternFill("solid", fgColor="EEEEEE")
    for number, goal in enumerate(goals, start=2):
        unused = "C" if goal.measure == "milestone" else "D"
        sheet[f"{unused}{number}"].fill = shaded
    words = '"是,否"' if lang == ZH else '"yes,no"'
    choice = DataValidation(type="list", formula1=words, allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"D2:D{MAX_ROWS + 1}")
    for letter, width in zip("ABCDEFGH", (16, 36, 20, 22, 20, 36, 16, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["E"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
