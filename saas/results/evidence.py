"""What a stored trace's references stand for, in the reader's language.

A trace keeps its evidence compact: a ledger event's ``ref`` is ``ledger:<entry id>``, an
inspection that rated the subject is ``i:<inspection id>`` (saas/runs/inputs.py). Words are
made only when a trace is shown, in the reader's language, from one query for every
reference of the page:

- a ledger entry recorded for a failed inspection item: "员工餐厅卫生检查 2026-08-03, item
  HY-1.4 failed" (the checklist, the entry's date — the day the inspection was done — and
  the item);
- a ledger entry recorded for an overdue rectification notice: "rectification notice
  ZG-2026-000012 overdue (due 2026-08-06)";
- an inspection: who inspected (the sentence itself, saas/schemes/explain.py, adds the date
  and the score the run read).

Other ledger entries (a complaint, a praise letter typed in) keep their reference as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, String, cast, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from saas.models.inspection import Inspection, RectificationNotice
from saas.models.ledger import LedgerEntry
from saas.models.scheme import SchemeVersion
from saas.models.user import User

LEDGER = "ledger:"
INSPECTION = "i:"
_LIMIT = 1000  # references looked up per page: a trace has a few dozen at most


def references(trace: Iterable[Any]) -> tuple[set[int], set[int]]:
    """The ledger entry ids and inspection ids a trace refers to."""
    entries: set[int] = set()
    inspections: set[int] = set()
    for step in trace:
        ref = step.get("ref") if isinstance(step, Mapping) else None
        if not isinstance(ref, str):
            continue
        for prefix, found in ((LEDGER, entries), (INSPECTION, inspections)):
            number = ref[len(prefix) :]
            if ref.startswith(prefix) and number.isascii() and number.isdigit():
                found.add(int(number))
    return set(sorted(entries)[:_LIMIT]), set(sorted(inspections)[:_LIMIT])


def ref_words(session: Session, trace: Iterable[Any]) -> dict[str, str]:
    """Each reference of the trace that stands for evidence, in words (one query; none when
    the trace refers to nothing)."""
    entries, inspections = references(trace)
    if not entries and not inspections:
        return {}
    checklist = SchemeVersion.definition["name"].astext
    from_ledger = (
        select(
            literal(LEDGER).label("kind"),
            LedgerEntry.id.label("id"),
            LedgerEntry.on.label("on"),
            LedgerEntry.item_key.label("item"),
            RectificationNotice.serial.label("serial"),
            RectificationNotice.deadline.label("due"),
            checklist.label("checklist"),
            cast(null(), String).label("inspector"),
        )
        .select_from(LedgerEntry)
        .outerjoin(RectificationNotice, RectificationNotice.id == LedgerEntry.notice_id)
        .outerjoin(Inspection, Inspection.id == LedgerEntry.inspection_id)
        .outerjoin(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .where(
            LedgerEntry.id.in_(entries or [0]),
            or_(LedgerEntry.inspection_id.is_not(None), LedgerEntry.notice_id.is_not(None)),
        )
    )
    from_inspections = (
        select(
            literal(INSPECTION).label("kind"),
            Inspection.id,
            cast(null(), Date),
            cast(null(), String),
            cast(null(), String),
            cast(null(), Date),
            checklist,
            User.name,
        )
        .select_from(Inspection)
        .join(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .outerjoin(User, User.id == Inspection.inspector_id)
        .where(Inspection.id.in_(inspections or [0]))
    )
    words: dict[str, str] = {}
    for row in session.execute(union_all(from_ledger, from_inspections)).mappings():
        said = _said(row)
        if said:
            words[f"{row['kind']}{row['id']}"] = said
    return words


def _said(row: Mapping[str, Any]) -> str:
    if row["kind"] == INSPECTION:
        return row["inspector"] or ""
    if row["serial"]:
        return _(
            "rectification notice %(serial)s overdue (due %(due)s)",
            serial=row["serial"],
            due=_day(row["due"]),
        )
    name = row["checklist"] or _("inspection")
    if row["item"]:
        return _(
            "%(checklist)s %(on)s, item %(item)s failed",
            checklist=name,
            on=_day(row["on"]),
            item=row["item"],
        )
    return _("%(checklist)s %(on)s", checklist=name, on=_day(row["on"]))


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")
