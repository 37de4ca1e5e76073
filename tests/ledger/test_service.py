"""The ledger's rules: what an entry may be, the validity flow, withdrawal, reach, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.ledger import service
from saas.models.audit import AuditEntry
from saas.validation import Invalid

DAY = dt.date(2026, 8, 3)
TODAY = dt.date(2026, 9, 1)


def _fields(error: Invalid) -> set[str]:
    return set(error.errors)


def test_the_validity_flow_and_its_audit(db, book):
    with db.tenant(book.schema) as session:
        admin = book.admin()
        complaint = service.add_entry(
            session, admin, employee_id=book.inside, on=DAY, event="company_complaint"
        )
        praise = service.add_entry(
            session, admin, employee_id=book.inside, on=DAY, event="praise_letter"
        )
        assert (complaint.validity, praise.validity) == ("pending", None)
        assert complaint.kind == "employee" and complaint.unit_id == book.org.ids["GC"]
        with pytest.raises(Invalid) as missing:
            service.decide(session, admin, complaint.id, "valid", "  ")
        assert _fields(missing.value) == {"reason"}
        with pytest.raises(Invalid):
            service.decide(session, admin, complaint.id, "maybe", "理由")
        with pytest.raises(Refused):  # a rule that needs no decision takes none
            service.decide(session, admin, praise.id, "valid", "理由")
        committee = book.actor(session, "committee")
        service.decide(session, committee, complaint.id, "valid", "客户来电核实")
        assert complaint.validity == "valid" and complaint.decided_at is not None
        with pytest.raises(Invalid):  # the same decision again changes nothing
            service.decide(session, committee, complaint.id, "valid", "客户来电核实")
        service.decide(session, committee, complaint.id, "invalid", "复核后不成立")
        assert complaint.decision_reason == "复核后不成立"
        service.withdraw(session, admin, praise.id, "重复录入")
        assert praise.withdrawn_at is not None
        with pytest.raises(Refused):
            service.withdraw(session, admin, praise.id, "再次")
        service.withdraw(session, admin, complaint.id, "撤回")
        with pytest.raises(Refused):  # a withdrawn entry takes no decision
            service.decide(session, admin, complaint.id, "valid", "x")
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.record_type == "ledger_entry")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "ledger.entry.add",
        "ledger.entry.add",
        "ledger.entry.decide",
        "ledger.entry.redecide",
        "ledger.entry.withdraw",
        "ledger.entry.withdraw",
    ]


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"event": "no_such_event"}, {"event"}),
        ({"label": "协助", "points": None}, {"points"}),
        ({"label": "", "points": Decimal(2)}, {"label"}),
        ({"label": "协助", "points": Decimal(101)}, {"points"}),
        ({"label": "协助", "points": Decimal(-100)}, set()),
        ({"event": "praise_letter", "fine": Decimal(-1)}, {"fine"}),
        ({"event": "praise_letter", "note": "字" * 1001}, {"note"}),
        ({"event": "praise_letter", "on": dt.date(2026, 9, 2)}, {"on"}),
        ({"event": "praise_letter", "on": None}, {"on"}),
        ({"event": "praise_letter", "source": "rumour"}, {"source"}),
    ],
)
def test_what_an_entry_may_be(db, book, values, fields):
    with db.tenant(book.schema) as session:
        arguments = {"employee_id": book.inside, "on": DAY, "today": TODAY, **values}
        if not fields:
            assert service.add_entry(session, book.admin(), **arguments).points == -100
            return
        with pytest.raises(Invalid) as refused:
            service.add_entry(session, book.admin(), **arguments)
        assert _fields(refused.value) == fields


def test_reach(db, book):
    with db.tenant(book.schema) as session:
        manager = book.actor(session, "manager")
        added = service.add_entry(
            session, manager, employee_id=book.inside, on=DAY, event="praise_letter"
        )
        assert added.entered_by == book.users["manager"]
        for subject in ({"employee_id": book.outside}, {"employee_id": book.manager}):
            with pytest.raises(Invalid) as refused:  # outside the subtree, or themself
                service.add_entry(session, manager, on=DAY, event="praise_letter", **subject)
            assert _fields(refused.value) == {"subject"}
        elsewhere = service.add_entry(
            session, book.admin(), employee_id=book.outside, on=DAY, event="praise_letter"
        )
        assert service.find_entry(session, manager, elsewhere.id) is None
        assert service.withdraw(session, manager, elsewhere.id, "x") is None
        inspector = book.actor(session, "inspector")
        assert (
            service.add_entry(
                session, inspector, unit_id=book.org.ids["ZH-XZ"], on=DAY, event="badge_not_worn"
            ).kind
            == "unit"
        )
        with pytest.raises(Refused):
            service.decide(session, inspector, elsewhere.id, "valid", "x")
        with pytest.raises(Refused):
            service.add_entry(
                session,
                book.actor(session, "employee"),
                employee_id=book.inside,
                on=DAY,
                event="praise_letter",
            )
