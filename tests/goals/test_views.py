"""The goal pages as people use them: drafting, cascading, approving, recording actuals —
and what each role may not do, by the page or by a direct request."""

from __future__ import annotations

from sqlalchemy import select

from saas.goals import service
from saas.goals.service import GoalData
from saas.models.goal import Goal
from tests.conftest import csrf_token, login
from tests.org.conftest import PASSWORD, make_org

HTMX = {"HX-Request": "true"}
PERIOD = "2026-Q3"


def as_user(client, team, name: str) -> str:
    org = team.org
    if name == "admin":
        login(client, org.tenant)
    else:
        login(client, org.tenant, PASSWORD, f"{name}@{org.slug}.example.com")
    return csrf_token(client, f"/t/{org.slug}/")


def url(team, path: str = "") -> str:
    return f"/t/{team.org.slug}/goals/{path}"


def made(db, team, owner: str, title: str = "营收", submit: bool = False, **where) -> int:
    with db.tenant(team.schema) as session:
        actor = team.actor(session, owner)
        where = {
            k: (team.unit(session, v) if k == "unit" else team.person(session, v))
            for k, v in where.items()
        }
        goal = service.create_goal(
            session, actor, GoalData(title=title, target="100"), period=PERIOD, **where
        )
        if submit:
            service.submit(session, actor, goal)
        return goal.id


def status(db, team, goal_id: int) -> str:
    with db.tenant(team.schema) as session:
        return session.get(Goal, goal_id).status


def test_admin_drafts_a_company_goal_and_cascades_it(client, db, team):
    csrf = as_user(client, team, "admin")
    response = client.post(
        url(team, "new"),
        data={
            "csrf_token": csrf,
            "period": PERIOD,
            "owner": f"unit:{team.org.ids['WY']}",
            "title": "年度营收增长",
            "target": "120",
            "weight": "100",
        },
    )
    assert response.status_code == 302
    goal_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    cascaded = client.post(
        url(team, f"{goal_id}/cascade"),
        data={"csrf_token": csrf, "unit": [team.org.ids["GC"], team.org.ids["BJ"]]},
        headers=HTMX,
    )
    assert cascaded.status_code == 200
    text = cascaded.get_data(as_text=True)
    assert text.count("50% of this goal") == 2
    tree = client.get(url(team, f"?period={PERIOD}")).get_data(as_text=True)
    assert "年度营收增长" in tree and tree.count('class="goal-node"') == 3


def test_recording_an_actual_updates_the_progress_at_once(client, db, team):
    goal_id = made(db, team, "li", employee="li")
    csrf = as_user(client, team, "li")
    response = client.post(
        url(team, f"{goal_id}/actuals"),
        data={"csrf_token": csrf, "value": "45", "on": "2026-08-01", "note": "八月"},
        headers=HTMX,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "45.00%" in text and "八月" in text
    bad = client.post(
        url(team, f"{goal_id}/actuals"),
        data={"csrf_token": csrf, "value": "many", "on": "2026-08-02"},
        headers=HTMX,
    )
    assert bad.status_code == 400 and "field-error" in bad.get_data(as_text=True)


def test_only_the_superior_approves_even_by_direct_request(client, db, team):
    goal_id = made(db, team, "li", submit=True, employee="li")
    csrf = as_user(client, team, "li")
    assert (
        client.post(url(team, f"{goal_id}/approve"), data={"csrf_token": csrf}).status_code == 403
    )
    client.get(f"/t/{team.org.slug}/logout")
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    assert status(db, team, goal_id) == "submitted"


def test_a_manager_of_another_branch_cannot_even_see_the_goal(client, db, team):
    goal_id = made(db, team, "li", submit=True, employee="li")
    csrf = as_user(client, team, "bj")
    assert client.get(url(team, str(goal_id))).status_code == 404
    assert (
        client.post(url(team, f"{goal_id}/approve"), data={"csrf_token": csrf}).status_code == 404
    )
    assert status(db, team, goal_id) == "submitted"


def test_the_manager_approves_and_a_later_change_reopens_approval(client, db, team):
    goal_id = made(db, team, "li", submit=True, employee="li")
    csrf = as_user(client, team, "sd")
    assert (
        client.post(
            url(team, f"{goal_id}/approve"), data={"csrf_token": csrf}, headers=HTMX
        ).status_code
        == 200
    )
    assert status(db, team, goal_id) == "approved"
    response = client.post(
        url(team, f"{goal_id}/edit"),
        data={
            "csrf_token": csrf,
            "title": "营收",
            "target": "90",
            "measure": "numeric",
            "direction": "higher",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert status(db, team, goal_id) == "submitted"


def test_returning_needs_a_comment(client, db, team):
    goal_id = made(db, team, "li", submit=True, employee="li")
    csrf = as_user(client, team, "sd")
    refused = client.post(url(team, f"{goal_id}/return"), data={"csrf_token": csrf}, headers=HTMX)
    assert refused.status_code == 400
    assert status(db, team, goal_id) == "submitted"
    client.post(
        url(team, f"{goal_id}/return"), data={"csrf_token": csrf, "comment": "偏低"}, headers=HTMX
    )
    assert status(db, team, goal_id) == "returned"


def test_an_employee_sees_their_own_goals_only(client, db, team):
    own = made(db, team, "li", title="我的目标", employee="li")
    other = made(db, team, "sd", title="班组目标", unit="GC-SD")
    as_user(client, team, "li")
    tree = client.get(url(team, f"?period={PERIOD}")).get_data(as_text=True)
    assert "我的目标" in tree and "班组目标" not in tree
    assert client.get(url(team, str(own))).status_code == 200
    assert client.get(url(team, str(other))).status_code == 404


def test_another_tenant_cannot_read_or_change_a_goal(client, db, team, make_tenant):
    goal_id = made(db, team, "li", submit=True, employee="li")
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    csrf = csrf_token(client, f"/t/{other.slug}/")
    base = f"/t/{other.slug}/goals/{goal_id}"
    assert client.get(base).status_code == 404
    for path in ("approve", "edit", "actuals", "cascade", "move", "submit", "return"):
        assert (
            client.post(
                f"{base}/{path}", data={"csrf_token": csrf, "title": "x", "comment": "x"}
            ).status_code
            == 404
        ), path
    assert status(db, team, goal_id) == "submitted"
    assert "营收" not in client.get(f"/t/{other.slug}/goals/?period={PERIOD}").get_data(
        as_text=True
    )
    with db.tenant(team.schema) as session:
        assert session.scalar(select(Goal.title).where(Goal.id == goal_id)) == "营收"


def approved_unit_goal(db, team, title: str = "班组安全生产") -> int:
    goal_id = made(db, team, "sd", title=title, submit=True, unit="GC-SD")
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "gc")
        service.approve(session, actor, session.get(Goal, goal_id))
    return goal_id


def test_the_board_shows_approved_unit_goals_to_everyone_once_put_up(client, db, team):
    approved_unit_goal(db, team)
    made(db, team, "li", title="个人目标", submit=True, employee="li")
    csrf = as_user(client, team, "li")
    hidden = client.get(url(team, f"board?period={PERIOD}")).get_data(as_text=True)
    assert "班组安全生产" not in hidden and "not on the board" in hidden
    assert (
        client.post(
            url(team, "board"), data={"csrf_token": csrf, "period": PERIOD, "show": "1"}
        ).status_code
        == 403
    )
    client.post(f"/t/{team.org.slug}/logout", data={"csrf_token": csrf})
    admin_csrf = as_user(client, team, "admin")
    assert (
        client.post(
            url(team, "board"), data={"csrf_token": admin_csrf, "period": PERIOD, "show": "1"}
        ).status_code
        == 302
    )
    client.post(f"/t/{team.org.slug}/logout", data={"csrf_token": admin_csrf})
    as_user(client, team, "li")
    shown = client.get(url(team, f"board?period={PERIOD}")).get_data(as_text=True)
    assert "班组安全生产" in shown and "个人目标" not in shown


def test_another_tenants_board_is_its_own(client, db, team, make_tenant):
    approved_unit_goal(db, team)
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "admin")
        service.set_board(session, actor, PERIOD, True)
    other = make_org(db, make_tenant)
    login(client, other.tenant)
    page = client.get(f"/t/{other.slug}/goals/board?period={PERIOD}").get_data(as_text=True)
    assert "班组安全生产" not in page


def test_a_second_sub_goal_for_the_same_owner_is_refused(client, db, team):
    csrf = as_user(client, team, "admin")
    response = client.post(
        url(team, "new"),
        data={
            "csrf_token": csrf,
            "period": PERIOD,
            "owner": f"unit:{team.org.ids['WY']}",
            "title": "年度营收增长",
            "target": "120",
            "weight": "100",
        },
    )
    goal_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    data = {"csrf_token": csrf, "unit": [team.org.ids["GC"]]}
    assert client.post(url(team, f"{goal_id}/cascade"), data=data, headers=HTMX).status_code == 200
    page = client.get(url(team, str(goal_id))).get_data(as_text=True)
    assert f'name="unit" value="{team.org.ids["GC"]}"' not in page  # no longer offered
    again = client.post(url(team, f"{goal_id}/cascade"), data=data, headers=HTMX)
    assert again.status_code == 400 and "already has a sub-goal" in again.get_data(as_text=True)
    with db.tenant(team.schema) as session:
        assert len(session.scalars(select(Goal).where(Goal.parent_id == goal_id)).all()) == 1


def test_moving_a_goal_under_its_own_sub_goal_is_refused_by_the_page(client, db, team):
    csrf = as_user(client, team, "admin")
    response = client.post(
        url(team, "new"),
        data={
            "csrf_token": csrf,
            "period": PERIOD,
            "owner": f"unit:{team.org.ids['WY']}",
            "title": "总目标",
            "target": "100",
        },
    )
    goal_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(
        url(team, f"{goal_id}/cascade"), data={"csrf_token": csrf, "unit": [team.org.ids["GC"]]}
    )
    with db.tenant(team.schema) as session:
        child = session.scalar(select(Goal.id).where(Goal.parent_id == goal_id))
    refused = client.post(
        url(team, f"{goal_id}/move"), data={"csrf_token": csrf, "parent": str(child)}, headers=HTMX
    )
    assert refused.status_code == 400
    with db.tenant(team.schema) as session:
        assert session.get(Goal, goal_id).parent_id is None


def test_the_page_says_when_an_owners_weights_do_not_total_100(client, db, team):
    goal_id = made(db, team, "li", employee="li")
    as_user(client, team, "li")
    assert "should total 100%" in client.get(url(team, str(goal_id))).get_data(as_text=True)


def test_the_tree_filters_by_unit(client, db, team):
    made(db, team, "sd", title="班组目标", unit="GC-SD")
    made(db, team, "bj", title="保洁目标", unit="BJ")
    as_user(client, team, "admin")
    page = client.get(url(team, f"?period={PERIOD}&unit={team.org.ids['BJ']}"))
    text = page.get_data(as_text=True)
    assert "保洁目标" in text and "班组目标" not in text
    assert f'<option value="{team.org.ids["BJ"]}" selected>' in text
