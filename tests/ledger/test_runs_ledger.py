"""Ledger entries reaching a scoring run: what counts, the trace naming the entry, and an
entry added or decided after a run listed as a change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from saas.ledger import service as ledger
from saas.models.cycle import CycleResult
from saas.runs import service
from saas.runs.words import change_text
from tests.runs.conftest import SCHEME, make_ready
from tests.runs.helpers import score_now

RULES = [
    {"event": "praise", "label": "表扬信", "points": 2},
    {"event": "complaint", "label": "有效投诉", "needs_validity": True, "points": -3},
    {"event": "accident", "label": "责任事故", "disqualify": "this_period", "fine": 100},
    {"event": "badge_lost", "label": "遗失工牌", "disqualify": "next_period"},
]


def _ready(db, make_tenant):
    return make_ready(db, make_tenant, scheme={**SCHEME, "rules": RULES})


def _result(db, ready, subject_id: int) -> CycleResult:
    with db.tenant(ready.schema) as session:
        row = session.scalars(
            select(CycleResult)
            .where(CycleResult.cycle_subject_id == subject_id)
            .order_by(CycleResult.run_id.desc())
        ).first()
        session.expunge(row)
        return row


def _add(db, ready, employee: int, event: str, on: dt.date, **more) -> int:
    with db.tenant(ready.schema) as session:
        return ledger.add_entry(
            session, ready.actor(), employee_id=employee, on=on, event=event, **more
        ).id


def test_entries_count_by_their_rules_and_the_trace_names_them(db, make_tenant):
    ready = _ready(db, make_tenant)
    score_now(db, ready)
    plain = _result(db, ready, ready.subjects[0])
    praise = _add(db, ready, ready.employees[0], "praise", dt.date(2026, 8, 3))
    _add(db, ready, ready.employees[1], "accident", dt.date(2026, 9, 1))
    _add(db, ready, ready.employees[2], "badge_lost", dt.date(2026, 5, 20))  # last quarter
    _add(db, ready, ready.employees[3], "praise", dt.date(2026, 3, 1))  # too early: not read
    score_now(db, ready)
    first = _result(db, ready, ready.subjects[0])
    step = next(s for s in first.trace if s["step"] == "event")
    assert step["ref"] == f"ledger:{praise}" and step["event"] == "praise"
    assert Decimal(str(step["points"])) == 2 and first.final == plain.final + 2
    second = _result(db, ready, ready.subjects[1])
    assert second.disqualified and second.fines == Decimal(100)
    third = _result(db, ready, ready.subjects[2])
    assert third.disqualified  # a forward rule of the previous period
    fourth = _result(db, ready, ready.subjects[3])
    assert not any(s["step"].startswith("event") for s in fourth.trace)


def test_a_pending_complaint_counts_only_once_ruled_valid_and_changes_are_listed(db, make_tenant):
    ready = _ready(db, make_tenant)
    entry = _add(db, ready, ready.employees[0], "complaint", dt.date(2026, 8, 3))
    score_now(db, ready)
    pending = _result(db, ready, ready.subjects[0])
    assert [s["step"] for s in pending.trace if s["step"].startswith("event")] == ["event_pending"]
    with db.tenant(ready.schema) as session:
        latest = service.runs_of(session, ready.cycle_id)[0]
        cycle = service.find_cycle(session, ready.cycle_id)
        assert service.changes_since(session, cycle, latest) == []
        ledger.decide(session, ready.actor(), entry, "valid", "客户来电核实")
    with db.tenant(ready.schema) as session:
        changes = service.changes_since(session, cycle, latest)
    assert changes == [service.Change("ledger_changed", {"then": 1, "now": 1})]
    assert "(1 then, 1 now)" in change_text(changes[0])
    score_now(db, ready)
    valid = _result(db, ready, ready.subjects[0])
    assert valid.final < pending.final
    step = next(s for s in valid.trace if s["step"] == "event")
    assert step["ref"] == f"ledger:{entry}"
    # Withdrawn: read no more, and listed as a change again.
    with db.tenant(ready.schema) as session:
        ledger.withdraw(session, ready.actor(), entry, "录入错误")
    with db.tenant(ready.schema) as session:
        latest = service.runs_of(session, ready.cycle_id)[0]
        changes = service.changes_since(session, cycle, latest)
    assert changes == [service.Change("ledger_changed", {"then": 1, "now": 0})]
    score_now(db, ready)
    assert _result(db, ready, ready.subjects[0]).final == pending.final


def test_free_entries_do_not_reach_a_run(db, make_tenant):
    ready = _ready(db, make_tenant)
    score_now(db, ready)
    before = _result(db, ready, ready.subjects[0])
    with db.tenant(ready.schema) as session:
        ledger.add_entry(
            session,
            ready.actor(),
            employee_id=ready.employees[0],
            on=dt.date(2026, 8, 1),
            label="协助其他部门",
            points=Decimal(5),
        )
    score_now(db, ready)
    assert _result(db, ready, ready.subjects[0]).final == before.final
