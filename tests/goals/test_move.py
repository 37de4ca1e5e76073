"""Moving a goal never detaches it silently: it keeps its parent unless a new one is chosen,
and only whoever may change the parent may make it a top goal. A manager who cannot open the
parent still sees which goal it is."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.goals import service
from saas.models.audit import AuditEntry
from saas.models.goal import Goal
from saas.validation import Invalid
from tests.conftest import csrf_token, login
from tests.goals.conftest import unit_goal
from tests.goals.test_views import HTMX, PERIOD, as_user, url
from tests.org.conftest import make_org


def company_and_department(db, team) -> tuple[int, int]:
    """The company goal (admin's) cascaded to 工程维修部, whose manager gc cannot see the
    company goal."""
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        company = unit_goal(session, team, title="全年营收", target="1000", unit="万元")
        (department,) = service.cascade(session, admin, company, units=[team.unit(session, "GC")])
        return company.id, department.id


def move(client, team, goal_id: int, csrf: str, parent: str):
    return client.post(
        url(team, f"{goal_id}/move"), data={"csrf_token": csrf, "parent": parent}, headers=HTMX
    )


def parent_of(db, team, goal_id: int) -> int | None:
    with db.tenant(team.schema) as session:
        return session.get(Goal, goal_id).parent_id


def test_the_drafter_of_a_sub_goal_cannot_make_it_a_top_goal(db, team):
    company, department = company_and_department(db, team)
    with db.tenant(team.schema) as session:
        gc = team.actor(session, "gc")
        goal = session.get(Goal, department)
        assert service.can_draft(session, gc, goal) and not service.can_make_top(session, gc, goal)
        with pytest.raises(Refused) as refused:
            service.move_goal(session, gc, goal, None)
        assert "parent goal" in str(refused.value) and refused.value.field == "parent"
        assert goal.parent_id == company
        admin = team.actor(session, "admin")
        assert service.can_make_top(session, admin, goal)
        service.move_goal(session, admin, goal, None)
        assert goal.parent_id is None and goal.path == f"{goal.id}/"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "goal.move")).one()
        assert (entry.before, entry.after) == ({"parent_id": company}, {"parent_id": None})


def test_a_move_must_go_somewhere_new(db, team):
    company, department = company_and_department(db, team)
    with db.tenant(team.schema) as session:
        admin = team.actor(session, "admin")
        goal, parent = session.get(Goal, department), session.get(Goal, company)
        with pytest.raises(Invalid) as same:
            service.move_goal(session, admin, goal, parent)
        assert same.value.field == "parent"
        with pytest.raises(Invalid):
            service.move_goal(session, admin, parent, None)  # a top goal already


def test_moving_with_nothing_chosen_keeps_the_parent(client, db, team):
    company, department = company_and_department(db, team)
    csrf = as_user(client, team, "gc")
    response = move(client, team, department, csrf, "")
    assert response.status_code == 400
    assert "Choose the goal to move it under." in response.get_data(as_text=True)
    assert parent_of(db, team, department) == company


def test_a_manager_who_cannot_open_the_parent_sees_it_and_cannot_cut_it_off(client, db, team):
    company, department = company_and_department(db, team)
    csrf = as_user(client, team, "gc")
    assert client.get(url(team, str(company))).status_code == 404
    page = client.get(url(team, str(department))).get_data(as_text=True)
    place = re.search(r'<section class="card goal-place">.*?</section>', page, re.S).group(0)
    # The parent by its title, owner and period, as text: the manager may not open it.
    assert "全年营收" in place and "某某物业" in place and PERIOD in place
    assert f'/goals/{company}"' not in place
    assert 'value="top"' not in place and "Make it a top goal" not in place
    assert '<option value="">Choose a goal</option>' in place and " selected" not in place
    refused = move(client, team, department, csrf, "top")
    assert refused.status_code == 403
    assert "Only whoever may change its parent goal" in refused.get_data(as_text=True)
    assert parent_of(db, team, department) == company


def test_the_admin_makes_a_top_goal_by_its_own_button(client, db, team):
    _company, department = company_and_department(db, team)
    csrf = as_user(client, team, "admin")
    page = client.get(url(team, str(department))).get_data(as_text=True)
    assert 'name="parent" value="top"' in page and "hx-confirm=" in page
    moved = move(client, team, department, csrf, "top")
    assert moved.status_code == 200
    assert parent_of(db, team, department) is None


def test_the_goals_to_move_under_show_owner_and_period(client, db, team):
    _company, department = company_and_department(db, team)
    with db.tenant(team.schema) as session:
        for code in ("GC", "BJ"):  # two more goals of the same title
            unit_goal(session, team, code=code, title="全年营收")
    as_user(client, team, "admin")
    page = client.get(url(team, str(department))).get_data(as_text=True)
    options = re.findall(r'<option value="\d+">(全年营收[^<]*)</option>', page)
    assert sorted(options) == [f"全年营收 — 保洁部 · {PERIOD}", f"全年营收 — 工程维修部 · {PERIOD}"]


@pytest.mark.parametrize("raw", ["²", "1e3", "99999999999", "-1", "<b>"])
def test_hostile_parents_are_a_form_error(client, db, team, raw):
    company, department = company_and_department(db, team)
    csrf = as_user(client, team, "admin")
    response = move(client, team, department, csrf, raw)
    assert response.status_code == 400
    assert parent_of(db, team, department) == company


def test_another_tenant_cannot_move_a_goal(client, db, team, make_tenant):
    company, department = company_and_department(db, team)
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    csrf = csrf_token(client, f"/t/{other.slug}/")
    for parent in ("top", str(company)):
        response = client.post(
            f"/t/{other.slug}/goals/{department}/move", data={"csrf_token": csrf, "parent": parent}
        )
        assert response.status_code == 404
    assert parent_of(db, team, department) == company
