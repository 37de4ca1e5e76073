"""The tree page and every action, as plain form posts and as HTMX requests."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee
from tests.org.conftest import HTMX, add_employee, log_in, token, unit_row


@pytest.fixture
def admin(client, org):
    log_in(client, org)
    return client


def tree_part(body: str) -> str:
    return body.split('id="org-tree"', 1)[1]


def counts(db, org) -> tuple[int, int]:
    """(units, audit rows): a refused change must leave both as they were."""
    with db.tenant(org.schema) as session:
        return (
            session.scalar(select(func.count()).select_from(OrgUnit)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def post(client, org, path: str, data: dict | None = None, htmx: bool = False):
    headers = {**HTMX, "HX-Current-URL": f"http://localhost{org.url()}"} if htmx else {}
    return client.post(
        org.url(path), data={"csrf_token": token(client, org), **(data or {})}, headers=headers
    )


def unit_values(**values) -> dict:
    return {"name": "", "code": "", "kind": "department", "category": "", "manager": ""} | values


def test_tree_page_shows_the_whole_tree_with_kinds_categories_and_counts(admin, db, org):
    with db.tenant(org.schema) as session:
        boss = add_employee(session, org.ids["GC"], "E100", "陈志强")
        session.get(OrgUnit, org.ids["GC"]).manager_id = boss.id
        add_employee(session, org.ids["GC-SD"], "E101", "刘电工")
    response = admin.get(org.url())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("某某物业服务有限公司", "综合管理部", "水电班组", "某某保安公司", "一线生产部门"):
        assert name in body
    assert "Manager: 陈志强" in body
    assert "2 people" in body  # 工程维修部 and the team under it
    assert "Service provider" in body and "Team" in body
    assert body.count('class="org-node') == 27
    assert 'id="org-categories"' in body and 'value="职能部门"' in body


def test_tree_page_is_in_the_tenants_language(client, db, make_tenant):
    from tests.org.conftest import make_org

    chinese = make_org(db, lambda **o: make_tenant(**{**o, "locale": "zh_CN"}))
    log_in(client, chinese)
    body = client.get(chinese.url()).get_data(as_text=True)
    assert "组织" in body and "班组" in body and "服务商" in body


def test_archived_units_show_only_with_the_toggle(admin, db, org):
    assert post(admin, org, f"units/{org.ids['PZ']}/archive").status_code == 302
    assert "品质管理部" not in tree_part(admin.get(org.url()).get_data(as_text=True))
    shown = tree_part(admin.get(org.url("?archived=1")).get_data(as_text=True))
    assert "品质管理部" in shown and "Restore" not in shown  # actions stay in the panel
    panel = admin.get(org.url(f"units/{org.ids['PZ']}"), headers=HTMX).get_data(as_text=True)
    assert "Restore" in panel and "Archived" in panel


def test_the_tree_costs_the_same_queries_for_2000_units(admin, app, db, org):
    def queries_for_tree() -> int:
        seen: list[str] = []
        engine = app.extensions["kaohe.db"].engine

        def listen(conn, cursor, statement, *args):
            # The registry row is re-read every half second whatever the page: not counted.
            if "public.tenant" not in statement:
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            response = admin.get(org.url())
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert response.status_code == 200
        return len(seen), response.get_data(as_text=True)

    small, _ = queries_for_tree()
    with db.tenant(org.schema) as session:
        parent = session.get(OrgUnit, org.ids["XM"])
        for n in range(1973):  # 27 + 1,973 = 2,000, spread over ~40 sites with teams
            site = n // 50
            if n % 50 == 0:
                holder = OrgUnit(
                    name=f"站点{site}", code=f"S{site}", kind="site", path="", position=n
                )
                holder.parent_id = parent.id
                session.add(holder)
                session.flush()
                holder.path = f"{parent.path}{holder.id}/"
                continue
            team = OrgUnit(
                name=f"班组{n}", code=f"T{n}", kind="team", parent_id=holder.id, path="", position=n
            )
            session.add(team)
            session.flush()
            team.path = f"{holder.path}{team.id}/"
    large, body = queries_for_tree()
    assert large == small
    # Closed branches of so large a tree are drawn when opened: 27 units and 40 sites now.
    assert body.count('class="org-node') == 67
    assert body.count('class="org-lazy"') == 40
    assert "2000 units" in body  # the totals still cover the whole tree
    site = holder.id  # the last site, holding 22 teams
    assert f'hx-get="/t/{org.slug}/org/units/{site}/children"' in body
    branch = admin.get(org.url(f"units/{site}/children"), headers=HTMX).get_data(as_text=True)
    assert branch.count('class="org-node') == 22 and "班组1972" in branch
    assert "<html" not in branch
    assert admin.get(org.url(f"units/{site}/children")).status_code == 302


def test_create_with_a_plain_post_redirects_to_the_new_unit(admin, db, org):
    response = post(
        admin,
        org,
        f"units/{org.ids['GC']}/new",
        unit_values(name="弱电班组", kind="team", category="一线生产部门"),
    )
    assert response.status_code == 302
    with db.tenant(org.schema) as session:
        created = session.scalar(select(OrgUnit).where(OrgUnit.name == "弱电班组"))
        assert created.parent_id == org.ids["GC"] and created.code == "U0001"
    assert f"focus={created.id}" in response.headers["Location"]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unit 弱电班组 added." in page


def test_create_with_htmx_redraws_the_parent(admin, db, org):
    form = admin.get(org.url(f"units/{org.ids['GC']}/new"), headers=HTMX)
    assert form.status_code == 200 and 'hx-post="' in form.get_data(as_text=True)
    assert "<html" not in form.get_data(as_text=True)
    response = post(
        admin, org, f"units/{org.ids['GC']}/new", unit_values(name="弱电班组", kind="team"), True
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#unit-{org.ids['GC']}"
    assert f'class="org-node" id="unit-{org.ids["GC"]}"' in body
    assert "弱电班组" in body and "水电班组" in body
    assert 'hx-swap-oob="true"' in body and "Unit 弱电班组 added." in body


def test_create_at_the_top_level_redraws_the_tree(admin, org):
    response = post(admin, org, "units/new", unit_values(name="第二公司", kind="company"), True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#org-tree"
    body = response.get_data(as_text=True)
    assert "第二公司" in body
    # The add form above the tree closes, and the counts above it are redrawn.
    assert '<div id="org-top-form" class="org-form-slot" hx-swap-oob="true"></div>' in body
    summary = body.split('id="org-summary"', 1)[1].split("</p>", 1)[0]
    assert 'hx-swap-oob="true"' in summary and "28 units" in summary


def test_a_change_that_adds_or_removes_units_redraws_the_counts(admin, org):
    response = post(
        admin, org, f"units/{org.ids['GC']}/new", unit_values(name="弱电班组", kind="team"), True
    )
    assert "28 units" in response.get_data(as_text=True).split('id="org-summary"', 1)[1]
    response = post(admin, org, f"units/{org.ids['PZ']}/archive", {}, True)
    assert "27 units" in response.get_data(as_text=True).split('id="org-summary"', 1)[1]
    renamed = post(admin, org, f"units/{org.ids['KF']}/rename", {"name": "客户服务中心"}, True)
    assert "org-summary" not in renamed.get_data(as_text=True)  # no count changed


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("values", "message"),
    [
        (unit_values(name=""), "Enter a name."),
        (unit_values(name="新班", code="BJ-1"), "Another unit already has the code BJ-1."),
        (unit_values(name="新班", code="a b"), "without spaces"),
        (unit_values(name="新班", kind="galaxy"), "Not a valid choice"),
        (unit_values(name="水电班组"), "There is already a unit called 水电班组 there."),
        (
            unit_values(name="新班", manager="NOPE-1"),
            "Nobody is called NOPE-1 or has that employee number.",
        ),
    ],
)
def test_bad_input_to_create_is_400_with_the_message_and_writes_nothing(
    admin, db, org, htmx, values, message
):
    before = counts(db, org)
    response = post(admin, org, f"units/{org.ids['GC']}/new", values, htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert "HX-Retarget" not in response.headers
    assert ("<html" in body) is not htmx
    assert counts(db, org) == before


def test_rename_inline_with_htmx_and_as_a_page(admin, db, org):
    path = f"units/{org.ids['KF']}/rename"
    inline = admin.get(org.url(path), headers=HTMX).get_data(as_text=True)
    assert f'id="unit-{org.ids["KF"]}-name"' in inline and "autofocus" in inline
    assert "data-org-cancel" in inline and "<html" not in inline
    page = admin.get(org.url(path)).get_data(as_text=True)
    assert "<html" in page and 'value="客服中心"' in page

    response = post(admin, org, path, {"name": "客户服务中心"}, True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#unit-{org.ids['KF']}-row"
    assert "客户服务中心" in response.get_data(as_text=True)
    assert post(admin, org, path, {"name": "客服部"}).status_code == 302
    assert unit_row(db, org, "KF").name == "客服部"

    cancel = admin.get(org.url(f"units/{org.ids['KF']}/row"), headers=HTMX)
    assert cancel.status_code == 200 and "客服部" in cancel.get_data(as_text=True)
    assert admin.get(org.url(f"units/{org.ids['KF']}/row")).status_code == 302


@pytest.mark.parametrize("htmx", [False, True])
def test_rename_to_nothing_is_400(admin, db, org, htmx):
    before = counts(db, org)
    response = post(admin, org, f"units/{org.ids['KF']}/rename", {"name": "   "}, htmx)
    assert response.status_code == 400 and "Enter a name." in response.get_data(as_text=True)
    assert unit_row(db, org, "KF").name == "客服中心" and counts(db, org) == before


def test_edit_details_and_manager(admin, db, org):
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["BJ"], "E200", "何主管", initials="hzg")
    path = f"units/{org.ids['BJ']}/edit"
    form = admin.get(org.url(path), headers=HTMX).get_data(as_text=True)
    assert 'value="保洁部"' in form and 'list="org-categories"' in form
    assert "manager_options" not in form and "/org/managers" in form
    values = unit_values(
        name="保洁绿化部", code="BJ", kind="department", category="一线生产部门", manager="E200"
    )
    response = post(admin, org, path, values, True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#unit-{org.ids['BJ']}-row"
    body = response.get_data(as_text=True)
    assert "Manager: 何主管" in body and f'id="unit-{org.ids["BJ"]}-panel"' in body
    unit = unit_row(db, org, "BJ")
    assert unit.name == "保洁绿化部" and unit.manager_id is not None
    assert 'value="E200"' in admin.get(org.url(path)).get_data(as_text=True)
    # Clearing the manager field removes the manager.
    assert post(admin, org, path, {**values, "manager": ""}).status_code == 302
    assert unit_row(db, org, "BJ").manager_id is None


@pytest.mark.parametrize("typed", ["E200", "何主管", " 何主管 "])
def test_a_manager_typed_in_full_without_picking_is_taken(admin, db, org, typed):
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["BJ"], "E200", "何主管")
    values = unit_values(name="保洁部", code="BJ", manager=typed)
    assert post(admin, org, f"units/{org.ids['BJ']}/edit", values, True).status_code == 200
    assert unit_row(db, org, "BJ").manager_id is not None


def test_a_shared_name_for_the_manager_asks_to_pick_one(admin, db, org):
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["BJ"], "E201", "王芳")
        add_employee(session, org.ids["KF"], "E202", "王芳")
    values = unit_values(name="保洁部", code="BJ", manager="王芳")
    response = post(admin, org, f"units/{org.ids['BJ']}/edit", values, True)
    assert response.status_code == 400
    assert "More than one person is called 王芳" in response.get_data(as_text=True)
    assert unit_row(db, org, "BJ").manager_id is None


def test_manager_suggestions_match_name_number_and_initials(admin, db, org):
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["BJ"], "E300", "黄晓明", initials="hxm")
        add_employee(session, org.ids["BJ"], "E301", "黄离职", initials="hlz", status="left")
    for text in ("晓明", "E300", "hx"):
        body = admin.get(org.url(f"managers?manager={text}"), headers=HTMX).get_data(as_text=True)
        assert 'value="E300"' in body and "保洁部" in body, text
    assert "E301" not in admin.get(org.url("managers?manager=黄")).get_data(as_text=True)


def test_move_with_htmx_and_as_a_plain_post(admin, db, org):
    path = f"units/{org.ids['GC-DT']}/move"
    form = admin.get(org.url(path), headers=HTMX).get_data(as_text=True)
    assert "电梯维保班组" not in form.split("<select")[1].split("</select>")[0]  # not itself
    assert "Top level" in form
    response = post(admin, org, path, {"parent": str(org.ids["WB"])}, True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#org-tree"
    assert "show:" in response.headers["HX-Reswap"]
    with db.tenant(org.schema) as session:
        moved = session.get(OrgUnit, org.ids["GC-DT"])
        outsourced = session.get(OrgUnit, org.ids["WB"])
        assert moved.path == f"{outsourced.path}{moved.id}/"
    assert post(admin, org, path, {"parent": "top"}).status_code == 302
    assert unit_row(db, org, "GC-DT").path == f"{org.ids['GC-DT']}/"


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("target", ["GC", "GC-SD"])
def test_move_into_its_own_subtree_is_refused_inline(admin, db, org, htmx, target):
    before = counts(db, org)
    paths = unit_row(db, org, "GC").path, unit_row(db, org, "GC-SD").path
    response = post(admin, org, f"units/{org.ids['GC']}/move", {"parent": org.ids[target]}, htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be moved under" in body
    assert (unit_row(db, org, "GC").path, unit_row(db, org, "GC-SD").path) == paths
    assert counts(db, org) == before


@pytest.mark.parametrize("parent", ["", "abc", "999999"])
def test_move_to_nowhere_is_400(admin, db, org, parent):
    before = counts(db, org)
    response = post(admin, org, f"units/{org.ids['GC']}/move", {"parent": parent}, True)
    assert response.status_code == 400
    assert counts(db, org) == before


def test_archive_refused_with_people_then_allowed_after_moving_them(admin, db, org):
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["ZX-MG"], "E400", "门卫甲")
        add_employee(session, org.ids["ZX-XL"], "E401", "巡逻乙")
    before = counts(db, org)
    for htmx in (True, False):
        response = post(admin, org, f"units/{org.ids['ZX']}/archive", htmx=htmx)
        body = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "2 people still belong to 秩序维护部" in body and "Move them" in body
    assert counts(db, org) == before and unit_row(db, org, "ZX").archived_at is None

    with db.tenant(org.schema) as session:
        for person in session.scalars(select(Employee)):
            person.unit_id = org.ids["BJ-1"]
    response = post(admin, org, f"units/{org.ids['ZX']}/archive", htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#org-tree"
    assert "秩序维护部" not in response.get_data(as_text=True).split("org-status")[0]
    assert unit_row(db, org, "ZX-MG").archived_at is not None

    response = post(admin, org, f"units/{org.ids['ZX']}/restore")
    assert response.status_code == 302
    assert unit_row(db, org, "ZX-MG").archived_at is None


def test_archive_without_a_csrf_token_is_refused(admin, db, org):
    response = admin.post(org.url(f"units/{org.ids['PZ']}/archive"))
    assert response.status_code == 400
    assert unit_row(db, org, "PZ").archived_at is None


def test_unit_page_works_without_javascript(admin, org):
    page = admin.get(org.url(f"units/{org.ids['GC']}")).get_data(as_text=True)
    assert "<html" in page and "hx-get" not in page.split('class="org-crumbs"')[1]
    for action in ("/new", "/rename", "/edit", "/move", "/archive"):
        assert f"/org/units/{org.ids['GC']}{action}" in page
    assert "水电班组" in page  # the units under it


def test_unknown_unit_is_404(admin, org):
    for path in ("units/999999", "units/999999/edit", "units/999999/move", "units/999999/new"):
        assert admin.get(org.url(path)).status_code == 404
    assert post(admin, org, "units/999999/archive").status_code == 404
