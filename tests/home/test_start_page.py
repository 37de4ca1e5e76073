"""The start page: a tenant admin's set-up checklist, and every role's open to-dos."""

from __future__ import annotations

import re

from saas.goals import service
from saas.home import todos as home_todos
from saas.home.todos import Todo
from saas.models.org import OrgUnit
from tests.goals.test_views import as_user, made, status
from tests.org.conftest import add_employee


def home(client, team) -> str:
    return client.get(f"/t/{team.org.slug}/").get_data(as_text=True)


def steps_done(page: str) -> dict[str, bool]:
    return {
        key: state == "done"
        for state, key in re.findall(r'class="setup-step (done|open)" data-step="(\w+)"', page)
    }


def todo(page: str, key: str) -> tuple[int, str] | None:
    found = re.search(
        rf'data-todo="{re.escape(key)}">\s*<a href="([^"]+)"><span class="todo-count">(\d+)',
        page,
    )
    return (int(found.group(2)), found.group(1).replace("&amp;", "&")) if found else None


def test_a_new_organisations_admin_sees_the_set_up_checklist(client, db, make_tenant):
    tenant = make_tenant()
    from tests.conftest import login

    login(client, tenant)
    page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert steps_done(page) == dict.fromkeys(
        ("organisation", "people", "accounts", "scheme", "goals"), False
    )
    assert "已完成 0 / 5 步" in page  # "0 of 5 steps done" in the tenant's language
    # No demonstration job, no sample statement on anyone's start page.
    assert "start-demo" not in page and "start-statement" not in page


def test_the_checklist_follows_what_was_done(client, db, team):
    as_user(client, team, "admin")
    page = home(client, team)
    # The example organisation has units, people and accounts; no scheme, no approved goal.
    assert steps_done(page) == {
        "organisation": True,
        "people": True,
        "accounts": True,
        "scheme": False,
        "goals": False,
    }
    assert "3 of 5 steps done" in page


def test_other_roles_see_no_checklist(client, team):
    as_user(client, team, "li")
    page = home(client, team)
    assert steps_done(page) == {}
    assert "Nothing is waiting for you." in page


def test_the_approver_sees_goals_waiting_and_the_link_shows_them(client, db, team):
    goal_id = made(db, team, "li", title="节能降耗", submit=True, employee="li")
    as_user(client, team, "sd")
    count, link = todo(home(client, team), "goals.approve")
    assert count == 1
    assert "status=submitted" in link and "period=2026-Q3" in link
    assert "节能降耗" in client.get(link).get_data(as_text=True)
    # The drafter has nothing to approve; a manager of another branch neither.
    for name in ("li", "bj"):
        as_user(client, team, name)
        assert todo(home(client, team), "goals.approve") is None
    assert status(db, team, goal_id) == "submitted"


def test_a_returned_goal_is_a_to_do_of_its_owner_only(client, db, team):
    goal_id = made(db, team, "li", title="巡检覆盖率", submit=True, employee="li")
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "sd")
        goal = session.get(service.Goal, goal_id)
        service.return_goal(session, actor, goal, "目标值偏低")
    as_user(client, team, "li")
    assert todo(home(client, team), "goals.returned")[0] == 1
    as_user(client, team, "bj")
    assert todo(home(client, team), "goals.returned") is None


def test_an_area_adds_its_to_dos_without_touching_the_home_page(client, db, team, monkeypatch):
    def inspections_due(_session, principal):
        yield Todo("inspections.due", "Inspections due", 2, "/somewhere")

    monkeypatch.setattr(home_todos, "_SOURCES", [*home_todos._SOURCES])
    home_todos.todo_source(inspections_due)
    as_user(client, team, "li")
    assert todo(home(client, team), "inspections.due") == (2, "/somewhere")


def test_a_unit_added_ticks_the_organisation_step(client, db, make_tenant):
    from tests.conftest import login

    tenant = make_tenant()
    login(client, tenant)
    schema = f"tenant_{tenant.slug.replace('-', '_')}"
    with db.tenant(schema) as session:
        assert session.query(OrgUnit).count() == 0
        root = OrgUnit(name="公司", code="C", kind="company", path="", position=0)
        session.add(root)
        session.flush()
        root.path = f"/{root.id}/"
        child = OrgUnit(name="食堂", code="ST", kind="department", parent_id=root.id, path="")
        session.add(child)
        session.flush()
        child.path = f"{root.path}{child.id}/"
        add_employee(session, child.id, "E1", "张三")
    page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert steps_done(page)["organisation"] and steps_done(page)["people"]


def test_the_approvers_start_page_costs_the_same_for_one_or_many_waiting_goals(
    client, app, db, team
):
    from sqlalchemy import event

    seen_last: list[str] = []

    def statements() -> tuple[int, int]:
        seen: list[str] = []

        def listen(_conn, _cursor, statement, *_args):
            if "public.tenant" not in statement:
                seen.append(statement)

        engine = app.extensions["kaohe.db"].engine
        event.listen(engine, "before_cursor_execute", listen)
        try:
            page = home(client, team)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        seen_last[:] = seen
        return len(seen), todo(page, "goals.approve")[0]

    made(db, team, "li", title="目标一", submit=True, employee="li")
    as_user(client, team, "gc")
    one, count = statements()
    assert count == 1
    made(db, team, "sd", title="班组目标", submit=True, unit="GC-SD")
    with db.tenant(team.schema) as session:
        for n in range(5):
            person = add_employee(session, team.org.ids["GC-SD"], f"X{n}", f"员工{n}")
            actor = team.actor(session, "sd")
            goal = service.create_goal(
                session,
                actor,
                service.GoalData(title=f"个人{n}", target="1"),
                period="2026-Q3",
                employee=person,
            )
            service.submit(session, actor, goal)
    many, count = statements()
    assert count >= 2
    assert many == one, "\n".join(s[:90] for s in seen_last)
