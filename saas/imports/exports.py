"""The tenant's units and employees as rows of the import columns, and the blank template.

An export read back by the import changes nothing: the same columns, the same words for kinds
and statuses, codes and numbers kept as text, dates as dates.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.imports.columns import (
    COLUMNS,
    EMPLOYEES,
    INSTRUCTIONS_SHEET,
    SHEET_NAMES,
    STATUS_WORDS,
    UNIT_KIND_WORDS,
    UNITS,
    ZH,
    status_word,
    unit_kind_word,
)
from saas.imports.formats import Choices, Table
from saas.imports.validate import pairs
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.org.access import Scope
from saas.people.employees import EMPLOYMENT_FORMS

_WIDTHS = {
    UNITS: [14, 28, 14, 12, 16, 14],
    EMPLOYEES: [14, 14, 14, 18, 14, 14, 14, 13, 10, 15, 26],
}


def headers(kind: str, lang: str) -> list[str]:
    return [c.header(lang) for c in COLUMNS[kind]]


def unit_rows(session: Session, scope: Scope, lang: str) -> list[list[Any]]:
    codes = pairs(session, select(OrgUnit.id, OrgUnit.code))
    numbers = pairs(session, select(Employee.id, Employee.number))
    units = session.execute(
        select(
            OrgUnit.code,
            OrgUnit.name,
            OrgUnit.parent_id,
            OrgUnit.kind,
            OrgUnit.category,
            OrgUnit.manager_id,
        )
        .where(OrgUnit.archived_at.is_(None), scope.unit_clause())
        .order_by(OrgUnit.path, OrgUnit.code)
    )
    return [
        [
            u.code,
            u.name,
            codes.get(u.parent_id),
            unit_kind_word(u.kind, lang),
            u.category,
            numbers.get(u.manager_id),
        ]
        for u in units
    ]


def employee_rows(session: Session, scope: Scope, lang: str) -> list[list[Any]]:
    codes = pairs(session, select(OrgUnit.id, OrgUnit.code))
    numbers = pairs(session, select(Employee.id, Employee.number))
    levels = pairs(session, select(PositionLevel.id, PositionLevel.name))
    employees = session.execute(
        select(
            Employee.number,
            Employee.name,
            Employee.unit_id,
            Employee.position,
            Employee.position_level_id,
            Employee.employment_form,
            Employee.manager_id,
            Employee.hire_date,
            Employee.status,
            Employee.mobile,
            Employee.email,
        )
        .where(scope.employee_clause())
        .order_by(Employee.number)
    )
    return [
        [
            e.number,
            e.name,
            codes.get(e.unit_id),
            e.position,
            levels.get(e.position_level_id),
            e.employment_form,
            numbers.get(e.manager_id),
            e.hire_date,
            status_word(e.status, lang),
            e.mobile,
            e.email,
        ]
        for e in employees
    ]


def _words(mapping: dict[str, tuple[str, str]], lang: str) -> tuple[str, ...]:
    return tuple(zh if lang == ZH else en for zh, en in mapping.values())


def _levels(session: Session) -> list[str]:
    return list(session.scalars(select(PositionLevel.name).order_by(PositionLevel.rank)))


def choices(session: Session, kind: str, lang: str) -> dict[int, Choices]:
    """The drop-down lists of a sheet's columns: the words the import reads, the tenant's
    position levels, and forms of employment (suggested; any other may be typed)."""
    if kind == UNITS:
        found = {
            "kind": Choices(_words(UNIT_KIND_WORDS, lang), error=_("Choose a kind from the list."))
        }
    else:
        in_use = session.scalars(select(Employee.employment_form).distinct())
        forms = sorted({*EMPLOYMENT_FORMS, *(form for form in in_use if form)})
        found = {
            "status": Choices(
                _words(STATUS_WORDS, lang),
                error=_("Choose a status from the list; leave it empty for a new employee."),
            ),
            "employment_form": Choices(tuple(forms), strict=False),
            "position_level": Choices(
                tuple(_levels(session)),
                error=_("Choose one of your position levels; add a new one in Kaohe first."),
            ),
        }
    fields = [c.field for c in COLUMNS[kind]]
    return {fields.index(name): words for name, words in found.items()}


def table(session: Session, kind: str, rows: list[list[Any]], lang: str) -> Table:
    return Table(
        SHEET_NAMES[kind][lang],
        headers(kind, lang),
        rows,
        _WIDTHS[kind],
        choices(session, kind, lang),
    )


def export_tables(session: Session, scope: Scope, lang: str, kinds: tuple[str, ...]) -> list[Table]:
    makers = {UNITS: unit_rows, EMPLOYEES: employee_rows}
    return [table(session, kind, makers[kind](session, scope, lang), lang) for kind in kinds]


# -- the template ----------------------------------------------------------------------------


def _examples(lang: str) -> dict[str, list[Any]]:
    import datetime as dt

    zh = lang == ZH
    return {
        UNITS: [
            "A01",
            "综合办公室" if zh else "General office",
            None,
            unit_kind_word("department", lang),
            "职能部门" if zh else "Functional",
            None,
        ],
        EMPLOYEES: [
            "E0001",
            "张三" if zh else "Zhang San",
            "A01",
            "文员" if zh else "Clerk",
            None,
            "合同制" if zh else "Contract",
            None,
            dt.date(2024, 3, 1),
            status_word("active", lang),
            "13800138000",
            None,
        ],
    }


def _instructions(session: Session, lang: str) -> Table:
    kinds = " / ".join(_words(UNIT_KIND_WORDS, lang))
    statuses = " / ".join(_words(STATUS_WORDS, lang))
    levels = _levels(session)
    rows: list[list[Any]] = [
        [_("Fill in one row per unit on the sheet “%(sheet)s”.", sheet=SHEET_NAMES[UNITS][lang])],
        [
            _(
                "Fill in one row per employee on the sheet “%(sheet)s”.",
                sheet=SHEET_NAMES[EMPLOYEES][lang],
            )
        ],
        [_("Keep the header row; delete the example rows. Columns may be in any order.")],
        *(
            [
                _(
                    "Required on “%(sheet)s”: %(columns)s.",
                    sheet=SHEET_NAMES[k][lang],
                    columns=_required(k, lang),
                )
            ]
            for k in (UNITS, EMPLOYEES)
        ),
        [_("Units that exist (same code) and employees that exist (same number) are updated.")],
        [_("Nothing is deleted. A column you leave out is left as it is.")],
        [_("Unit kinds: %(words)s.", words=kinds)],
        [_("Statuses: %(words)s (empty means active).", words=statuses)],
        [_("Dates: YYYY-MM-DD, e.g. 2024-03-01, or an Excel date.")],
        [
            _(
                "Mobile numbers: mainland mobile numbers, written any usual way (138 0013 8000, "
                "+86 13800138000). Each mobile number and e-mail belongs to one person only: "
                "people log in with them."
            )
        ],
        [
            _("Position levels you have: %(levels)s.", levels=" / ".join(levels))
            if levels
            else _("No position levels are set up yet: leave that column empty.")
        ],
        [_("Parent codes and manager numbers may refer to rows of this file.")],
        [_("Kinds, statuses, position levels and forms of employment can be picked from a list.")],
    ]
    return Table(INSTRUCTIONS_SHEET[lang], [_("How to fill in this file")], rows, [100])


def _required(kind: str, lang: str) -> str:
    names = [c.header(lang) for c in COLUMNS[kind] if c.required]
    return ("、" if lang == ZH else ", ").join(names)


def template_tables(session: Session, lang: str) -> list[Table]:
    examples = _examples(lang)
    return [
        _instructions(session, lang),
        table(session, UNITS, [examples[UNITS]], lang),
        table(session, EMPLOYEES, [examples[EMPLOYEES]], lang),
    ]
