"""The notices service: raising (serials, owners, idempotence), every move allowed and
refused, deadlines, reach, with a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from saas.auth.permissions import Refused
from saas.models.audit import AuditEntry
from saas.models.inspection import RectificationNotice
from saas.notices import service
from saas.notices.service import TRANSITIONS
from saas.validation import Invalid
from tests.notices.conftest import DAY, FAILING

NOW = dt.datetime(2026, 9, 3, 2, 0, tzinfo=dt.UTC)


def _audit(session, notice_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.record_type == "rectification_notice",
                AuditEntry.record_id == str(notice_id),
            )
            .order_by(AuditEntry.id)
        )
    )


def test_a_finished_inspection_raises_one_notice_per_failed_item(db, site):
    with db.tenant(site.schema) as session:
        inspection, notices = site.inspect(session)
        assert [n.item_key for n in notices] == ["HY-1.1", "HY-2.1"]
        assert [n.serial for n in notices] == ["ZG-2026-000001", "ZG-2026-000002"]
        first = notices[0]
        # 水电班组 has no manager: the notice goes up to 工程维修部's manager.
        assert first.owner_id == site.users["manager"]
        assert first.deadline == DAY + dt.timedelta(days=7)
        assert first.status == "open" and first.rejections == 0
        assert first.what.startswith("大门干净") and first.what.endswith("大门把手有油污")
        assert _audit(session, first.id) == ["notice.raise"]
        # Finishing again (a retry) raises nothing more.
        again = service.raise_notices(
            session, site.actor(session, "inspector"), inspection, _scheme(session, site), [], DAY
        )
        assert again == []
        _, more = site.inspect(session)  # a second inspection numbers on
        assert [n.serial for n in more] == ["ZG-2026-000003", "ZG-2026-000004"]


def _scheme(session, site):
    from saas.models.scheme import SchemeVersion
    from saas.schemes.versions import definition

    return definition(session.get(SchemeVersion, site.version_id))


def test_raising_twice_for_the_same_items_is_idempotent(db, site):
    from saas.inspections.findings import failed_items

    with db.tenant(site.schema) as session:
        inspection, _notices = site.inspect(session)
        scheme = _scheme(session, site)
        actor = site.actor(session, "inspector")
        findings = failed_items(scheme, inspection.values)
        assert service.raise_notices(session, actor, inspection, scheme, findings, DAY) == []
        count = session.scalar(
            select(func.count()).where(RectificationNotice.inspection_id == inspection.id)
        )
        assert count == 2
        # A year on, the numbers start again.
        _, next_year = site.inspect(session, today=dt.date(2027, 1, 5))
        assert next_year[0].serial == "ZG-2027-000001"


def test_owners_provider_contact_and_nobody(db, site):
    with db.tenant(site.schema) as session:
        _, provider = site.inspect(session, unit="WB-BA")
        assert {n.owner_id for n in provider} == {site.users["provider"]}
        _, nobody = site.inspect(session, unit="CW")  # 财务部: no manager up the chain
        assert {n.owner_id for n in nobody} == {None}
        _, own = site.inspect(session, unit="ZH-XZ")
        assert {n.owner_id for n in own} == {site.users["other_manager"]}
        _, passed = site.inspect(session, values={"HY-1.1": 3, "HY-2.1": 3})
        assert passed == []


def test_the_transitions_table_is_the_whole_life():
    assert TRANSITIONS == {
        "open": {"answer": "answered"},
        "answered": {"accept": "accepted", "reject": "open"},
        "accepted": {},
    }


def test_answer_reject_answer_accept(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _other) = site.inspect(session)
        manager = site.actor(session, "manager")
        inspector = site.actor(session, "inspector")
        with pytest.raises(Invalid) as no_note:
            service.answer(session, manager, notice.id, "  ", now=NOW)
        assert no_note.value.field == "note"
        with pytest.raises(Refused, match="no answer to accept"):
            service.verify(session, inspector, notice.id, "accept", None, now=NOW)
        service.answer(session, manager, notice.id, "已清洁把手", now=NOW)
        assert (notice.status, notice.answered_by) == ("answered", site.users["manager"])
        with pytest.raises(Refused, match="cannot be answered"):
            service.answer(session, manager, notice.id, "again", now=NOW)
        with pytest.raises(Invalid) as no_reason:
            service.verify(session, inspector, notice.id, "reject", "", now=NOW)
        assert no_reason.value.field == "verify_note"
        with pytest.raises(Invalid) as no_choice:
            service.verify(session, inspector, notice.id, "maybe", "x", now=NOW)
        assert no_choice.value.field == "decision"
        service.verify(session, inspector, notice.id, "reject", "把手仍有油污", now=NOW)
        assert (notice.status, notice.rejections) == ("open", 1)
        assert service.round_slot(notice) == "answer-2"
        service.answer(session, manager, notice.id, "重新清洁", now=NOW)
        service.verify(session, inspector, notice.id, "accept", None, now=NOW)
        assert (notice.status, notice.rejections) == ("accepted", 1)
        for move in (
            lambda: service.answer(session, manager, notice.id, "x", now=NOW),
            lambda: service.verify(session, inspector, notice.id, "accept", None, now=NOW),
            lambda: service.verify(session, inspector, notice.id, "reject", "x", now=NOW),
        ):
            with pytest.raises(Refused):
                move()
        assert _audit(session, notice.id) == [
            "notice.raise",
            "notice.answer",
            "notice.reject",
            "notice.answer",
            "notice.accept",
        ]


def test_whoever_answered_does_not_verify_their_own_answer(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _other) = site.inspect(session)
        admin = site.actor(session, "admin")
        service.answer(session, admin, notice.id, "done", now=NOW)
        with pytest.raises(Refused, match="someone else verifies"):
            service.verify(session, admin, notice.id, "accept", None, now=NOW)
        service.verify(session, site.actor(session, "committee"), notice.id, "accept", None)
        assert notice.status == "accepted"


def test_the_deadline_moves_with_a_reason_until_accepted(db, site):
    with db.tenant(site.schema) as session:
        _, (notice, _other) = site.inspect(session)
        inspector = site.actor(session, "inspector")
        today = DAY + dt.timedelta(days=2)
        later = DAY + dt.timedelta(days=20)
        with pytest.raises(Invalid) as bad:
            service.change_deadline(session, inspector, notice.id, later, " ", today=today)
        assert bad.value.field == "reason"
        with pytest.raises(Invalid):
            service.change_deadline(session, inspector, notice.id, DAY, "x", today=today)
        with pytest.raises(Invalid):
            far = today + dt.timedelta(days=400)
            service.change_deadline(session, inspector, notice.id, far, "x", today=today)
        with pytest.raises(Invalid):
            service.change_deadline(session, inspector, notice.id, None, "x", today=today)
        with pytest.raises(Invalid, match="already"):
            service.change_deadline(
                session, inspector, notice.id, notice.deadline, "x", today=today
            )
        service.change_deadline(session, inspector, notice.id, later, "需采购配件", today=today)
        assert notice.deadline == later
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.deadline"))
        assert entry.before == {"deadline": "2026-09-08"}
        assert entry.after == {"deadline": "2026-09-21", "reason": "需采购配件"}
        manager = site.actor(session, "manager")
        with pytest.raises(Refused):
            service.change_deadline(session, manager, notice.id, later, "x", today=today)
        service.answer(session, manager, notice.id, "ok", now=NOW)
        service.verify(session, inspector, notice.id, "accept", None, now=NOW)
        with pytest.raises(Refused, match="closed"):
            service.change_deadline(
                session, inspector, notice.id, later + dt.timedelta(days=1), "x", today=today
            )


def test_reach_of_each_role(db, site):
    with db.tenant(site.schema) as session:
        _, (gc, _x) = site.inspect(session)
        _, (ba, _y) = site.inspect(session, unit="WB-BA")

        def sees(who: str, notice, name: str = "notices.view") -> bool:
            actor = site.actor(session, who)
            return service.find_notice(session, actor, notice.id, name) is not None

        for who in ("admin", "inspector", "committee"):
            assert sees(who, gc) and sees(who, ba)
        assert sees("manager", gc) and not sees("manager", ba)
        assert not sees("other_manager", gc) and not sees("other_manager", ba)
        assert not sees("employee", gc) and not sees("employee", ba)
        assert sees("provider", ba) and not sees("provider", gc)
        assert not sees("provider2", ba)
        assert sees("manager", gc, "notices.answer") and sees("provider", ba, "notices.answer")
        assert not sees("committee", gc, "notices.answer")
        assert not sees("manager", gc, "notices.verify")
        # Out of reach is not found: answering returns None, nothing changes.
        other = site.actor(session, "other_manager")
        assert service.answer(session, other, gc.id, "x", now=NOW) is None
        assert gc.status == "open"
        with pytest.raises(Refused):
            service.answer(session, site.actor(session, "employee"), gc.id, "x", now=NOW)
        provider = site.actor(session, "provider")
        assert service.answer(session, provider, ba.id, "已整改", now=NOW).status == "answered"


def test_the_unit_failing_nothing_gets_no_notice(db, site):
    with db.tenant(site.schema) as session:
        values = {key: 3 for key in FAILING}
        assert site.inspect(session, values=values)[1] == []
