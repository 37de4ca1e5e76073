"""Inspection findings as ledger events: what a failed item costs reaches a score through the
assessed scheme's rules (docs/scoring-runs.md, "What a run reads").

A checklist's ``inspection`` block names the events: ``failed_critical_event`` for a failed
critical item (一票否决项), ``failed_item_event`` for any other failed item (and for a critical
one when no critical event is set). Each failed item gets one ledger entry about the inspected
unit (kind ``provider`` for a provider, else ``unit``), dated the day the inspection was done,
with the inspection and the item as its evidence. The entry goes through the ledger's own
``add_entry``, so its validity (pending when the rule needs a decision) and its audit row are
those of any entry; the rule that prices it is the assessed scheme's.

Nothing is recorded for an event no published scheme has a rule for (the ledger takes only
events of published rules; such an entry could never count), nor for an archived unit.
Finishing an inspection again never adds an entry twice: an item that already has its entry
(even one withdrawn since) gets none.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.inspections.findings import Finding
from saas.ledger.service import NOTE_LIMIT, add_entry, published_rules
from saas.models.inspection import Inspection
from saas.models.ledger import EntrySource, LedgerEntry
from saas.models.org import OrgUnit
from saas.scoring.scheme import InspectionSettings, Scheme

# Kaohe's default tenant time zone (tenants/provisioning.py), for a caller that gives no date.
DEFAULT_ZONE = "Asia/Shanghai"


def done_on(inspection: Inspection, zone: str = DEFAULT_ZONE) -> dt.date:
    """The tenant's date on which the inspection was done."""
    done = inspection.done_at or dt.datetime.now(dt.UTC)
    return done.astimezone(ZoneInfo(zone)).date()


def event_of(settings: InspectionSettings, finding: Finding) -> str | None:
    """The ledger event a failed item is recorded as, or None when the checklist names none."""
    if finding.critical and settings.failed_critical_event:
        return settings.failed_critical_event
    return settings.failed_item_event


def record_failures(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    findings: list[Finding],
    *,
    on: dt.date | None = None,
) -> list[LedgerEntry]:
    """One ledger entry per failed item whose event the checklist names; ``on`` is the
    tenant's date of the finish (the done date; without it, done_at's date in Kaohe's default
    zone). Returns the entries added now (none for items recorded before)."""
    settings = checklist.inspection
    wanted = [] if settings is None else [(f, event_of(settings, f)) for f in findings]
    wanted = [(finding, event) for finding, event in wanted if event]
    if not wanted:
        return []
    # Two finishes of one inspection queue up here, so the second sees the first's entries.
    session.execute(select(Inspection.id).where(Inspection.id == inspection.id).with_for_update())
    unit = session.get(OrgUnit, inspection.unit_id)
    if unit is None or unit.archived_at is not None:
        return []
    recorded = set(
        session.scalars(
            select(LedgerEntry.item_key).where(
                LedgerEntry.inspection_id == inspection.id, LedgerEntry.notice_id.is_(None)
            )
        )
    )
    rules = published_rules(session)
    # The entries are the finish's consequence, not a ledger entry the inspector types: they
    # are written with the ledger's reach (a committee member may inspect without
    # ``ledger.enter``), and the audit names whoever finished the inspection.
    writer = Actor.system(actor.email, user_id=actor.user_id)
    day = on or done_on(inspection)
    added = []
    for finding, event in wanted:
        if finding.key in recorded or event not in rules:
            continue
        entry = add_entry(
            session,
            writer,
            unit_id=unit.id,
            on=day,
            event=event,
            note=_note(checklist, finding),
            source=EntrySource.INSPECTION,
        )
        entry.inspection_id, entry.item_key = inspection.id, finding.key
        recorded.add(finding.key)
        added.append(entry)
    session.flush()
    return added


def _note(checklist: Scheme, finding: Finding) -> str:
    """The item named as the checklist words it (in the checklist's language, as stored)."""
    return f"{checklist.name}: {finding.key} {finding.text}"[:NOTE_LIMIT]
