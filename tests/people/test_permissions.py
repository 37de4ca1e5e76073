"""Who may do what on the people pages, and that no route reaches another tenant.

Matrix: tenant admin everything; manager reads and writes their subtree (404 outside);
committee and inspector read everything and write nothing; an employee sees only their own
profile; a user without an employee record gets an empty state.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.models.eligibility import EligibilityRule
from saas.models.org import PositionLevel
from saas.models.people import Employee
from saas.models.user import Role
from tests.conftest import csrf_token, login
from tests.people.conftest import logged_in, user_with


def base(org) -> str:
    return f"/t/{org.tenant.slug}/people"


def edit_form(org, employee_id: int, **changes) -> dict:
    values = {
        "number": "E101",
        "name": "张三丰",
        "unit_id": str(org.canteen),
        "position": "厨师",
        "position_level_id": str(org.levels["员工"]),
        "employment_form": "合同制",
        "manager": "E100",
        "hire_date": "2020-03-01",
        "status": "active",
    }
    values.update(changes)
    return values


def post(client, org, path: str, data: dict):
    token = csrf_token(client, f"/t/{org.tenant.slug}/login")
    return client.post(base(org) + path, data={**data, "csrf_token": token})


@pytest.fixture
def people(db, org):
    """One user per role; the manager and the employee are linked to employee records."""
    return {
        "manager": user_with(db, org, "boss@example.com", Role.MANAGER, employee=org.boss),
        "committee": user_with(db, org, "committee@example.com", Role.COMMITTEE),
        "inspector": user_with(db, org, "inspector@example.com", Role.INSPECTOR),
        "employee": user_with(db, org, "cook@example.com", Role.EMPLOYEE, employee=org.cook),
        "no_record": user_with(db, org, "newcomer@example.com", Role.EMPLOYEE),
    }


def test_tenant_admin_reads_writes_and_configures_everything(app, db, org):
    client = logged_in(app, org)
    page = client.get(base(org) + "/").get_data(as_text=True)
    assert all(name in page for name in ("王经理", "张三丰", "李小红"))
    for employee_id in (org.boss, org.cook, org.clerk):
        assert client.get(f"{base(org)}/{employee_id}").status_code == 200
        assert client.get(f"{base(org)}/{employee_id}/edit").status_code == 200
    assert client.get(base(org) + "/new").status_code == 200
    assert client.get(base(org) + "/settings/levels").status_code == 200
    assert client.get(base(org) + "/settings/rules").status_code == 200
    response = post(
        client,
        org,
        f"/{org.clerk}/edit",
        edit_form(
            org,
            org.clerk,
            **{"number": "E200", "name": "李小红", "unit_id": str(org.office), "manager": ""},
        ),
    )
    assert response.status_code == 302


def test_manager_reads_and_writes_only_their_subtree(app, db, org, people):
    client = logged_in(app, org, people["manager"])
    page = client.get(base(org) + "/").get_data(as_text=True)
    assert "张三丰" in page and "王经理" in page
    assert "李小红" not in page
    assert client.get(f"{base(org)}/{org.cook}").status_code == 200
    assert client.get(f"{base(org)}/{org.clerk}").status_code == 404
    assert client.get(f"{base(org)}/{org.clerk}/edit").status_code == 404
    # Filtering by a unit outside the subtree shows nobody from it.
    outside = client.get(f"{base(org)}/?unit={org.office}").get_data(as_text=True)
    assert "李小红" not in outside
    # Writes inside the subtree work; outside they are not found.
    inside = post(client, org, f"/{org.cook}/edit", edit_form(org, org.cook, position="主厨"))
    assert inside.status_code == 302
    clerk = edit_form(org, org.clerk, number="E200", name="改名", unit_id=str(org.office))
    assert post(client, org, f"/{org.clerk}/edit", clerk).status_code == 404
    # A new employee may go into the subtree, not elsewhere.
    assert client.get(base(org) + "/new").status_code == 200
    new_outside = post(
        client,
        org,
        "/new",
        edit_form(org, 0, number="E700", name="外人", unit_id=str(org.office), manager=""),
    )
    assert new_outside.status_code == 400
    new_inside = post(
        client, org, "/new", edit_form(org, 0, number="E701", name="新人", unit_id=str(org.canteen))
    )
    assert new_inside.status_code == 302
    # The settings are for tenant admins.
    assert client.get(base(org) + "/settings/levels").status_code == 403
    assert client.get(base(org) + "/settings/rules").status_code == 403
    with db.tenant(org.schema) as session:
        assert session.get(Employee, org.cook).position == "主厨"
        assert session.get(Employee, org.clerk).name == "李小红"
        numbers = set(session.scalars(select(Employee.number)))
    assert "E701" in numbers and "E700" not in numbers


@pytest.mark.parametrize("role", ["committee", "inspector"])
def test_committee_and_inspectors_read_everything_and_write_nothing(app, db, org, people, role):
    client = logged_in(app, org, people[role])
    page = client.get(base(org) + "/").get_data(as_text=True)
    assert all(name in page for name in ("王经理", "张三丰", "李小红"))
    assert client.get(f"{base(org)}/{org.clerk}").status_code == 200
    profile = client.get(f"{base(org)}/{org.cook}").get_data(as_text=True)
    assert f"/people/{org.cook}/edit" not in profile
    assert client.get(f"{base(org)}/{org.cook}/edit").status_code == 403
    assert (
        post(client, org, f"/{org.cook}/edit", edit_form(org, org.cook, name="改名")).status_code
        == 403
    )
    assert client.get(base(org) + "/new").status_code == 403
    assert post(client, org, "/new", edit_form(org, 0, number="E800")).status_code == 403
    assert client.get(base(org) + "/settings/levels").status_code == 403
    assert post(client, org, "/settings/levels", {"name": "x", "rank": "9"}).status_code == 403
    with db.tenant(org.schema) as session:
        assert session.get(Employee, org.cook).name == "张三丰"


def test_an_employee_sees_only_their_own_profile(app, db, org, people):
    client = logged_in(app, org, people["employee"])
    response = client.get(base(org) + "/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{org.cook}")
    own = client.get(f"{base(org)}/{org.cook}")
    assert own.status_code == 200 and "张三丰" in own.get_data(as_text=True)
    assert client.get(f"{base(org)}/{org.clerk}").status_code == 404
    assert client.get(f"{base(org)}/{org.boss}").status_code == 404
    # An employee may edit nobody (people.change): refused before any record is looked up,
    # so the answer says nothing about who exists.
    assert client.get(f"{base(org)}/{org.cook}/edit").status_code == 403
    assert client.get(f"{base(org)}/{org.clerk}/edit").status_code == 403
    assert client.get(base(org) + "/new").status_code == 403
    assert client.get(base(org) + "/lookup?manager=E").status_code == 403
    assert client.get(base(org) + "/settings/rules").status_code == 403
    assert (
        post(client, org, f"/{org.cook}/edit", edit_form(org, org.cook, name="改名")).status_code
        == 403
    )


def test_a_user_without_an_employee_record_sees_an_empty_state(app, org, people):
    client = logged_in(app, org, people["no_record"])
    response = client.get(base(org) + "/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="empty"' in page and 'id="results"' not in page
    assert "张三丰" not in response.get_data(as_text=True)
    assert client.get(f"{base(org)}/{org.cook}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(app, org):
    client = app.test_client()
    for path in ("/", f"/{org.cook}", f"/{org.cook}/edit", "/new", "/settings/levels"):
        response = client.get(base(org) + path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_no_route_reaches_another_tenant(app, db, org, make_tenant):
    """Log in at tenant B; try A's ids through B's URLs and A's URLs."""
    with db.tenant(org.schema) as session:
        rule_id = session.scalar(select(EligibilityRule.id))
        level = org.levels["员工"]
        session.add(PositionLevel(name="甲单位专属职级", rank=9))
    other = make_tenant(name="乙单位")
    intruder = app.test_client()
    assert login(intruder, other).status_code == 302
    b = f"/t/{other.slug}/people"
    token = csrf_token(intruder, f"/t/{other.slug}/login")
    for path in (f"/{org.cook}", f"/{org.cook}/edit"):
        response = intruder.get(b + path)
        assert response.status_code == 404
        assert "张三丰" not in response.get_data(as_text=True)
    assert "张三丰" not in intruder.get(b + "/?q=zsf").get_data(as_text=True)
    assert "张三丰" not in intruder.get(b + "/lookup?manager=zsf").get_data(as_text=True)
    for path in ("/settings/levels", "/settings/rules"):
        page = intruder.get(b + path).get_data(as_text=True)
        assert "甲单位专属职级" not in page and "部门主管以上不在考核范围</div>" not in page
    # A's level id means nothing at B: the rule is refused there and A is untouched.
    refused = intruder.post(
        b + "/settings/rules/level_at_least",
        data={"level-position_level_id": str(level), "csrf_token": token},
    )
    assert refused.status_code == 400
    writes = {
        f"/{org.cook}/edit": edit_form(org, org.cook, name="入侵"),
        f"/settings/levels/{level}": {f"level-{level}-name": "入侵", f"level-{level}-rank": "1"},
        f"/settings/levels/{level}/delete": {},
        f"/settings/rules/{rule_id}/delete": {},
    }
    for path, data in writes.items():
        assert intruder.post(b + path, data={**data, "csrf_token": token}).status_code == 404
    # Through A's own URLs the B session is not a login at all.
    a = base(org)
    for path in ("/", f"/{org.cook}", f"/{org.cook}/edit", "/settings/levels", "/settings/rules"):
        assert intruder.get(a + path).status_code == 302
    for path, data in writes.items():
        assert intruder.post(a + path, data={**data, "csrf_token": token}).status_code in (302, 400)
    with db.tenant(org.schema) as session:
        assert session.get(Employee, org.cook).name == "张三丰"
        assert session.get(PositionLevel, level).name == "员工"
        assert session.get(EligibilityRule, rule_id) is not None


def test_a_team_manager_keeps_a_manager_they_cannot_see_but_cannot_pick_one(app, db, org):
    """The canteen's leader edits a cook who reports to the department head above them."""
    from saas.models.org import OrgUnit
    from tests.people.conftest import add_employee

    with db.tenant(org.schema) as session:
        canteen = session.get(OrgUnit, org.canteen)
        leader = add_employee(session, "E150", "赵班长", canteen)
        canteen.manager_id = leader.id
        leader_id = leader.id
    email = user_with(db, org, "leader@example.com", Role.MANAGER, employee=leader_id)
    client = logged_in(app, org, email)
    assert client.get(f"{base(org)}/{org.boss}").status_code == 404
    unchanged = post(client, org, f"/{org.cook}/edit", edit_form(org, org.cook, position="面点师"))
    assert unchanged.status_code == 302
    outside = post(client, org, f"/{org.cook}/edit", edit_form(org, org.cook, manager="E200"))
    assert outside.status_code == 400
    assert "E200" in outside.get_data(as_text=True)
    with db.tenant(org.schema) as session:
        cook = session.get(Employee, org.cook)
        assert (cook.position, cook.manager_id) == ("面点师", org.boss)
