"""The four-eyes rule (maker-checker): while the tenant keeps it (on by default), nobody
approves a goal they drafted or submitted. The maker is not shown the Approve button and the
service refuses them with the reason; with the rule off, an approver may approve their own
draft."""

from __future__ import annotations

import pytest

from saas.auth.permissions import Refused
from saas.goals import service
from saas.goals.service import GoalData
from saas.models.goal import Goal
from saas.settings import service as settings
from tests.goals.test_views import HTMX, PERIOD, as_user, status, url
from tests.home.test_start_page import home, todo


def team_goal_by(db, team, drafter: str, submitter: str) -> int:
    """The 水电班组 (GC-SD) team's goal, drafted and submitted as given. Its approvers are the
    managers above the team: gc, and the tenant admins."""
    with db.tenant(team.schema) as session:
        goal = service.create_goal(
            session,
            team.actor(session, drafter),
            GoalData(title="报修及时率", target="98"),
            period=PERIOD,
            unit=team.unit(session, "GC-SD"),
        )
        service.submit(session, team.actor(session, submitter), goal)
        return goal.id


def switch_off(db, team) -> None:
    with db.tenant(team.schema) as session:
        settings.change_settings(session, team.actor(session, "admin"), {})


@pytest.mark.parametrize(("drafter", "submitter"), [("gc", "gc"), ("gc", "sd"), ("sd", "gc")])
def test_who_drafted_or_submitted_does_not_approve(db, team, drafter, submitter):
    goal_id = team_goal_by(db, team, drafter, submitter)
    with db.tenant(team.schema) as session:
        goal = session.get(Goal, goal_id)
        gc = team.actor(session, "gc")
        assert service.is_approver(session, gc, goal) and service.is_maker(session, gc, goal)
        assert not service.can_approve(session, gc, goal)
        with pytest.raises(Refused) as refused:
            service.approve(session, gc, goal)
        assert "four-eyes" in str(refused.value)
        with pytest.raises(Refused):
            service.return_goal(session, gc, goal, "再看看")
        service.approve(session, team.actor(session, "admin"), goal)
        assert goal.status == "approved"


def test_changing_a_submitted_goal_makes_the_changer_a_maker(db, team):
    goal_id = team_goal_by(db, team, "sd", "sd")
    with db.tenant(team.schema) as session:
        goal = session.get(Goal, goal_id)
        gc = team.actor(session, "gc")
        assert service.can_approve(session, gc, goal)
        service.change_goal(session, gc, goal, GoalData(title="报修及时率", target="99"))
        assert goal.status == "submitted" and not service.can_approve(session, gc, goal)


def test_with_the_rule_off_the_maker_may_approve(db, team):
    goal_id = team_goal_by(db, team, "gc", "gc")
    switch_off(db, team)
    with db.tenant(team.schema) as session:
        goal = session.get(Goal, goal_id)
        gc = team.actor(session, "gc")
        assert not service.is_maker(session, gc, goal)
        service.approve(session, gc, goal)
        assert goal.status == "approved"


def test_the_maker_is_not_shown_the_button_and_is_refused_with_the_reason(client, db, team):
    goal_id = team_goal_by(db, team, "gc", "gc")
    csrf = as_user(client, team, "gc")
    page = client.get(url(team, str(goal_id))).get_data(as_text=True)
    assert "/approve" not in page and "/return" not in page
    assert "another approver approves it (the four-eyes rule)" in page
    refused = client.post(url(team, f"{goal_id}/approve"), data={"csrf_token": csrf}, headers=HTMX)
    assert refused.status_code == 403
    assert "four-eyes rule" in refused.get_data(as_text=True)
    assert status(db, team, goal_id) == "submitted"
    assert todo(home(client, team), "goals.approve") is None
    as_user(client, team, "admin")
    assert todo(home(client, team), "goals.approve")[0] == 1


def test_once_switched_off_the_maker_sees_the_button(client, db, team):
    goal_id = team_goal_by(db, team, "gc", "gc")
    switch_off(db, team)
    csrf = as_user(client, team, "gc")
    assert f"/goals/{goal_id}/approve" in client.get(url(team, str(goal_id))).get_data(as_text=True)
    response = client.post(url(team, f"{goal_id}/approve"), data={"csrf_token": csrf}, headers=HTMX)
    assert response.status_code == 200
    assert status(db, team, goal_id) == "approved"
