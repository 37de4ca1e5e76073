"""Failed inspection items recorded as ledger events (saas/inspections/evidence.py): the event
the checklist names for a critical and for another item, none without a key, never twice,
and the entry's kind, date, evidence and audit row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from saas.auth.permissions import Actor
from saas.inspections.evidence import done_on, record_failures
from saas.inspections.findings import failed_items
from saas.ledger import service as ledger
from saas.models.audit import AuditEntry
from saas.models.inspection import Inspection
from saas.models.ledger import LedgerEntry
from saas.models.user import Role
from saas.org.access import Scope
from saas.scoring.scheme import InspectionSettings
from tests.runs.evidence_world import (
    CANTEEN,
    EVENTS,
    PROVIDER,
    World,
    add_inspection,
    checklist,
    full_marks,
    make_world,
)

DAY = dt.date(2026, 8, 3)


def failing(scheme) -> dict:
    """Full marks but HY-1.4 (1 of 3 points) and the critical HY-7.2 (water below 80 °C)."""
    return {**full_marks(scheme), "HY-1.4": "1", "HY-7.2": False, "HY-2.1": "n/a"}


def committee(world: World) -> Actor:
    """A committee member: may run inspections, holds no ``ledger.enter``."""
    scope = Scope(read_all=True, write_all=False, managed_paths=(), employee_id=None)
    return Actor(world.admin_id, "cm@evidence.example.com", frozenset({Role.COMMITTEE}), scope)


def finish(db, world: World, inspection_id: int, scheme=None, actor=None, on=DAY) -> list[tuple]:
    scheme = scheme or checklist()
    with db.tenant(world.schema) as session:
        inspection = session.get(Inspection, inspection_id)
        findings = failed_items(scheme, inspection.values)
        added = record_failures(
            session, actor or world.actor(), inspection, scheme, findings, on=on
        )
        return [(entry.item_key, entry.event) for entry in added]


def entries(db, world: World, inspection_id: int) -> list[LedgerEntry]:
    with db.tenant(world.schema) as session:
        found = list(
            session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.inspection_id == inspection_id)
                .order_by(LedgerEntry.id)
            )
        )
        session.expunge_all()
        return found


def test_a_critical_and_a_normal_failed_item_get_their_events(db, make_tenant):
    world = make_world(db, make_tenant)
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    added = finish(db, world, inspection, actor=committee(world))
    assert added == [("HY-1.4", "inspection_failed_item"), ("HY-7.2", "inspection_failed_critical")]
    found = entries(db, world, inspection)
    assert [(e.kind, e.unit_id, e.on, e.source) for e in found] == [
        ("unit", world.unit(CANTEEN), DAY, "inspection"),
    ] * 2
    assert all(e.validity is None and e.withdrawn_at is None for e in found)  # no decision
    assert found[0].note.startswith("员工餐厅卫生检查: HY-1.4 装饰物")
    assert found[0].entered_by == world.admin_id
    with db.tenant(world.schema) as session:
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "ledger.entry.add", AuditEntry.record_id == str(found[0].id)
            )
        ).all()
    assert [row.actor for row in audit] == ["cm@evidence.example.com"]


def test_a_provider_gets_provider_entries(db, make_tenant):
    world = make_world(db, make_tenant)
    inspection = add_inspection(db, world, PROVIDER, values=failing(checklist()))
    finish(db, world, inspection)
    assert {e.kind for e in entries(db, world, inspection)} == {"provider"}


def test_without_a_critical_event_a_critical_item_is_a_failed_item(db, make_tenant):
    only_items = InspectionSettings(failed_item_event="inspection_failed_item")
    world = make_world(db, make_tenant, settings=only_items)
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    added = finish(db, world, inspection, scheme=checklist(only_items))
    assert added == [("HY-1.4", "inspection_failed_item"), ("HY-7.2", "inspection_failed_item")]


def test_only_a_critical_event_records_only_critical_items(db, make_tenant):
    only_critical = InspectionSettings(failed_critical_event="inspection_failed_critical")
    world = make_world(db, make_tenant, settings=only_critical)
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    added = finish(db, world, inspection, scheme=checklist(only_critical))
    assert added == [("HY-7.2", "inspection_failed_critical")]


def test_no_event_keys_or_no_inspection_block_record_nothing(db, make_tenant):
    world = make_world(db, make_tenant, settings=InspectionSettings())
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    assert finish(db, world, inspection, scheme=checklist(InspectionSettings())) == []
    assert finish(db, world, inspection, scheme=checklist(None)) == []
    assert entries(db, world, inspection) == []


def test_an_event_no_published_scheme_prices_is_not_recorded(db, make_tenant):
    world = make_world(db, make_tenant)
    unknown = InspectionSettings(failed_item_event="no_such_event")
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    assert finish(db, world, inspection, scheme=checklist(unknown)) == []


def test_finishing_twice_never_doubles_entries(db, make_tenant):
    world = make_world(db, make_tenant)
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()))
    assert len(finish(db, world, inspection)) == 2
    assert finish(db, world, inspection) == []
    # A withdrawn entry was a decision about that finding: it is not recorded again either.
    first = entries(db, world, inspection)[0]
    with db.tenant(world.schema) as session:
        ledger.withdraw(session, world.actor(), first.id, "复查合格")
    assert finish(db, world, inspection) == []
    with db.tenant(world.schema) as session:
        count = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.inspection_id == inspection)
        )
    assert count == 2


def test_a_passed_inspection_records_nothing(db, make_tenant):
    world = make_world(db, make_tenant)
    inspection = add_inspection(db, world, CANTEEN, values=full_marks(checklist()))
    assert finish(db, world, inspection) == []


def test_the_date_defaults_to_the_tenant_day_it_was_done(db, make_tenant):
    world = make_world(db, make_tenant)
    late = dt.datetime(2026, 8, 3, 17, 30, tzinfo=dt.UTC)  # 01:30 on 4 August in Shanghai
    inspection = add_inspection(db, world, CANTEEN, values=failing(checklist()), done_at=late)
    finish(db, world, inspection, on=None)
    assert {e.on for e in entries(db, world, inspection)} == {dt.date(2026, 8, 4)}
    with db.tenant(world.schema) as session:
        found = session.get(Inspection, inspection)
        assert done_on(found, "UTC") == dt.date(2026, 8, 3)


def test_the_checklist_events_are_those_of_the_provider_template():
    from saas.schemes.templates import load_template

    rules = {rule.event: rule for rule in load_template("outsourced_provider").rules}
    for event in (
        EVENTS.failed_item_event,
        EVENTS.failed_critical_event,
        EVENTS.overdue_notice_event,
    ):
        assert event in rules and "points" in rules[event].defaulted
    assert [rules[e].points for e in sorted(rules)] == [-2, -1, -5]
