"""Filling in a rating sheet: saving as one goes, submitting, and an admin reopening.

A rater reaches a sheet only through the condition of saas/rating/mine.py (or, for a third
party, their link's condition in saas/rating/external.py); these functions take the sheet
already found that way (``OpenSheet``), so they never look a sheet up by id on their own.

Every value is read with saas/rating/values.py, so what the form saves is what the grid, the
spreadsheet and the scoring run read. Saving needs the cycle open and the sheet not
submitted; a submitted sheet is locked until an admin reopens it with a reason.

Submitting and reopening are audited. Saving is not: the form saves every field as the rater
leaves it, and a row per keystroke would bury the log; the sheet's own ``saved_at`` says when
it last changed, and the submitted values are what counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, case, cast, exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.cycle import Cycle, CycleStatus, RatingSheet, SheetStatus
from saas.rating import values as rating_values
from saas.rating.sheets import OpenSheet
from saas.scoring.engine import Engine, ScoringInputError
from saas.scoring.inputs import SubjectInput
from saas.scoring.period import Period, PeriodError
from saas.scoring.scheme import CriticalEffect, Item, Mode, Scheme
from saas.validation import Invalid

REASON_LIMIT = 1000  # characters of a reopening's reason


class Incomplete(Invalid):
    """Submitting a sheet with items left unrated: ``missing`` lists them, in scheme order."""

    def __init__(self, missing: list[Item]) -> None:
        super().__init__(
            _l("Rate every item before submitting: %(count)d left.", count=len(missing)),
            "submit",
        )
        self.missing = missing


def rated_items(scheme: Scheme) -> dict[str, Item]:
    """What a sheet holds values for, by key: items, and sections rated as a whole."""
    return {item.key: item for item in rating_values.rated_items(scheme)}


def _writable(found: OpenSheet) -> None:
    """Refuse a change to a sheet that cannot change now, saying why."""
    if found.cycle.status != CycleStatus.OPEN:
        raise Refused(
            _l("This cycle is not open for rating now, so ratings cannot be saved or submitted.")
        )
    if found.sheet.status == SheetStatus.SUBMITTED:
        raise Refused(
            _l("This sheet is submitted and locked. An administrator can reopen it if needed.")
        )


def save_item(session: Session, actor: Actor, found: OpenSheet, key: str, raw: Any) -> Any:
    """Store one item's value as the rater typed it (empty clears it) and return it stored.

    One UPDATE: it merges the value into the sheet's JSON, so two fields saved at once never
    overwrite each other, and it changes nothing if the sheet was submitted or the cycle
    closed since the page was read. A bad value raises ``Invalid`` and nothing is saved."""
    _writable(found)
    item = rated_items(found.scheme).get(key)
    if item is None:
        raise Invalid(_l("This sheet has no such item."), key)
    stored = rating_values.parse(item, raw)
    sheet = found.sheet
    merged = (
        RatingSheet.values.op("-")(cast(key, Text))
        if stored is None
        else RatingSheet.values.op("||")(literal({key: stored}, JSONB))
    )
    cycle_open = exists(
        select(Cycle.id).where(Cycle.id == RatingSheet.cycle_id, Cycle.status == CycleStatus.OPEN)
    )
    changed = session.execute(
        update(RatingSheet)
        .where(RatingSheet.id == sheet.id, RatingSheet.status != SheetStatus.SUBMITTED, cycle_open)
        .values(
            values=merged,
            status=case(
                (RatingSheet.status == SheetStatus.ASSIGNED, SheetStatus.DRAFT.value),
                else_=RatingSheet.status,
            ),
            saved_at=func.now(),
        )
        .returning(RatingSheet.values, RatingSheet.status, RatingSheet.saved_at)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:  # submitted or closed meanwhile
        raise Refused(_l("This sheet can no longer be changed. Reload the page to see why."))
    for name, value in zip(("values", "status", "saved_at"), changed, strict=True):
        set_committed_value(sheet, name, value)
    return stored


def read_form(scheme: Scheme, form: Mapping[str, Any]) -> dict[str, Any]:
    """The item values a whole form sends (fields ``v.<key>``), by item key; a field not sent
    (a choice left unpicked) is left out, so it keeps what was saved."""
    return {key: form[f"v.{key}"] for key in rated_items(scheme) if f"v.{key}" in form}


def step(scheme: Scheme, raw: dict[str, Any], saved: Mapping[str, Any], how: str) -> None:
    """A deduction stepper's − or + pressed without JavaScript (``how`` = "<key>:+1" or
    "<key>:-1"): change that count in ``raw`` by one, within 0 and the most allowed."""
    key, _sep, by = how.rpartition(":")
    item = rated_items(scheme).get(key)
    if item is None or item.mode is not Mode.DEDUCTION or by not in ("+1", "-1"):
        return
    try:
        current = rating_values.parse(item, raw.get(key, saved.get(key)))
    except Invalid:
        return  # the typed count is wrong: saving says so
    count = int(current or 0) + (1 if by == "+1" else -1)
    raw[key] = str(min(max(count, 0), rating_values.MAX_OCCURRENCES))


def save_all(session: Session, actor: Actor, found: OpenSheet, raw: Mapping[str, Any]) -> None:
    """Store every value a whole form sent: all of them, or none when one is wrong
    (``Invalid`` with every problem by item key)."""
    _writable(found)
    parsed = rating_values.parse_all(rated_items(found.scheme).values(), raw)
    sheet = found.sheet
    merged = {**sheet.values, **parsed}
    sheet.values = {key: value for key, value in merged.items() if value is not None}
    if sheet.status == SheetStatus.ASSIGNED:
        sheet.status = SheetStatus.DRAFT
    sheet.saved_at = dt.datetime.now(dt.UTC)


def missing(found: OpenSheet) -> list[Item]:
    """The items the sheet has no value for yet, in scheme order."""
    saved = found.sheet.values
    return [item for item in rating_values.rated_items(found.scheme) if saved.get(item.key) is None]


def submit(session: Session, actor: Actor, found: OpenSheet) -> None:
    """Lock the sheet: every item must be rated (``Incomplete`` lists those that are not)."""
    _writable(found)
    left = missing(found)
    if left:
        raise Incomplete(left)
    sheet = found.sheet
    before = sheet.status
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = dt.datetime.now(dt.UTC)
    record(
        session,
        actor.email,
        "rating_sheet.submit",
        "rating_sheet",
        sheet.id,
        {"status": before},
        {"status": sheet.status, "items": len(sheet.values)},
    )


def reopen(session: Session, actor: Actor, found: OpenSheet, reason: str | None) -> None:
    """Give a submitted sheet back to its rater as a draft, with the admin's written reason,
    which the rater is shown."""
    actor.require("rating.reopen")
    text = " ".join((reason or "").split())
    if not text:
        raise Invalid(_l("Say why the sheet is reopened: the rater is shown it."), "reason")
    if len(text) > REASON_LIMIT:
        raise Invalid(_l("At most %(count)d characters.", count=REASON_LIMIT), "reason")
    sheet = found.sheet
    if sheet.status != SheetStatus.SUBMITTED:
        raise Refused(_l("Only a submitted sheet can be reopened."))
    if found.cycle.status != CycleStatus.OPEN:
        raise Refused(
            _l("This cycle is not open for rating now: a reopened sheet could not be changed.")
        )
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.reopened_because = text
    record(
        session,
        actor.email,
        "rating_sheet.reopen",
        "rating_sheet",
        sheet.id,
        {"status": SheetStatus.SUBMITTED.value},
        {"status": sheet.status, "reason": text},
    )


# -- the sheet's own subtotals, as the rater fills it in -------------------------------------


@dataclass
class Tally:
    """What this one sheet gives, scored with the engine: each section's subtotal (None where
    nothing is rated yet), the total, the sections a critical "no" zeroes and the critical
    items whose "no" disqualifies."""

    sections: list[Decimal | None]
    total: Decimal | None
    zeroed: dict[int, str] = field(default_factory=dict)
    vetoes: list[str] = field(default_factory=list)


def tally(found: OpenSheet) -> Tally:
    scheme = found.scheme
    sections: list[Decimal | None] = [None] * len(scheme.sections)
    items = rated_items(scheme)
    source = found.sheet.source
    kinds = [s.kind.value for s in scheme.sources]
    if not kinds:
        return Tally(sections, None)
    if source not in kinds:
        source = kinds[0]  # a sheet's own figures do not depend on its source's weight
    ratings = rating_values.sheet_ratings(items, source, "sheet", found.sheet.values)
    if not ratings:
        return Tally(sections, None)
    try:
        period = Period.parse(found.cycle.period)
        result = Engine(scheme).score(SubjectInput("sheet", tuple(ratings)), period)
    except (PeriodError, ScoringInputError):
        return Tally(sections, None)
    scored = result.scored.get(source)
    if scored is None:
        return Tally(sections, None)
    saved = found.sheet.values
    rated_sections = {s for s, item in scheme.rated() if saved.get(item.key) is not None}
    zeroed = dict(scored.zeroed or {})
    for s, section in enumerate(scheme.sections):
        if s in rated_sections:
            sections[s] = Decimal(0) if s in zeroed else min(scored.sums[s], section.max)
    vetoes = [
        step.params["item"]
        for step in result.disqualified
        if step.code == "critical" and step.params.get("item") in items
    ]
    return Tally(sections, result.sources.get(source), zeroed, vetoes)


CRITICAL_EFFECTS = {
    CriticalEffect.DISQUALIFY: _l(
        "A “no” here is a veto (否决): whatever the other scores, the person is disqualified "
        "this period and gets no award."
    ),
    CriticalEffect.ZERO_SECTION: _l(
        "A “no” here is a veto (否决): this whole section scores zero on this sheet."
    ),
}
