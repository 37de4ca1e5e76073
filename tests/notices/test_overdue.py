"""Overdue with a fixed clock, and overdue notices as ledger events (record_overdue, the
daily sweep over every tenant, and the start of a scoring run)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from saas.ledger import service as ledger
from saas.models.audit import AuditEntry
from saas.models.inspection import RectificationNotice
from saas.models.ledger import LedgerEntry
from saas.notices import service
from saas.notices.overdue import is_overdue, late_clause, on_time_clause, record_overdue, sweep
from saas.schemes import versions
from tests.notices.conftest import DAY, EVENT, checklist

DEADLINE = DAY + dt.timedelta(days=7)  # 2026-09-08
ZONE = "Asia/Shanghai"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock on ``day`` in Shanghai, as a UTC moment."""
    local = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE))
    return local.astimezone(dt.UTC)


def _late(session, notice) -> bool:
    return bool(
        session.scalar(select(late_clause(ZONE)).where(RectificationNotice.id == notice.id))
    )


def _on_time(session, notice) -> bool:
    return bool(
        session.scalar(select(on_time_clause(ZONE)).where(RectificationNotice.id == notice.id))
    )


def test_overdue_is_open_after_the_deadline(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _x) = site.inspect(session)
        assert not is_overdue(notice, DEADLINE)  # due today: not yet
        assert is_overdue(notice, DEADLINE + dt.timedelta(days=1))


def test_an_answer_by_the_deadline_stops_the_clock(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _x) = site.inspect(session)
        manager = site.actor(session, "manager")
        # 23:30 on the deadline in Shanghai is 15:30 UTC the same day: in time.
        service.answer(session, manager, notice.id, "done", now=_at(DEADLINE, 23))
        assert not is_overdue(notice, DEADLINE + dt.timedelta(days=30))
        assert not _late(session, notice)
        inspector = site.actor(session, "inspector")
        service.verify(session, inspector, notice.id, "accept", None, now=_at(DEADLINE, 23))
        assert _on_time(session, notice) and not _late(session, notice)


def test_an_answer_after_the_deadline_is_late(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _x) = site.inspect(session)
        manager = site.actor(session, "manager")
        # 01:00 the day after, in Shanghai (17:00 UTC on the deadline itself): late.
        service.answer(
            session, manager, notice.id, "done", now=_at(DEADLINE + dt.timedelta(days=1), 1)
        )
        assert _late(session, notice)
        service.verify(session, site.actor(session, "inspector"), notice.id, "accept", None)
        assert _late(session, notice) and not _on_time(session, notice)


def test_an_answer_sent_back_after_the_deadline_is_overdue_at_once(db, site):
    with db.tenant(site.schema) as session:
        _, (notice,) = site.inspect(session, values={"HY-1.1": 0})
        service.answer(session, site.actor(session, "manager"), notice.id, "x", now=_at(DAY))
        after = DEADLINE + dt.timedelta(days=2)
        inspector = site.actor(session, "inspector")
        service.verify(session, inspector, notice.id, "reject", "not clean", now=_at(after))
        assert is_overdue(notice, after)
        made = record_overdue(session, site.admin(), after, zone=ZONE)
        assert [entry.notice_id for entry in made] == [notice.id]


def test_record_overdue_makes_one_entry_per_overdue_notice(db, site):
    with db.tenant(site.schema) as session:
        inspection, (gc, gc2) = site.inspect(session)
        _, (ba, ba2) = site.inspect(session, unit="WB-BA")
        service.answer(session, site.actor(session, "manager"), gc2.id, "ok", now=_at(DAY))
        assert record_overdue(session, site.admin(), DEADLINE, zone=ZONE) == []
        today = DEADLINE + dt.timedelta(days=3)
        made = record_overdue(session, site.admin(), today, zone=ZONE)
        assert sorted(e.notice_id for e in made) == sorted([gc.id, ba.id, ba2.id])
        by_notice = {e.notice_id: e for e in made}
        entry = by_notice[gc.id]
        assert (entry.kind, entry.source, entry.event) == ("unit", "inspection", EVENT)
        assert entry.unit_id == site.org.ids["GC-SD"]
        assert entry.inspection_id == inspection.id
        assert entry.on == DEADLINE + dt.timedelta(days=1)
        assert entry.validity is None and entry.note.startswith(gc.serial)
        assert by_notice[ba.id].kind == "provider"
        # Again: nothing more, also after the entry is withdrawn.
        assert record_overdue(session, site.admin(), today, zone=ZONE) == []
        ledger.withdraw(session, site.admin(), entry.id, "检查员确认已延期")
        later = today + dt.timedelta(days=30)
        assert record_overdue(session, site.admin(), later, zone=ZONE) == []
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 3
        marks = session.scalar(select(func.count()).where(AuditEntry.action == "notice.overdue"))
        assert marks == 3


def test_a_late_answer_the_sweep_did_not_see_still_becomes_an_entry(db, site):
    with db.tenant(site.schema) as session:
        _, (notice,) = site.inspect(session, values={"HY-1.1": 0})
        late = DEADLINE + dt.timedelta(days=1)
        service.answer(session, site.actor(session, "manager"), notice.id, "x", now=_at(late))
        made = record_overdue(session, site.admin(), late + dt.timedelta(days=1), zone=ZONE)
        assert [e.notice_id for e in made] == [notice.id]


def test_a_checklist_without_an_overdue_event_makes_no_entry(db, site):
    with db.tenant(site.schema) as session:
        plain = versions.create_scheme(session, site.admin(), checklist(event=None))
        versions.publish(session, site.admin(), plain)
        site.inspect(session, version_id=plain.id)
        today = DEADLINE + dt.timedelta(days=3)
        assert record_overdue(session, site.admin(), today, zone=ZONE) == []


def test_the_daily_sweep_covers_every_tenant_with_its_own_today(db, site, make_tenant):
    from tests.notices.conftest import make_site

    other = make_site(db, make_tenant)
    for place in (site, other):
        with db.tenant(place.schema) as session:
            place.inspect(session, values={"HY-1.1": 0})
    # 23:00 UTC on the deadline is already the next day in Shanghai: overdue there.
    swept = {s.slug: s for s in sweep(db, now=dt.datetime(2026, 9, 8, 15, 0, tzinfo=dt.UTC))}
    assert swept[site.slug].entries == 0 and swept[other.slug].entries == 0
    swept = {s.slug: s for s in sweep(db, now=dt.datetime(2026, 9, 8, 16, 30, tzinfo=dt.UTC))}
    assert swept[site.slug].entries == 1 and swept[other.slug].entries == 1
    assert swept[site.slug].error is None
    swept = {s.slug: s for s in sweep(db, now=dt.datetime(2026, 9, 20, tzinfo=dt.UTC))}
    assert swept[site.slug].entries == 0


def test_starting_a_scoring_run_first_records_overdue_notices(app, db, site):
    from tests.conftest import csrf_token, login
    from tests.cycles.factory import make_cycle

    with db.tenant(site.schema) as session:
        # Raised a month ago, so overdue by the tenant's real today.
        past = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30)
        _, (notice,) = site.inspect(session, values={"HY-1.1": 0}, today=past)
        cycle = make_cycle(session, site.version_id, period="2026-09", status="scoring")
    client = app.test_client()
    login(client, site.org.tenant)
    url = f"/t/{site.slug}/cycles/{cycle.id}/runs"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 303
    with db.tenant(site.schema) as session:
        entries = session.scalars(select(LedgerEntry)).all()
        assert [(e.notice_id, e.event, e.source) for e in entries] == [
            (notice.id, EVENT, "inspection")
        ]


def test_kaohe_notices_sweep_from_the_command_line(db, site, settings, monkeypatch):
    from click.testing import CliRunner

    from saas.cli import main

    with db.tenant(site.schema) as session:
        _, (notice,) = site.inspect(session, values={"HY-1.1": 0})  # long overdue by now
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("KAOHE_INSTANCE", str(settings.instance))
    # Every tenant of the test database is swept; other tests' tenants (some deliberately
    # broken or half-migrated) may fail and set the exit code, so only this one is read.
    done = CliRunner().invoke(main, ["notices", "sweep"])
    assert f"{site.slug}: 1 overdue notice(s) entered in the ledger" in done.output, done.output
    again = CliRunner().invoke(main, ["notices", "sweep"])
    assert site.slug not in again.output
    with db.tenant(site.schema) as session:
        assert session.scalars(select(LedgerEntry.notice_id)).all() == [notice.id]
