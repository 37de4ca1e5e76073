"""Goals as a service: cascading, who drafts and who approves, locking, moving, actuals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.goals import actuals, service
from saas.goals.service import GoalData
from saas.models.audit import AuditEntry
from saas.models.goal import Goal, GoalActual
from saas.validation import Invalid

PERIOD = "2026-Q3"
TODAY = dt.date(2026, 10, 1)  # the tenant's today in these tests: the quarter is over


def record(session, actor, goal, **values):
    return actuals.record_actual(session, actor, goal, today=TODAY, **values)


def data(title: str = "营收增长", **values) -> GoalData:
    return GoalData(title=title, target=values.pop("target", "100"), **values)


def company_goal(session, team) -> Goal:
    actor = team.actor(session, "admin")
    return service.create_goal(
        session, actor, data(weight="100"), period=PERIOD, unit=team.unit(session, "WY")
    )


def test_split_evenly_adds_up_to_exactly_100():
    assert service.split_evenly(3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(service.split_evenly(7)) == 100


def test_a_company_goal_cascades_to_departments_and_a_person(db, team):
    with db.tenant(team.schema) as session:
        parent = company_goal(session, team)
        actor = team.actor(session, "admin")
        children = service.cascade(
            session,
            actor,
            parent,
            units=[team.unit(session, "GC"), team.unit(session, "BJ")],
            employees=[team.person(session, "li")],
        )
        assert [c.contribution for c in children] == [
            Decimal("33.33"),
            Decimal("33.33"),
            Decimal("33.34"),
        ]
        assert all(c.parent_id == parent.id and c.path == f"{parent.path}{c.id}/" for c in children)
        assert {c.status for c in children} == {"draft"}
        assert children[2].employee_id == team.employees["li"]


def test_the_period_must_be_one_kaohe_reads(db, team):
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "admin")
        with pytest.raises(Invalid) as refused:
            service.create_goal(
                session, actor, data(), period="2026-Q5", unit=team.unit(session, "WY")
            )
        assert refused.value.field == "period"


def test_a_person_drafts_their_own_goal_but_not_someone_elses(db, team):
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "li")
        own = service.create_goal(
            session, actor, data(), period=PERIOD, employee=team.person(session, "li")
        )
        assert own.status == "draft"
        with pytest.raises(Refused):
            service.create_goal(
                session, actor, data(), period=PERIOD, employee=team.person(session, "sd")
            )
        with pytest.raises(Refused):
            service.create_goal(
                session, actor, data(), period=PERIOD, unit=team.unit(session, "GC-SD")
            )


def submitted_goal_of(session, team, owner: str, **where) -> Goal:
    actor = team.actor(session, owner)
    goal = service.create_goal(session, actor, data(), period=PERIOD, **where)
    service.submit(session, actor, goal)
    return goal


def test_a_persons_goal_is_approved_by_their_units_manager_only(db, team):
    with db.tenant(team.schema) as session:
        goal = submitted_goal_of(session, team, "li", employee=team.person(session, "li"))
        for name in ("li", "bj"):  # themself; a manager of another branch
            actor = team.actor(session, name)
            with pytest.raises(Refused):
                service.approve(session, actor, goal)
        actor = team.actor(session, "sd")
        service.approve(session, actor, goal)
        assert goal.status == "approved" and goal.approved_by == team.users["sd"]


def test_a_managers_own_goal_goes_to_the_unit_above(db, team):
    with db.tenant(team.schema) as session:
        goal = submitted_goal_of(session, team, "sd", employee=team.person(session, "sd"))
        actor = team.actor(session, "sd")
        with pytest.raises(Refused):
            service.approve(session, actor, goal)
        actor = team.actor(session, "gc")
        service.approve(session, actor, goal)
        assert goal.status == "approved"


def test_a_units_goal_is_approved_above_not_by_its_own_manager(db, team):
    with db.tenant(team.schema) as session:
        goal = submitted_goal_of(session, team, "sd", unit=team.unit(session, "GC-SD"))
        actor = team.actor(session, "sd")
        with pytest.raises(Refused):
            service.approve(session, actor, goal)
        actor = team.actor(session, "gc")
        service.approve(session, actor, goal)


def test_the_company_goal_is_approved_by_another_admin(db, team):
    with db.tenant(team.schema) as session:
        goal = company_goal(session, team)
        actor = team.actor(session, "admin")
        service.submit(session, actor, goal)
        gc_actor = team.actor(session, "gc")
        with pytest.raises(Refused):
            service.approve(session, gc_actor, goal)
        service.approve(session, team.actor(session, "admin2"), goal)
        assert goal.status == "approved"


def test_a_returned_goal_carries_a_comment_and_can_be_submitted_again(db, team):
    with db.tenant(team.schema) as session:
        goal = submitted_goal_of(session, team, "li", employee=team.person(session, "li"))
        actor = team.actor(session, "sd")
        with pytest.raises(Invalid):
            service.return_goal(session, actor, goal, "  ")
        service.return_goal(session, actor, goal, "目标值偏低")
        assert (goal.status, goal.review_comment) == ("returned", "目标值偏低")
        li = team.actor(session, "li")
        service.submit(session, li, goal)
        assert goal.status == "submitted"


def test_changing_an_approved_goal_reopens_approval_and_is_audited(db, team):
    with db.tenant(team.schema) as session:
        goal = submitted_goal_of(session, team, "li", employee=team.person(session, "li"))
        sd = team.actor(session, "sd")
        service.approve(session, sd, goal)
        li = team.actor(session, "li")
        service.change_goal(session, li, goal, data(target="80"))
        assert goal.status == "submitted" and goal.approved_by is None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "goal.change")).one()
        assert (entry.before["target"], entry.after["target"]) == ("100", "80")
        assert (entry.before["status"], entry.after["status"]) == ("approved", "submitted")


def test_a_goal_without_a_target_cannot_be_submitted(db, team):
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "li")
        goal = service.create_goal(
            session,
            actor,
            data(target=""),
            period=PERIOD,
            employee=team.person(session, "li"),
        )
        with pytest.raises(Invalid) as refused:
            service.submit(session, actor, goal)
        assert refused.value.field == "target"


def test_a_goal_cannot_move_under_its_own_subtree(db, team):
    with db.tenant(team.schema) as session:
        parent = company_goal(session, team)
        actor = team.actor(session, "admin")
        (child,) = service.cascade(session, actor, parent, units=[team.unit(session, "GC")])
        (grandchild,) = service.cascade(
            session, actor, child, employees=[team.person(session, "li")]
        )
        with pytest.raises(Invalid):
            service.move_goal(session, actor, parent, grandchild)
        with pytest.raises(Invalid):
            service.move_goal(session, actor, child, parent)  # where it is already
        other = service.create_goal(
            session, actor, data("降本"), period=PERIOD, unit=team.unit(session, "WY")
        )
        service.move_goal(session, actor, child, other)
        assert child.path == f"{other.path}{child.id}/"
        session.refresh(grandchild)
        assert grandchild.path == f"{other.path}{child.id}/{grandchild.id}/"


def test_actuals_are_numbers_or_done(db, team):
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "li")
        goal = service.create_goal(
            session, actor, data(), period=PERIOD, employee=team.person(session, "li")
        )
        with pytest.raises(Invalid):
            record(session, actor, goal, value="lots", on=dt.date(2026, 8, 1))
        record(session, actor, goal, value="42.5", on=dt.date(2026, 8, 1), note="八月")
        milestone = service.create_goal(
            session,
            actor,
            data("上线", measure="milestone", target=""),
            period=PERIOD,
            employee=team.person(session, "li"),
        )
        with pytest.raises(Invalid):
            record(session, actor, milestone, on=dt.date(2026, 8, 1))
        record(session, actor, milestone, done=True, on=dt.date(2026, 9, 1))
        values = session.execute(
            select(GoalActual.value, GoalActual.done).order_by(GoalActual.id)
        ).all()
        assert values == [(Decimal("42.5000"), None), (None, True)]
        bj = team.actor(session, "bj")
        with pytest.raises(Refused):
            record(session, bj, goal, value="1", on=dt.date(2026, 8, 2))
