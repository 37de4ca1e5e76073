"""Progress per source and per unit, and who is late: counted right, and read in the same
number of statements at 5 and at 40 subjects."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from saas.auth.permissions import Actor
from saas.cycles import progress, raters, subjects
from saas.models.cycle import RatingSheet
from saas.models.org import OrgUnit
from saas.org.access import Scope
from saas.org.units import create_unit
from tests.org.conftest import add_employee

ADMIN = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)
AFTER_DUE = dt.date(2026, 10, 20)
BEFORE_DUE = dt.date(2026, 9, 1)


def _grow(session, shop, people: int, code: str) -> None:
    system = Actor.system("seed@cycles.example.com")
    unit = create_unit(
        session,
        system,
        session.get(OrgUnit, shop.units["BJ"]),
        name=f"班组{code}",
        code=code,
        kind="team",
    )
    for n in range(people):
        add_employee(session, unit.id, f"{code}-{n}", f"员工{code}{n}")


def _read_everything(session, cycle, scope, today) -> int:
    count = 0

    def counter(*_args) -> None:
        nonlocal count
        count += 1

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        progress.by_source(session, cycle, scope, today)
        progress.by_unit(session, cycle, scope, today)
        progress.late_raters(session, cycle, scope, today)
        subjects.subject_page(session, cycle, scope, "all")
        raters.sheet_page(session, cycle, scope)
        raters.rater_options(session, cycle, scope)
        progress.cycle_page(session, scope)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def _cycle(session, shop, period: str):
    admin = shop.actor(session)
    cycle = shop.new_cycle(session, period=period, rating_due=dt.date(2026, 10, 10))
    raters.generate(session, admin, cycle)
    # Every other sheet submitted.
    for n, sheet in enumerate(
        session.scalars(
            select(RatingSheet).where(RatingSheet.cycle_id == cycle.id).order_by(RatingSheet.id)
        )
    ):
        if n % 2 == 0:
            sheet.values, sheet.status = {"A": "10"}, "submitted"
            sheet.submitted_at = sheet.created_at
    session.flush()
    return cycle


def test_progress_reads_take_the_same_statements_at_5_and_at_40_subjects(db, shop):
    with db.tenant(shop.schema) as session:
        _grow(session, shop, 5, "S5")
        small = _cycle(session, shop, "2026-Q3")
        _grow(session, shop, 35, "S40")
        large = _cycle(session, shop, "2026-Q4")
        manager = shop.actor(session, "gc").scope
        for scope in (ADMIN, manager):
            at_small = _read_everything(session, small, scope, AFTER_DUE)
            at_large = _read_everything(session, large, scope, AFTER_DUE)
            assert at_small == at_large
        assert _read_everything(session, large, ADMIN, AFTER_DUE) <= 14


def test_expected_received_missing_and_late(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = _cycle(session, shop, "2026-Q3")
        sheets = session.scalars(select(RatingSheet).where(RatingSheet.cycle_id == cycle.id)).all()
        sources = {t.key: t for t in progress.by_source(session, cycle, ADMIN, AFTER_DUE)}
        total = progress.total(list(sources.values()))
        assert total.expected == len(sheets)
        assert total.received == sum(1 for s in sheets if s.status == "submitted")
        assert total.missing == total.late == total.expected - total.received
        assert set(sources) == {"self", "supervisor", "peer", "subordinate", "committee"}
        for tally in sources.values():
            assert tally.expected == sum(1 for s in sheets if s.source == tally.key)
        # Before the due date nobody is late.
        early = progress.total(progress.by_source(session, cycle, ADMIN, BEFORE_DUE))
        assert early.late == 0 and early.missing == total.missing
        assert progress.late_raters(session, cycle, ADMIN, BEFORE_DUE).total == 0
        late = progress.late_raters(session, cycle, ADMIN, AFTER_DUE)
        missing = {}
        for s in sheets:
            if s.status != "submitted":
                missing[s.rater_key] = missing.get(s.rater_key, 0) + 1
        assert {r.rater_key: r.missing for r in late.rows} == missing
        units = progress.by_unit(session, cycle, ADMIN, AFTER_DUE)
        assert sum(t.expected for t in units.rows) == total.expected
        assert [t.label for t in units.rows] == ["水电班组", "保洁部"]
        # A manager counts the subjects of their units only.
        gc = shop.actor(session, "gc").scope
        assert [t.label for t in progress.by_unit(session, cycle, gc, AFTER_DUE).rows] == [
            "水电班组"
        ]
