"""Actuals keep to their goal's period and the tenant's today, count only once their goal is
approved, and are corrected or withdrawn with a reason — the original row kept, audited —
on the goal page and in the Excel import alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.goals import actuals, service
from saas.goals.progress import period_progress, subtree_progress
from saas.goals.service import GoalData
from saas.models.audit import AuditEntry
from saas.models.goal import Goal, GoalActual
from saas.models.user import Role
from saas.validation import Invalid
from tests.conftest import csrf_token, login
from tests.goals.conftest import unit_goal
from tests.goals.test_import_actuals import actuals_of, problems, upload, xlsx
from tests.goals.test_import_actuals import as_user as logged_in_as
from tests.goals.test_views import HTMX, PERIOD, as_user, url
from tests.org.conftest import PASSWORD, add_employee, add_user, make_org

TODAY = dt.date(2026, 10, 1)
AUGUST = dt.date(2026, 8, 31)


def own_goal(session, team, name: str = "li", title: str = "维修单量") -> Goal:
    actor = team.actor(session, name)
    return service.create_goal(
        session,
        actor,
        GoalData(title=title, target="100"),
        period=PERIOD,
        employee=team.person(session, name),
    )


def record(session, actor, goal, value="50", on=AUGUST, today=TODAY):
    return actuals.record_actual(session, actor, goal, value=value, on=on, today=today)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (dt.date(2027, 8, 31), "within the goal's period, 2026-07-01 to 2026-09-30"),
        (dt.date(2026, 6, 30), "within the goal's period"),
        (dt.date(2026, 9, 2), "cannot be dated after today (2026-09-01)"),
    ],
)
def test_an_actual_is_dated_within_the_period_and_not_after_today(db, team, on, message):
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        li = team.actor(session, "li")
        with pytest.raises(Invalid) as refused:
            record(session, li, goal, on=on, today=dt.date(2026, 9, 1))
        assert refused.value.field == "on" and message in str(refused.value)
        record(session, li, goal, on=dt.date(2026, 9, 1), today=dt.date(2026, 9, 1))


def test_a_typo_dated_2027_is_refused_by_the_page_keeping_what_was_typed(client, db, team):
    with db.tenant(team.schema) as session:
        goal_id = own_goal(session, team).id
    csrf = as_user(client, team, "li")
    response = client.post(
        url(team, f"{goal_id}/actuals"),
        data={"csrf_token": csrf, "value": "96.88", "on": "2027-08-31", "note": "八月"},
        headers=HTMX,
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Date the actual within the goal" in text and 'value="96.88"' in text
    assert actuals_of(db, team.schema) == []


def test_the_import_refuses_actuals_outside_the_period_or_after_today(client, db, team):
    next_year = str(dt.date.today().year + 1)  # a period not over: its later days are ahead
    with db.tenant(team.schema) as session:
        li = team.actor(session, "li")
        person = team.person(session, "li")
        quarter = own_goal(session, team).id
        year = service.create_goal(
            session, li, GoalData(title="年度", target="1"), period=next_year, employee=person
        ).id
    logged_in_as(client, team, "li")
    response = upload(
        client,
        team,
        xlsx(
            [
                [quarter, None, 1, None, "2026-08-01", None],  # fine
                [quarter, None, 2, None, "2027-08-01", None],  # outside 2026-Q3
                [year, None, 3, None, f"{next_year}-12-31", None],  # after today
            ]
        ),
    )
    assert response.status_code == 400
    assert problems(response) == [(3, "date", "outside_period"), (4, "date", "after_today")]
    assert "2026-07-01 to 2026-09-30" in response.get_data(as_text=True)
    assert actuals_of(db, team.schema) == []


# -- unconfirmed -----------------------------------------------------------------------------


def test_a_draft_sub_goals_actual_does_not_move_the_approved_company_goal(db, team):
    with db.tenant(team.schema) as session:
        admin, admin2 = team.actor(session, "admin"), team.actor(session, "admin2")
        company = unit_goal(session, team, title="营收", target="100", weight="100")
        service.submit(session, admin, company)
        service.approve(session, admin2, company)
        (department,) = service.cascade(session, admin, company, units=[team.unit(session, "GC")])
        gc = team.actor(session, "gc")
        record(session, gc, department, value="96.88")
        progress = period_progress(session, PERIOD)[1]
        assert progress[company.id].attainment is None
        assert progress[company.id].unconfirmed == 1
        assert progress[department.id].attainment is not None
        assert not progress[department.id].confirmed
        service.submit(session, gc, department)
        service.approve(session, admin2, department)
        progress = period_progress(session, PERIOD)[1]
        assert progress[company.id].attainment == progress[department.id].attainment
        assert progress[company.id].unconfirmed == 0 and progress[department.id].confirmed


def test_the_page_says_an_actual_is_unconfirmed(client, db, team):
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        record(session, team.actor(session, "li"), goal)
        goal_id = goal.id
    as_user(client, team, "li")
    text = client.get(url(team, str(goal_id))).get_data(as_text=True)
    assert "Not confirmed: the goal is not approved yet" in text
    assert 'class="badge badge-unconfirmed"' in text and "goal-bar-unconfirmed" in text


# -- corrections and withdrawals -------------------------------------------------------------


def test_a_correction_keeps_the_original_superseded_and_is_audited(db, team):
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        li = team.actor(session, "li")
        typo = record(session, li, goal, value="968.8")
        session.flush()
        with pytest.raises(Invalid) as no_reason:
            actuals.correct_actual(
                session, li, typo, value="96.88", on=AUGUST, reason=" ", today=TODAY
            )
        assert no_reason.value.field == "reason"
        fixed = actuals.correct_actual(
            session, li, typo, value="96.88", on=AUGUST, reason="多打了一位", today=TODAY
        )
        assert (typo.status, typo.end_reason, typo.ended_by) == (
            "superseded",
            "多打了一位",
            li.user_id,
        )
        assert (fixed.status, fixed.replaces_id, fixed.value) == (
            "current",
            typo.id,
            Decimal("96.88"),
        )
        assert subtree_progress(session, goal)[goal.id].latest.id == fixed.id
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "goal.actual.correct")
        ).one()
        assert entry.before["value"] == "968.8" and entry.after["value"] == "96.88"
        assert entry.after["reason"] == "多打了一位"
        with pytest.raises(Invalid):  # the superseded one cannot change again
            actuals.withdraw_actual(session, li, typo, reason="再撤")
        assert session.scalar(select(GoalActual.id).where(GoalActual.id == typo.id)) == typo.id


def test_a_withdrawn_actual_stops_counting_and_the_one_before_counts_again(db, team):
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        li = team.actor(session, "li")
        record(session, li, goal, value="40", on=dt.date(2026, 8, 1))
        later = record(session, li, goal, value="90", on=AUGUST)
        session.flush()
        assert subtree_progress(session, goal)[goal.id].attainment == Decimal(90)
        actuals.withdraw_actual(session, li, later, reason="统计口径错误")
        assert later.status == "withdrawn" and later.ended_at is not None
        assert subtree_progress(session, goal)[goal.id].attainment == Decimal(40)
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "goal.actual.withdraw")
        ).one()
        assert entry.after == {
            "actual_id": later.id,
            "status": "withdrawn",
            "reason": "统计口径错误",
        }


def test_only_who_may_draft_the_goal_corrects_or_withdraws(db, team):
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        actual = record(session, team.actor(session, "li"), goal)
        session.flush()
        bj = team.actor(session, "bj")
        with pytest.raises(Refused):
            actuals.withdraw_actual(session, bj, actual, reason="x")
        with pytest.raises(Refused):
            actuals.correct_actual(
                session, bj, actual, value="1", on=AUGUST, reason="x", today=TODAY
            )
        assert actual.status == "current"


def recorded(db, team) -> tuple[int, int]:
    with db.tenant(team.schema) as session:
        goal = own_goal(session, team)
        actual = record(session, team.actor(session, "li"), goal, value="968.8")
        session.flush()
        return goal.id, actual.id


def test_the_page_corrects_and_withdraws_and_shows_the_history(client, db, team):
    goal_id, actual_id = recorded(db, team)
    csrf = as_user(client, team, "li")
    base = url(team, f"{goal_id}/actuals/{actual_id}")
    refused = client.post(
        f"{base}/correct",
        data={"csrf_token": csrf, "value": "96.88", "on": "2026-08-31"},
        headers=HTMX,
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert (
        "Say why" in text
        and 'value="96.88"' in text
        and '<details class="goal-actual-fix" open>' in text
    )
    done = client.post(
        f"{base}/correct",
        data={"csrf_token": csrf, "value": "96.88", "on": "2026-08-31", "reason": "多打了一位"},
        headers=HTMX,
    )
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "goal-actual-superseded" in text and "Corrected on" in text and "多打了一位" in text
    assert "Corrects the actual of 2026-08-31." in text
    with db.tenant(team.schema) as session:
        new_id = session.scalar(select(GoalActual.id).where(GoalActual.replaces_id == actual_id))
    withdrawn = client.post(
        url(team, f"{goal_id}/actuals/{new_id}/withdraw"),
        data={"csrf_token": csrf, "reason": "重复录入"},
        headers=HTMX,
    )
    assert withdrawn.status_code == 200
    assert "Withdrawn on" in withdrawn.get_data(as_text=True)
    assert [a.status for a in actuals_of(db, team.schema)] == ["superseded", "withdrawn"]


def test_an_actual_of_another_goal_is_not_found_through_this_one(client, db, team):
    _goal_id, actual_id = recorded(db, team)
    with db.tenant(team.schema) as session:
        other = own_goal(session, team, title="另一个").id
    csrf = as_user(client, team, "li")
    response = client.post(
        url(team, f"{other}/actuals/{actual_id}/withdraw"), data={"csrf_token": csrf, "reason": "x"}
    )
    assert response.status_code == 404
    assert [a.status for a in actuals_of(db, team.schema)] == ["current"]


def test_a_reader_without_the_right_and_another_tenant_cannot_touch_an_actual(
    client, db, team, make_tenant
):
    goal_id, actual_id = recorded(db, team)
    with db.tenant(team.schema) as session:
        person = add_employee(session, team.org.ids["WY"], "E-cm", "委员")
        add_user(session, f"cm@{team.org.slug}.example.com", Role.COMMITTEE, employee=person)
    login(client, team.org.tenant, PASSWORD, f"cm@{team.org.slug}.example.com")
    csrf = csrf_token(client, f"/t/{team.org.slug}/")
    path = f"{goal_id}/actuals/{actual_id}"
    page = client.get(url(team, str(goal_id))).get_data(as_text=True)
    assert "Correct or withdraw" not in page  # a committee member reads, records nothing
    for action in ("correct", "withdraw"):
        response = client.post(
            url(team, f"{path}/{action}"),
            data={"csrf_token": csrf, "reason": "x", "value": "1", "on": "2026-08-01"},
        )
        assert response.status_code == 403, action
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    csrf = csrf_token(client, f"/t/{other.slug}/")
    for action in ("correct", "withdraw"):
        response = client.post(
            f"/t/{other.slug}/goals/{path}/{action}",
            data={"csrf_token": csrf, "reason": "x", "value": "1", "on": "2026-08-01"},
        )
        assert response.status_code == 404, action
    assert [a.status for a in actuals_of(db, team.schema)] == ["current"]
