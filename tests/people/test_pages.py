"""The people pages as a user meets them: the list (full page and HTMX fragment), the profile,
the employee form with its errors, and the eligibility settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from saas.models.audit import AuditEntry
from saas.models.eligibility import EligibilityRule
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.user import Role
from tests.conftest import csrf_token
from tests.people.conftest import add_employee, logged_in, user_with

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def base(org) -> str:
    return f"/t/{org.tenant.slug}/people"


def post(client, org, path: str, data: dict):
    token = csrf_token(client, f"/t/{org.tenant.slug}/login")
    return client.post(base(org) + path, data={**data, "csrf_token": token})


@pytest.fixture
def admin(app, org):
    client = logged_in(app, org)
    client.post(
        "/lang",
        data={"lang": "en", "csrf_token": csrf_token(client, f"/t/{org.tenant.slug}/login")},
    )
    return client


# -- the list -----------------------------------------------------------------------------


def test_list_page_has_live_search_that_updates_the_address(admin, org):
    page = admin.get(base(org) + "/?q=zsf").get_data(as_text=True)
    assert "<html" in page and 'id="results"' in page
    search = re.search(r'<input type="search"[^>]*>', page, re.S)[0]
    assert 'hx-trigger="input changed delay:250ms' in search
    assert 'hx-push-url="true"' in search and 'hx-target="#results"' in search
    assert 'value="zsf"' in search
    assert "张三丰" in page and "李小红" not in page


def test_htmx_request_gets_only_the_results_fragment(admin, org):
    response = admin.get(base(org) + f"/?unit={org.office}", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="results"')
    assert "李小红" in body and "张三丰" not in body
    assert "HX-Request" in response.headers["Vary"]
    # A history restore (back button after a cache miss) needs the whole page.
    restore = admin.get(
        base(org) + "/", headers={**HTMX, "HX-History-Restore-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" in restore


def test_unit_select_lists_visible_units_as_a_tree(admin, org):
    page = admin.get(base(org) + f"/?unit={org.canteen}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', page)
    labels = [label for _value, _sel, label in options]
    assert labels == ["总公司", "\u3000后勤服务中心", "\u3000\u3000餐饮班组", "\u3000综合办公室"]
    assert [value for value, selected, _label in options if selected] == [str(org.canteen)]


def test_pagination_links_keep_the_filters(admin, db, org):
    with db.tenant(org.schema) as session:
        office = session.get(OrgUnit, org.office)
        for i in range(120):
            add_employee(session, f"P{i:04d}", f"员工{i}", office, status="on_leave")
    page = admin.get(base(org) + f"/?status=on_leave&unit={org.office}&page=2").get_data(
        as_text=True
    )
    assert "51–100 of 120 people" in page
    assert page.count("<tr>") == 51  # header + 50 rows
    links = set(re.findall(r'href="([^"]*page=\d[^"]*)"', page))
    assert links, page
    for link in links:
        assert "status=on_leave" in link and f"unit={org.office}" in link
    assert 'aria-current="page">2<' in page


def test_empty_search_offers_a_way_back(admin, org):
    page = admin.get(base(org) + "/?q=nobody-like-this").get_data(as_text=True)
    assert "No one matches this search." in page


def test_list_page_query_count_does_not_grow_with_rows(app, admin, db, org):
    engine = app.extensions["kaohe.db"].engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        # The registry row is re-read every half second whatever the page: not counted.
        if "public.tenant" not in statement:
            statements.append(statement)

    def statements_for(url: str) -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = statements_for(base(org) + "/")
    with db.tenant(org.schema) as session:
        units = [session.get(OrgUnit, org.office), session.get(OrgUnit, org.canteen)]
        for i in range(80):
            add_employee(
                session,
                f"N{i:03d}",
                f"员工{i}",
                units[i % 2],
                position_level_id=org.levels["员工"],
                manager_id=org.boss,
            )
    many = statements_for(base(org) + "/")
    assert many == few, statements
    # Login/user/scope lookups + unit options + count + one page of rows.
    assert many <= 8, statements
    # The page of rows is one statement, with the unit and level names joined in.
    (rows,) = [s for s in statements if re.search(r"\bLIMIT\b", s)]
    assert "JOIN" in rows and "position_level" in rows


# -- the profile --------------------------------------------------------------------------


def test_profile_shows_path_manager_reports_account_and_eligibility(app, db, org):
    user_with(db, org, "cook@example.com", Role.EMPLOYEE, Role.INSPECTOR, employee=org.cook)
    client = logged_in(app, org)
    client.post(
        "/lang",
        data={"lang": "en", "csrf_token": csrf_token(client, f"/t/{org.tenant.slug}/login")},
    )
    cook = client.get(f"{base(org)}/{org.cook}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', cook, re.S)[0]
    assert [c.strip() for c in re.findall(r">([^<>]+)</a>", crumbs)] == [
        "总公司",
        "后勤服务中心",
        "餐饮班组",
    ]
    assert f'href="/t/{org.tenant.slug}/people/{org.boss}"' in cook  # the manager
    assert "cook@example.com" in cook and "Inspector" in cook and "Employee" in cook
    assert "Assessed: yes" in cook
    boss = client.get(f"{base(org)}/{org.boss}").get_data(as_text=True)
    assert "Assessed: no" in boss
    assert (
        "Position level 部门主管 is at or above 部门主管 (rule: 部门主管以上不在考核范围)" in boss
    )
    assert f'href="/t/{org.tenant.slug}/people/{org.cook}"' in boss  # a direct report
    assert "No account is linked" in boss


def test_profile_of_someone_who_left_says_why_they_are_not_assessed(admin, db, org):
    with db.tenant(org.schema) as session:
        session.get(Employee, org.clerk).status = "left"
    page = admin.get(f"{base(org)}/{org.clerk}").get_data(as_text=True)
    assert "Assessed: no" in page and "people who have left are not assessed" in page


def test_unknown_profile_is_404(admin, org):
    assert admin.get(f"{base(org)}/999999").status_code == 404


# -- the employee form --------------------------------------------------------------------


def new_employee(org, **changes) -> dict:
    values = {
        "number": "E300",
        "name": "欧阳明月",
        "unit_id": str(org.office),
        "position": "文员",
        "position_level_id": str(org.levels["员工"]),
        "employment_form": "实习生",
        "manager": "E200",
        "hire_date": "2025-09-01",
        "status": "active",
    }
    values.update(changes)
    return values


def test_adding_an_employee_through_the_form(admin, db, org):
    response = post(admin, org, "/new", new_employee(org))
    assert response.status_code == 302
    with db.tenant(org.schema) as session:
        employee = session.scalar(select(Employee).where(Employee.number == "E300"))
        assert (employee.initials, employee.manager_id) == ("oymy", org.clerk)
        assert str(employee.hire_date) == "2025-09-01"
        assert session.scalar(
            select(func.count()).where(
                AuditEntry.action == "employee.created", AuditEntry.record_id == str(employee.id)
            )
        )
    assert response.headers["Location"].endswith(f"/people/{employee.id}")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": "E101"}, "Employee number E101 is already in use."),
        ({"number": ""}, "Enter the employee number."),
        ({"unit_id": ""}, "Choose a unit"),
        ({"unit_id": "abc"}, "Not a valid choice"),
        ({"manager": "E999"}, "No employee with number E999."),
        ({"hire_date": "2025-13-45"}, "date"),
        ({"status": "retired"}, "Not a valid choice"),
        ({"name": "名" * 101}, "100"),
        ({"mobile": "12345"}, "Enter a mainland mobile number of 11 digits"),
        ({"mobile": "+1 650 253 0000"}, "Enter a mainland mobile number of 11 digits"),
        ({"email": "no-at-sign"}, "Enter an e-mail address like name@example.com."),
    ],
)
def test_form_errors_are_shown_next_to_the_field_with_400(admin, db, org, changes, message):
    response = post(admin, org, "/new", new_employee(org, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'class="field-error">[^<]*' + re.escape(message), body), body
    assert 'aria-invalid="true"' in body
    with db.tenant(org.schema) as session:
        assert session.scalar(select(func.count()).select_from(Employee)) == 3


def test_editing_refuses_a_manager_circle_in_the_form(admin, db, org):
    data = new_employee(
        org, number="E100", name="王经理", unit_id=str(org.logistics), manager="E101"
    )
    response = post(admin, org, f"/{org.boss}/edit", data)
    assert response.status_code == 400
    assert "circle of managers" in response.get_data(as_text=True)
    with db.tenant(org.schema) as session:
        assert session.get(Employee, org.boss).manager_id is None


def test_edit_form_is_filled_with_the_current_values(admin, org):
    page = admin.get(f"{base(org)}/{org.cook}/edit").get_data(as_text=True)
    assert 'value="E101"' in page and 'value="张三丰"' in page
    assert re.search(r'name="manager"[^>]*value="E100"', page)
    assert re.search(
        rf'<option selected value="{org.canteen}"|<option value="{org.canteen}" selected', page
    )
    assert 'value="2020-03-01"' in page


def test_manager_suggestions(admin, org):
    body = admin.get(base(org) + "/lookup?manager=zsf").get_data(as_text=True)
    assert '<option value="E101">张三丰 · 餐饮班组</option>' in body
    assert admin.get(base(org) + "/lookup?manager=").get_data(as_text=True).strip() == ""


# -- settings -----------------------------------------------------------------------------


def test_levels_can_be_added_renamed_reranked_and_deleted_when_unused(admin, db, org):
    assert (
        post(admin, org, "/settings/levels", {"name": "高级技师", "rank": "2"}).status_code == 302
    )
    with db.tenant(org.schema) as session:
        level = session.scalar(select(PositionLevel).where(PositionLevel.name == "高级技师"))
    renamed = {f"level-{level.id}-name": "首席技师", f"level-{level.id}-rank": "3"}
    assert post(admin, org, f"/settings/levels/{level.id}", renamed).status_code == 302
    page = admin.get(base(org) + "/settings/levels").get_data(as_text=True)
    assert 'value="首席技师"' in page
    assert post(admin, org, f"/settings/levels/{level.id}/delete", {}).status_code == 302
    with db.tenant(org.schema) as session:
        assert session.get(PositionLevel, level.id) is None
        actions = session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.record_id == str(level.id), AuditEntry.record_type == "position_level"
            )
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["position_level.created", "position_level.updated", "position_level.deleted"]


def test_level_errors_are_shown_and_used_levels_are_kept(admin, db, org):
    duplicate = post(admin, org, "/settings/levels", {"name": "员工", "rank": "1"})
    assert duplicate.status_code == 400
    assert "A position level named 员工 exists already." in duplicate.get_data(as_text=True)
    bad_rank = post(admin, org, "/settings/levels", {"name": "新级别", "rank": "0"})
    assert bad_rank.status_code == 400
    used = org.levels["部门主管"]  # held by the boss and named by the reference rule
    refused = post(admin, org, f"/settings/levels/{used}/delete", {})
    assert refused.status_code == 400
    assert "still used by 1 employee and 1 rule" in refused.get_data(as_text=True)
    clash = {f"level-{used}-name": "员工", f"level-{used}-rank": "3"}
    assert post(admin, org, f"/settings/levels/{used}", clash).status_code == 400
    with db.tenant(org.schema) as session:
        assert session.get(PositionLevel, used).name == "部门主管"


def test_rules_page_adds_each_kind_and_removes(admin, db, org):
    page = admin.get(base(org) + "/settings/rules").get_data(as_text=True)
    assert "部门主管以上不在考核范围" in page and "badge-default" in page
    assert '<option value="一线生产部门">' in page  # categories in use are suggested
    added = [
        post(
            admin,
            org,
            "/settings/rules/level_at_least",
            {"level-position_level_id": str(org.levels["班组长"]), "level-note": ""},
        ),
        post(
            admin,
            org,
            "/settings/rules/unit_category",
            {"category-value": "职能部门", "category-note": "机关另行考核"},
        ),
        post(admin, org, "/settings/rules/employment_form", {"form-value": "外包人员"}),
    ]
    assert [r.status_code for r in added] == [302, 302, 302]
    missing = post(admin, org, "/settings/rules/unit_category", {"category-value": ""})
    assert missing.status_code == 400 and "Enter a value." in missing.get_data(as_text=True)
    again = post(admin, org, "/settings/rules/employment_form", {"form-value": "外包人员"})
    assert again.status_code == 400 and "This rule exists already." in again.get_data(as_text=True)
    assert post(admin, org, "/settings/rules/age", {}).status_code == 404
    with db.tenant(org.schema) as session:
        rules = session.scalars(select(EligibilityRule).order_by(EligibilityRule.id)).all()
        assert [(r.kind, r.value, r.note) for r in rules[1:]] == [
            ("level_at_least", None, None),
            ("unit_category", "职能部门", "机关另行考核"),
            ("employment_form", "外包人员", None),
        ]
        last = rules[-1].id
    assert post(admin, org, f"/settings/rules/{last}/delete", {}).status_code == 302
    with db.tenant(org.schema) as session:
        assert session.get(EligibilityRule, last) is None
    # The clerk (员工 in 职能部门) is now excluded by category, and the profile says so.
    clerk = admin.get(f"{base(org)}/{org.clerk}").get_data(as_text=True)
    assert "Unit category 职能部门 is excluded (rule: 机关另行考核)" in clerk


def test_default_ladder_button_adds_only_what_is_missing(admin, db, org):
    with db.tenant(org.schema) as session:
        session.delete(session.get(PositionLevel, org.levels["班组长"]))
    page = admin.get(base(org) + "/settings/levels").get_data(as_text=True)
    assert "Would add: 班组长." in page
    assert post(admin, org, "/settings/levels/reference", {}).status_code == 302
    with db.tenant(org.schema) as session:
        assert session.scalar(select(func.count()).select_from(PositionLevel)) == 5
        assert session.scalar(select(func.count()).select_from(EligibilityRule)) == 1
    page = admin.get(base(org) + "/settings/levels").get_data(as_text=True)
    assert "every default level" in page and "people/settings/levels/reference" not in page
