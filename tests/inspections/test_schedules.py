"""Schedules plan their inspections when their date comes: once per date however often and
from wherever materialising runs (the list, the cron command, two at once), one inspection on
the latest missed date, none from an ended schedule or before the date."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from saas.inspections import schedules
from saas.inspections.schedules import latest_due, step
from saas.models.audit import AuditEntry
from saas.models.inspection import Inspection, InspectionSchedule
from saas.validation import Invalid
from tests.inspections.conftest import TODAY


def _schedule(db, site, every: str = "week", first: dt.date = TODAY, **more) -> int:
    with db.tenant(site.schema) as session:
        return schedules.add(
            session,
            site.admin(),
            scheme_id=site.cleaning,
            unit_id=site.unit(more.pop("unit", "WB-LH")),
            every=every,
            next_on=first,
            method=more.pop("method", "inspection"),
            unannounced=more.pop("unannounced", False),
            inspector_id=site.users["inspector"],
            today=TODAY,
        ).id


def _planned(db, site) -> list[tuple]:
    with db.tenant(site.schema) as session:
        return session.execute(
            select(Inspection.schedule_id, Inspection.planned_on, Inspection.status).order_by(
                Inspection.planned_on, Inspection.id
            )
        ).all()


def _materialise(db, site, today: dt.date) -> int:
    with db.tenant(site.schema) as session:
        return len(schedules.materialise(session, today))


def test_the_next_date_of_a_schedule():
    assert step(dt.date(2026, 12, 28), "month") == dt.date(2027, 1, 28)
    assert step(dt.date(2026, 1, 31), "week") == dt.date(2026, 2, 7)
    assert latest_due(dt.date(2026, 1, 5), "week", dt.date(2026, 3, 1)) == dt.date(2026, 2, 23)
    assert latest_due(dt.date(2026, 1, 20), "month", dt.date(2026, 5, 19)) == dt.date(2026, 4, 20)
    assert latest_due(dt.date(2026, 1, 20), "month", dt.date(2026, 1, 20)) == dt.date(2026, 1, 20)


def test_a_schedule_plans_each_date_once(db, site):
    weekly = _schedule(db, site, "week")
    monthly = _schedule(db, site, "month", TODAY + dt.timedelta(days=3), unit="GC")
    assert _materialise(db, site, TODAY - dt.timedelta(days=1)) == 0  # not yet
    assert _materialise(db, site, TODAY) == 1
    assert _materialise(db, site, TODAY) == 0  # idempotent
    assert _materialise(db, site, TODAY + dt.timedelta(days=3)) == 1  # the monthly one
    assert _planned(db, site) == [
        (weekly, TODAY, "planned"),
        (monthly, TODAY + dt.timedelta(days=3), "planned"),
    ]
    # Three weeks nobody looked: one inspection, on the latest date; the schedule moves on.
    assert _materialise(db, site, TODAY + dt.timedelta(days=22)) == 1
    assert _planned(db, site)[-1] == (weekly, TODAY + dt.timedelta(days=21), "planned")
    with db.tenant(site.schema) as session:
        found = session.get(InspectionSchedule, weekly)
        assert found.next_on == TODAY + dt.timedelta(days=28)
        rows = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "inspection_schedule.materialise")
        ).all()
        assert rows == ["kaohe:schedule"] * 3


def test_an_ended_schedule_plans_nothing(db, site):
    schedule_id = _schedule(db, site)
    with db.tenant(site.schema) as session:
        schedules.end(session, site.admin(), session.get(InspectionSchedule, schedule_id))
    assert _materialise(db, site, TODAY + dt.timedelta(days=30)) == 0


def test_two_at_once_plan_once(db, site):
    _schedule(db, site)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def one() -> None:
        barrier.wait()
        results.append(_materialise(db, site, TODAY))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert len(_planned(db, site)) == 1


def test_a_schedule_checks_its_fields(db, site):
    with pytest.raises(Invalid) as refused:
        _schedule(db, site, "month", TODAY.replace(day=30) + dt.timedelta(days=31))
    assert "next_on" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        _schedule(db, site, "fortnight")
    assert "every" in refused.value.errors
    mystery = _schedule(db, site, method="mystery")
    with db.tenant(site.schema) as session:
        assert session.get(InspectionSchedule, mystery).unannounced is True


def test_the_list_and_the_cron_command_materialise(client, db, settings, site, monkeypatch):
    _schedule(db, site, "week", dt.date.today(), unit="GC")
    _schedule(db, site, "week", dt.date.today(), unit="BJ")
    site.log_in(client, "admin")
    assert "工程维修部" in client.get(site.url()).get_data(as_text=True)
    assert len(_planned(db, site)) == 2  # both were due today
    with db.tenant(site.schema) as session:  # as if a week had passed
        session.execute(InspectionSchedule.__table__.update().values(next_on=dt.date.today()))
    from saas.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    result = CliRunner().invoke(main, ["inspections", "plan", "--tenant", site.slug])
    assert result.exit_code == 0, result.output
    assert f"{site.slug}: 2 inspection(s) planned" in result.output
    again = CliRunner().invoke(main, ["inspections", "plan", "--tenant", site.slug])
    assert "0 inspection(s) planned in 1 tenant(s)." in again.output
    with db.tenant(site.schema) as session:
        assert session.scalar(select(func.count()).select_from(Inspection)) == 4
