"""Subjects: chosen by the scheme's subject kind and both sets of eligibility rules (each
reason kept), added and removed with a reason, and the rule for joiners and leavers."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.cycles import raters, service, subjects
from saas.models.audit import AuditEntry
from saas.models.cycle import CycleSubject, RatingSheet
from saas.models.people import EmployeeStatus
from saas.org.access import Scope
from saas.validation import Invalid
from tests.org.conftest import add_employee

ADMIN = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)


def by_name(session, cycle) -> dict[str, CycleSubject]:
    rows = session.scalars(select(CycleSubject).where(CycleSubject.cycle_id == cycle.id))
    names = {}
    for subject in rows:
        if subject.employee_id is not None:
            from saas.models.people import Employee

            names[session.get(Employee, subject.employee_id).name] = subject
        else:
            from saas.models.org import OrgUnit

            names[session.get(OrgUnit, subject.unit_id).code] = subject
    return names


def test_employees_are_chosen_by_the_tenant_s_and_the_scheme_s_rules(app, db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        found = by_name(session, cycle)
        assert set(found) == {
            "boss",
            "gc",
            "sd",
            "li",
            "wang",
            "zhao",
            "sun",
            "intern",
            "qian",
            "bj",
            "bj1",
        }
        included = {name for name, s in found.items() if s.included}
        assert included == {"sd", "li", "wang", "zhao", "sun", "bj", "bj1"}
        # The scheme's rule: 部门主管 and above (部门经理 ranks higher).
        assert found["gc"].excluded_because == [
            {
                "code": "scheme_rule",
                "kind": "level_at_least",
                "value": "部门主管",
                "actual": "部门经理",
            }
        ]
        # The tenant's rule: 实习 is not assessed.
        assert found["intern"].excluded_because == [
            {
                "code": "tenant_rule",
                "kind": "employment_form",
                "value": "实习",
                "note": "实习生不参加考核",
                "actual": "实习",
            }
        ]
        assert found["qian"].excluded_because == [{"code": "left"}]
        assert all(s.unit_id == shop.units["SD"] for n, s in found.items() if n == "li")
        with app.test_request_context(), force_locale("en"):
            texts = [str(t) for t in subjects.reason_texts(found["gc"].excluded_because)]
            assert texts == [
                "The scheme does not assess position level 部门主管 and above"
                " (this person: 部门经理)."
            ]
            assert [str(t) for t in subjects.reason_texts(found["intern"].excluded_because)] == [
                "Employment form 实习 is excluded (rule: 实习生不参加考核)"
            ]
        with app.test_request_context(), force_locale("zh_CN"):
            text = str(subjects.reason_texts(found["qian"].excluded_because)[0])
            assert text != "Has left the organisation: people who have left are not assessed."


def test_units_and_providers_are_chosen_by_kind_and_category(db, shop):
    with db.tenant(shop.schema) as session:
        units = shop.new_cycle(session, "units", period="2026-07")
        assert set(by_name(session, units)) == {"GC", "SD", "BJ"}
        providers = shop.new_cycle(session, "providers", period="2026-07")
        assert set(by_name(session, providers)) == {"WB-BA", "WB-LH"}
        assert all(
            s.included and s.kind == "provider" for s in by_name(session, providers).values()
        )


def test_a_subject_is_added_and_removed_with_a_reason(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        found = by_name(session, cycle)
        with pytest.raises(Invalid) as no_reason:
            subjects.remove_subject(session, admin, cycle, found["li"], " ")
        assert no_reason.value.field == "reason"
        # Include the intern against the rule, with a reason.
        subjects.add_subject(session, admin, cycle, employee_number="N-intern", reason="转正")
        assert found["intern"].included and found["intern"].reason == "转正"
        with pytest.raises(Invalid):
            subjects.add_subject(session, admin, cycle, employee_number="N-li", reason="重复")
        with pytest.raises(Invalid):
            subjects.add_subject(session, admin, cycle, employee_number="N-qian", reason="已离职")
        with pytest.raises(Invalid):
            subjects.add_subject(session, admin, cycle, employee_number="nobody", reason="x")
        # Once rated, a removed subject is excluded, never deleted; what was saved stays.
        service.move(session, admin, cycle, "open")
        raters.generate(session, admin, cycle)
        sheets = session.scalars(
            select(RatingSheet).where(RatingSheet.cycle_subject_id == found["li"].id)
        ).all()
        sheets[0].values, sheets[0].status = {"A": "10"}, "draft"
        session.flush()
        deleted = subjects.remove_subject(session, admin, cycle, found["li"], "调岗")
        assert deleted == len(sheets) - 1
        assert session.get(CycleSubject, found["li"].id).included is False
        assert found["li"].excluded_because == [{"code": "removed", "reason": "调岗"}]
        kept = session.scalars(
            select(RatingSheet.id).where(RatingSheet.cycle_subject_id == found["li"].id)
        ).all()
        assert kept == [sheets[0].id]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_type == "cycle_subject")
        ).all()
        assert actions.count("cycle_subject.removed") == 1
        assert "cycle_subject.included" in actions


def test_in_an_open_cycle_an_added_subject_gets_its_raters(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        service.move(session, admin, cycle, "open")
        subject = subjects.add_subject(
            session, admin, cycle, employee_number="N-intern", reason="转正"
        )
        sources = set(
            session.scalars(
                select(RatingSheet.source).where(RatingSheet.cycle_subject_id == subject.id)
            )
        )
        assert {"self", "supervisor", "peer", "committee"} <= sources


def test_subjects_are_changed_by_an_admin_only_and_not_after_scoring(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        found = by_name(session, cycle)
        with pytest.raises(Refused):
            subjects.remove_subject(session, shop.actor(session, "gc"), cycle, found["li"], "x")
        cycle.status = "review"
        with pytest.raises(Refused):
            subjects.remove_subject(session, shop.actor(session), cycle, found["li"], "x")


def test_joiners_are_listed_not_added_and_leavers_are_excluded_when_collection_closes(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        service.move(session, admin, cycle, "open")
        newcomer = add_employee(session, shop.units["SD"], "N-new", "newcomer")
        found = by_name(session, cycle)
        assert "newcomer" not in found
        assert [p.name for p in subjects.joiners(session, cycle, ADMIN)] == ["newcomer"]
        # wang and zhao leave; the admin keeps zhao.
        shop.person(session, "wang").status = EmployeeStatus.LEFT
        shop.person(session, "zhao").status = EmployeeStatus.LEFT
        session.flush()
        assert {p.name for p in subjects.leavers(session, cycle, ADMIN)} == {"wang", "zhao"}
        subjects.include_subject(session, admin, cycle, found["zhao"], "本季度已完成考核工作")
        assert found["zhao"].origin == "kept"
        assert {p.name for p in subjects.leavers(session, cycle, ADMIN)} == {"wang"}
        service.move(session, admin, cycle, "scoring")
        assert found["wang"].included is False
        assert found["wang"].excluded_because == [{"code": "left_during_period"}]
        assert found["zhao"].included is True
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "cycle.moved")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry.after["left_excluded"] == [found["wang"].id]
        # The newcomer is added with a reason, even while scoring.
        subjects.add_subject(session, admin, cycle, employee_number="N-new", reason="新入职")
        assert by_name(session, cycle)["newcomer"].origin == "added"
        assert subjects.joiners(session, cycle, ADMIN) == []
        assert newcomer.id


def test_a_manager_sees_the_subjects_of_their_units_only(db, shop):
    with db.tenant(shop.schema) as session:
        cycle = shop.new_cycle(session)
        scope = shop.actor(session, "gc").scope
        rows = subjects.subject_page(session, cycle, scope, "all").rows
        assert {r.name for r in rows} == {"gc", "sd", "li", "wang", "zhao", "sun", "intern", "qian"}
        everyone = subjects.subject_page(session, cycle, ADMIN, "excluded")
        assert {r.name for r in everyone.rows} == {"boss", "gc", "intern", "qian"}
