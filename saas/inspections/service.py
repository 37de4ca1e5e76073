"""An inspection's life: planned (ad hoc, or by a schedule: saas/inspections/schedules.py),
carried out item by item on a phone, signed and finished, or cancelled with a reason.

- Planning needs ``inspections.plan``: a checklist (a scheme whose latest published version
  has an ``inspection`` block), a unit, a date within a year of today, a method and an
  inspector (an active account holding inspections.run). A mystery visit (暗访) is always
  unannounced.
- Running needs the assigned inspector or an administrator (saas/inspections/access.py), and
  the inspection planned or in progress. Each item takes a value in its mode (the shapes of
  saas/rating/values.py) or "not applicable", a note of at most 1,000 characters and photos
  (attachments, slot = the item's key). The first value or photo starts the inspection.
- Finishing needs every item rated or marked not applicable (at least one applying), the
  on-site person's name and two drawn signatures (saas/inspections/signatures.py). It scores
  the inspection (saas/inspections/score.py) and, in the same transaction, sets off what a
  finished inspection sets off (saas/inspections/consequences.py). A done inspection is
  read-only.
- Cancelling needs ``inspections.plan`` and a reason; a done inspection cannot be cancelled.

Every change of state is audited: planned, started, finished (with the score), cancelled.
Item values are not audited one by one as they are saved (a row per tap would bury the log):
a done inspection is read-only, so its stored values are the ones that counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.attachments import service as attachments
from saas.auth.permissions import Actor, Refused
from saas.inspections import signatures
from saas.inspections.access import OPEN_STATUSES, may_run
from saas.inspections.checklists import current_version, is_inspector
from saas.inspections.consequences import after_inspection
from saas.inspections.findings import NOT_APPLICABLE
from saas.inspections.score import NothingApplies, score
from saas.models.attachment import Attachment, AttachmentOwner
from saas.models.audit import record
from saas.models.inspection import Inspection, InspectionMethod, InspectionStatus
from saas.models.org import OrgUnit
from saas.rating import values as rating_values
from saas.scoring.scheme import Item, Scheme
from saas.validation import Invalid, Problems
from tenants.db import utcnow

TEXT_LIMIT = 1000  # a note, a reason
NAME_LIMIT = 100  # the on-site person's name (Inspection.onsite_name)
PLAN_WITHIN_DAYS = 366
SIGNATURE_MESSAGES = {
    "missing": _l("Sign in the box first."),
    "not_png": _l("This is not a signature drawn here. Clear the box and sign again."),
    "too_big": _l("This signature is too large (at most 200 KB). Clear the box and sign again."),
    "too_large": _l(
        "This signature is too large (at most 1200 × 600 pixels). Clear the box and sign again."
    ),
    "blank": _l("The box is empty. Sign in it with your finger."),
}


class Incomplete(Invalid):
    """Finishing with items neither rated nor marked not applicable: ``missing`` lists them."""

    def __init__(self, missing: list[Item]) -> None:
        super().__init__(
            _l("Rate every item, or mark it not applicable: %(count)d left.", count=len(missing)),
            "items",
        )
        self.missing = missing


@dataclass(frozen=True)
class ItemInput:
    """What the form sends for one item: its value, the "not applicable" box and a note."""

    value: str | None = None
    not_applicable: bool = False
    note: str | None = None


def items_of(checklist: Scheme) -> dict[str, Item]:
    """What an inspection rates, by key: items, and sections rated as a whole."""
    return {item.key: item for item in rating_values.rated_items(checklist)}


# -- planning ---------------------------------------------------------------------------------


def _text(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(_l("At most %(n)s characters.", n=limit), field)
    return text or None


def check_plan(
    session: Session,
    *,
    scheme_id: int | None,
    unit_id: int | None,
    on: dt.date | None,
    method: str,
    inspector_id: int | None,
    today: dt.date,
    date_field: str = "planned_on",
) -> tuple[int | None, Problems]:
    """The checklist's current version id, and the problems of a plan (an inspection's or a
    schedule's)."""
    problems = Problems()
    version_id = current_version(session, scheme_id) if scheme_id is not None else None
    if version_id is None:
        problems.add("scheme_id", _l("Choose a published checklist."))
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None or unit.archived_at is not None:
        problems.add("unit_id", _l("Choose the unit to inspect."))
    if on is None:
        problems.add(date_field, _l("Give a date such as 2026-10-10."))
    elif abs((on - today).days) > PLAN_WITHIN_DAYS:
        problems.add(date_field, _l("Give a date within a year of today."))
    if method not in set(InspectionMethod):
        problems.add("method", _l("Choose how the inspection is made."))
    if not is_inspector(session, inspector_id):
        problems.add("inspector_id", _l("Choose an inspector."))
    return version_id, problems


def plan(
    session: Session,
    actor: Actor,
    *,
    scheme_id: int | None,
    unit_id: int | None,
    planned_on: dt.date | None,
    method: str,
    unannounced: bool,
    inspector_id: int | None,
    today: dt.date,
) -> Inspection:
    """An ad hoc inspection."""
    actor.require("inspections.plan")
    version_id, problems = check_plan(
        session,
        scheme_id=scheme_id,
        unit_id=unit_id,
        on=planned_on,
        method=method,
        inspector_id=inspector_id,
        today=today,
    )
    problems.raise_any()
    inspection = Inspection(
        version_id=version_id,
        unit_id=unit_id,
        method=method,
        unannounced=unannounced or method == InspectionMethod.MYSTERY,
        planned_on=planned_on,
        inspector_id=inspector_id,
        status=InspectionStatus.PLANNED,
        created_by=actor.user_id,
    )
    session.add(inspection)
    session.flush()
    record(
        session,
        actor.email,
        "inspection.plan",
        "inspection",
        inspection.id,
        None,
        shown(inspection),
    )
    return inspection


def shown(inspection: Inspection) -> dict[str, Any]:
    """What the audit log says about a planned inspection."""
    return {
        "unit_id": inspection.unit_id,
        "version_id": inspection.version_id,
        "method": inspection.method,
        "unannounced": inspection.unannounced,
        "planned_on": inspection.planned_on.isoformat(),
        "inspector_id": inspection.inspector_id,
        "schedule_id": inspection.schedule_id,
    }


def cancel(session: Session, actor: Actor, inspection: Inspection, reason: str | None) -> None:
    actor.require("inspections.plan")
    if inspection.status not in OPEN_STATUSES:
        raise Refused(_l("Only a planned inspection, or one in progress, can be cancelled."))
    reason = _text(reason, TEXT_LIMIT, "reason")
    if not reason:
        raise Invalid(_l("Say why the inspection is cancelled."), "reason")
    before = {"status": inspection.status}
    inspection.status, inspection.cancelled_reason = InspectionStatus.CANCELLED, reason
    after = {"status": inspection.status, "cancelled_reason": reason}
    record(session, actor.email, "inspection.cancel", "inspection", inspection.id, before, after)


# -- running ----------------------------------------------------------------------------------


def require_runnable(actor: Actor, inspection: Inspection) -> None:
    """Refuse a change the actor may not make to this inspection now, saying why."""
    if inspection.status == InspectionStatus.DONE:
        raise Refused(_l("This inspection is done: it can be read, not changed."))
    if inspection.status == InspectionStatus.CANCELLED:
        raise Refused(_l("This inspection was cancelled: it can be read, not changed."))
    if not may_run(actor, inspection):
        raise Refused(_l("Only the inspector assigned to this inspection may carry it out."))


def _started(session: Session, actor: Actor, inspection: Inspection) -> None:
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status, inspection.started_at = InspectionStatus.IN_PROGRESS, utcnow()
        record(
            session,
            actor.email,
            "inspection.start",
            "inspection",
            inspection.id,
            {"status": InspectionStatus.PLANNED.value},
            {"status": InspectionStatus.IN_PROGRESS.value},
        )


def parse_item(item: Item, given: ItemInput) -> tuple[Any, str | None]:
    """(stored value, note) of one item; the value is None when left empty. Raises Invalid
    (field = the item's key, or ``note.<key>`` for the note)."""
    if given.not_applicable or (given.value or "").strip() == NOT_APPLICABLE:
        value: Any = NOT_APPLICABLE
    else:
        value = rating_values.parse(item, given.value)
    note = _text(given.note, TEXT_LIMIT, f"note.{item.key}")
    return value, note


def _store(inspection: Inspection, key: str, value: Any, note: str | None, *, with_note: bool):
    values = {k: v for k, v in inspection.values.items() if k != key}
    if value is not None:
        values[key] = value
    inspection.values = values  # a new dict: SQLAlchemy sees the JSONB change
    if with_note:
        notes = {k: v for k, v in inspection.notes.items() if k != key}
        if note:
            notes[key] = note
        inspection.notes = notes


def save_item(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    key: str,
    given: ItemInput,
    *,
    with_note: bool = True,
) -> Any:
    """Store one item's value and note (the caller holds the row locked); returns the value
    stored. An empty value clears it; a note left out of the form (``with_note`` false)
    stays as it was."""
    require_runnable(actor, inspection)
    item = items_of(checklist).get(key)
    if item is None:
        raise Invalid(_l("This checklist has no such item."), key)
    value, note = parse_item(item, given)
    _store(inspection, key, value, note, with_note=with_note)
    _started(session, actor, inspection)
    return value


def save_all(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    given: Mapping[str, ItemInput],
    notes_sent: bool = True,
) -> None:
    """Store every item the form sent: all of them, or none (``Invalid`` with every problem)."""
    require_runnable(actor, inspection)
    items = items_of(checklist)
    parsed: dict[str, tuple[Any, str | None]] = {}
    problems = Problems()
    for key, one in given.items():
        if key in items:
            found = problems.check(parse_item, items[key], one)
            if found is not None:
                parsed[key] = found
    problems.raise_any()
    for key, (value, note) in parsed.items():
        _store(inspection, key, value, note, with_note=notes_sent)
    if parsed:
        _started(session, actor, inspection)


def add_photo(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    slot: str,
    data: bytes,
    name: str | None,
) -> Attachment:
    """A photo of one item; raises ``Unacceptable`` for a file Kaohe does not keep."""
    require_runnable(actor, inspection)
    if slot not in items_of(checklist):
        raise Invalid(_l("This checklist has no such item."), "slot")
    kept = attachments.add(
        session, actor, AttachmentOwner.INSPECTION, inspection.id, data, name, slot
    )
    _started(session, actor, inspection)
    return kept


def remove_photo(
    session: Session, actor: Actor, inspection: Inspection, attachment_id: int
) -> str | None:
    """Drop one of the inspection's photos while it runs; returns its item key, or None when
    the inspection has no such photo."""
    require_runnable(actor, inspection)
    photo = session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id,
            Attachment.owner == AttachmentOwner.INSPECTION,
            Attachment.owner_id == inspection.id,
        )
    )
    if photo is None:
        return None
    slot = photo.slot
    attachments.remove(session, photo)
    return slot


# -- finishing --------------------------------------------------------------------------------


def missing(checklist: Scheme, values: Mapping[str, Any]) -> list[Item]:
    """The items neither rated nor marked not applicable, in checklist order."""
    return [item for item in items_of(checklist).values() if values.get(item.key) is None]


def _signature(problems: Problems, field: str, posted: str | None) -> bytes | None:
    try:
        return signatures.read(posted)
    except signatures.BadSignature as bad:
        problems.add(field, SIGNATURE_MESSAGES[bad.code])
        return None


def finish(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    *,
    inspector_signature: str | None,
    onsite_signature: str | None,
    onsite_name: str | None,
    today: dt.date,
) -> None:
    """Score, sign and close the inspection, and set off its consequences (one transaction)."""
    require_runnable(actor, inspection)
    left = missing(checklist, inspection.values)
    if left:
        raise Incomplete(left)
    problems = Problems()
    name = problems.check(_text, onsite_name, NAME_LIMIT, "onsite_name")
    if not name and "onsite_name" not in problems.errors:
        problems.add("onsite_name", _l("Give the name of the person who signs on site."))
    inspector_png = _signature(problems, "inspector_signature", inspector_signature)
    onsite_png = _signature(problems, "onsite_signature", onsite_signature)
    problems.raise_any()
    try:
        scored = score(checklist, inspection.values, inspection.planned_on)
    except NothingApplies:
        raise Invalid(_l("At least one item must apply."), "items") from None
    before = {"status": inspection.status}
    inspection.score, inspection.breakdown = scored.score, scored.breakdown
    inspection.inspector_signature, inspection.onsite_signature = inspector_png, onsite_png
    inspection.onsite_name = name
    inspection.started_at = inspection.started_at or utcnow()
    inspection.status, inspection.done_at = InspectionStatus.DONE, utcnow()
    session.flush()
    after = {
        "status": inspection.status,
        "score": str(scored.score),
        "band": scored.band,
        "failed": len(scored.breakdown["failed"]),
        "not_applicable": len(scored.breakdown["not_applicable"]),
        "onsite_name": name,
    }
    record(session, actor.email, "inspection.finish", "inspection", inspection.id, before, after)
    after_inspection(session, actor, inspection, checklist, today)
