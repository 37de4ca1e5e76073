"""Cycles: creating one from a published version and a period of its cadence, and the
stages it moves through — every allowed move and every refused one."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.cycles import service
from saas.models.audit import AuditEntry
from saas.models.cycle import Cycle, CycleStatus, CycleSubject, ScoringRun
from saas.validation import Invalid

S = CycleStatus
ALLOWED = {(S.DRAFT, S.OPEN), (S.OPEN, S.SCORING), (S.SCORING, S.OPEN), (S.SCORING, S.REVIEW)}


def test_a_cycle_is_created_as_a_draft_with_its_subjects(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session, rating_due=None)
        assert (cycle.status, cycle.period, cycle.subject_kind) == ("draft", "2026-Q3", "employee")
        assert str(cycle.period_start) == "2026-07-01" and str(cycle.period_end) == "2026-09-30"
        assert cycle.name == "全来源 2026-Q3"
        count = session.scalar(
            select(CycleSubject.id).where(CycleSubject.cycle_id == cycle.id).limit(1)
        )
        assert count is not None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == str(cycle.id))
        ).all()
        assert {"cycle.created", "cycle.subjects_chosen"} <= set(actions)


@pytest.mark.parametrize(
    ("version", "good", "bad"),
    [("all", "2026-Q3", "2026-07"), ("units", "2026-07", "2026-Q3"), ("all", "2026-Q4", "2026")],
)
def test_the_period_must_be_of_the_scheme_s_cadence(db, shop, version, good, bad):
    with db.tenant(shop.schema) as session:
        with pytest.raises(Invalid) as refused:
            shop.new_cycle(session, version, period=bad)
        assert refused.value.field == "period"
        assert "This scheme assesses per" in str(refused.value.errors["period"][0])
        assert shop.new_cycle(session, version, period=good).period == good


def test_creating_refuses_bad_input_all_at_once(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        with pytest.raises(Invalid) as refused:
            service.create_cycle(
                session, admin, version_id=None, period="Q3", name="x" * 121, peer_count=99
            )
        assert set(refused.value.errors) == {"version_id", "period", "name", "peer_count"}
        shop.new_cycle(session)
        with pytest.raises(Invalid) as twice:
            shop.new_cycle(session)
        assert "already has a cycle" in str(twice.value.errors["period"][0])


def test_only_a_cycle_manager_creates_or_moves(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        for name in ("gc", "cm", "li"):
            with pytest.raises(Refused):
                service.create_cycle(
                    session,
                    shop.actor(session, name),
                    version_id=cycle.scheme_version_id,
                    period="2026-Q4",
                )
            with pytest.raises(Refused):
                service.move(session, shop.actor(session, name), cycle, S.OPEN)


def _finished_run(session, cycle: Cycle) -> None:
    session.add(ScoringRun(cycle_id=cycle.id, number=1, status="finished"))
    session.flush()


def test_every_move_is_allowed_or_refused_as_the_table_says(db, shop):
    """Every (stage, stage) pair, each on a cycle of its own (one per quarter)."""
    pairs = list(itertools.product(list(S), list(S)))
    quarters = [f"{year}-Q{q}" for year in range(2020, 2030) for q in range(1, 5)]
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        for (start, to), period in zip(pairs, quarters, strict=False):
            cycle = shop.new_cycle(session, period=period)
            cycle.status = start
            session.flush()
            _check_move(session, admin, cycle, start, to)


def _check_move(session, admin, cycle, start, to) -> None:
    where = f"{start} → {to}"
    if (start, to) == (S.SCORING, S.REVIEW):
        with pytest.raises(Refused) as no_run:
            service.move(session, admin, cycle, to)
        assert "finished scoring run" in str(no_run.value), where
        _finished_run(session, cycle)
    if (start, to) == (S.SCORING, S.OPEN):
        with pytest.raises(Invalid) as no_reason:
            service.move(session, admin, cycle, to, "  ")
        assert no_reason.value.field == "reason", where
    if (start, to) in ALLOWED:
        service.move(session, admin, cycle, to, reason="复核评分")
        assert cycle.status == to, where
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "cycle.moved", AuditEntry.record_id == str(cycle.id))
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry.before == {"status": start} and entry.after["status"] == to, where
        return
    with pytest.raises(Refused) as refused:
        service.move(session, admin, cycle, to)
    assert cycle.status == start, where
    message = str(refused.value)
    allowed = service.allowed_moves(cycle)
    if allowed:
        assert "can only move to" in message, where
        for stage in allowed:
            assert str(service.STATUS_LABELS[stage]) in message, where
    else:
        assert "cannot move to another stage" in message, where


def test_an_unknown_stage_is_invalid(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        with pytest.raises(Invalid):
            service.move(session, shop.actor(session), cycle, "nowhere")


def test_a_cycle_without_subjects_does_not_open(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        for subject in session.scalars(
            select(CycleSubject).where(CycleSubject.cycle_id == cycle.id)
        ):
            subject.included = False
        session.flush()
        with pytest.raises(Refused) as refused:
            service.move(session, shop.actor(session), cycle, S.OPEN)
        assert "no subjects" in str(refused.value)


def test_allowed_moves_are_the_page_s_buttons(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        assert service.allowed_moves(cycle) == (S.OPEN,)
        cycle.status = S.SCORING
        assert service.allowed_moves(cycle) == (S.OPEN, S.REVIEW)
        cycle.status = S.REVIEW
        assert service.allowed_moves(cycle) == ()


def test_settings_change_with_every_bad_field_named(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session, rating_due=dt.date(2026, 10, 10))
        with pytest.raises(Invalid) as bad:
            service.change_settings(
                session, admin, cycle, name=" ", rating_due=dt.date(2026, 6, 30), peer_count=21
            )
        assert set(bad.value.errors) == {"name", "rating_due", "peer_count"}
        for name, peers in (("x" * 121, 3), ("Q3", -1), ("Q3", None)):
            with pytest.raises(Invalid):
                service.change_settings(
                    session, admin, cycle, name=name, rating_due=None, peer_count=peers
                )
        assert cycle.name == "全来源 2026-Q3" and cycle.peer_count == 2
        for name in ("gc", "cm", "li"):
            with pytest.raises(Refused):
                service.change_settings(
                    session,
                    shop.actor(session, name),
                    cycle,
                    name="x",
                    rating_due=None,
                    peer_count=1,
                )
        # The period's first day is the earliest due date; none at all is allowed too.
        assert service.change_settings(
            session,
            admin,
            cycle,
            name="  三季度  考核 ",
            rating_due=dt.date(2026, 7, 1),
            peer_count=0,
        )
        assert (cycle.name, cycle.rating_due, cycle.peer_count) == (
            "三季度 考核",
            dt.date(2026, 7, 1),
            0,
        )
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "cycle.changed"))
        assert entry.before == {
            "name": "全来源 2026-Q3",
            "rating_due": "2026-10-10",
            "peer_count": 2,
        }
        assert entry.after == {"name": "三季度 考核", "rating_due": "2026-07-01", "peer_count": 0}
        # Saving the same values changes nothing and writes nothing.
        assert not service.change_settings(
            session, admin, cycle, name="三季度 考核", rating_due=dt.date(2026, 7, 1), peer_count=0
        )
        assert service.change_settings(
            session, admin, cycle, name="Q3", rating_due=None, peer_count=20
        )
        changed = session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.changed"))
        assert len(changed.all()) == 2


def test_settings_change_only_until_review(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        for n, status in enumerate((S.DRAFT, S.OPEN, S.SCORING, S.REVIEW, S.PUBLISHED, S.CLOSED)):
            cycle.status = status
            name = f"新名称 {n}"
            if status in service.SETTINGS_CHANGE:
                assert service.change_settings(
                    session, shop.actor(session), cycle, name=name, rating_due=None, peer_count=2
                )
                continue
            with pytest.raises(Refused) as refused:
                service.change_settings(
                    session, shop.actor(session), cycle, name=name, rating_due=None, peer_count=2
                )
            assert "keeps its settings" in str(refused.value)
            # A bad field is still named first, beside the field.
            with pytest.raises(Invalid):
                service.change_settings(
                    session, shop.actor(session), cycle, name="", rating_due=None, peer_count=2
                )
