"""Who may do what in the org tree: every role against every action, and a manager reaching
outside the subtree they manage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.auth.permissions import Actor
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.user import Role
from saas.org import units
from tests.org.conftest import (
    HTMX,
    add_manager,
    add_role_user,
    log_in,
    token,
    unit_row,
)

MANAGER = "chen.gc@example.com"

# (method, path, form data); unit codes in {braces} become ids. The manager manages 工程维修部
# (GC); every unit named here is inside it, so a manager may do all of these.
ACTIONS = {
    "tree": ("GET", "", None),
    "unit": ("GET", "units/{GC-SD}", None),
    "row": ("GET", "units/{GC-SD}/row", None),
    "children": ("GET", "units/{GC}/children", None),
    "managers": ("GET", "managers?manager=M", None),
    "create form": ("GET", "units/{GC-SD}/new", None),
    "create": ("POST", "units/{GC-SD}/new", {"name": "夜间值班组", "kind": "team"}),
    "rename form": ("GET", "units/{GC-SD}/rename", None),
    "rename": ("POST", "units/{GC-SD}/rename", {"name": "水电维修班"}),
    "edit form": ("GET", "units/{GC-SD}/edit", None),
    "edit": ("POST", "units/{GC-SD}/edit", {"name": "水电班", "code": "SD", "kind": "team"}),
    "move form": ("GET", "units/{GC-DT}/move", None),
    "move": ("POST", "units/{GC-DT}/move", {"parent": "{GC-KT}"}),
    "archive": ("POST", "units/{GC-DT}/archive", {}),
    "restore": ("POST", "units/{GC-ARCHIVED}/restore", {}),
}
READS = {"tree", "unit", "row", "children", "managers"}
FRAGMENTS = {"row", "children"}  # a plain GET of these redirects to a page


@pytest.fixture
def prepared(db, org):
    """The org with a manager for GC, the other roles, and an archived unit inside GC."""
    add_manager(db, org, "GC", MANAGER)
    for role in (Role.COMMITTEE, Role.INSPECTOR, Role.EMPLOYEE):
        add_role_user(db, org, f"{role}@example.com", role)
    with db.tenant(org.schema) as session:
        old = units.create_unit(
            session,
            Actor.system("seed"),
            session.get(OrgUnit, org.ids["GC"]),
            name="旧班组",
            code="OLD",
        )
        units.archive_unit(session, Actor.system("seed"), old)
        org.ids["GC-ARCHIVED"] = old.id
    return org


def fill(org, text: str) -> str:
    for code, unit_id in org.ids.items():
        text = text.replace("{" + code + "}", str(unit_id))
    return text


def send(client, org, action: str, htmx: bool = False):
    method, path, data = ACTIONS[action]
    headers = HTMX if htmx or action in FRAGMENTS else {}
    if method == "GET":
        return client.get(org.url(fill(org, path)), headers=headers)
    data = {k: fill(org, v) for k, v in (data or {}).items()}
    return client.post(
        org.url(fill(org, path)),
        data={"csrf_token": token(client, org), **data},
        headers=headers,
    )


def footprint(db, org) -> tuple:
    with db.tenant(org.schema) as session:
        return (
            sorted(session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.path)).all()),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def as_role(client, org, role: str):
    emails = {"admin": None, "manager": MANAGER}
    log_in(client, org, emails.get(role, f"{role}@example.com"))
    return client


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ["admin", "manager"])
def test_admins_and_the_units_manager_may_do_everything_inside(client, db, prepared, role, action):
    response = send(as_role(client, prepared, role), prepared, action)
    expected = 200 if ACTIONS[action][0] == "GET" else 302
    assert response.status_code == expected, response.get_data(as_text=True)[:800]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ["committee", "inspector"])
def test_committee_and_inspectors_read_but_change_nothing(client, db, prepared, role, action):
    before = footprint(db, prepared)
    as_role(client, prepared, role)
    for htmx in (False, True):
        response = send(client, prepared, action, htmx)
        assert response.status_code == (200 if action in READS else 403), action
    assert footprint(db, prepared) == before
    if action == "tree":
        body = response.get_data(as_text=True)
        assert "某某保安公司" in body and "Add a top-level unit" not in body
        assert "is-editable" not in body and "Details" in body


@pytest.mark.parametrize("action", list(ACTIONS))
def test_employees_cannot_see_the_tree(client, db, prepared, action):
    before = footprint(db, prepared)
    response = send(as_role(client, prepared, "employee"), prepared, action)
    assert response.status_code == 403
    assert "水电班组" not in response.get_data(as_text=True)
    assert footprint(db, prepared) == before


def test_the_menu_offers_the_tree_to_those_who_see_it(client, prepared):
    for role, shown in (("manager", True), ("committee", True), ("employee", False)):
        browser = client.application.test_client()
        home = as_role(browser, prepared, role).get(f"/t/{prepared.slug}/").get_data(as_text=True)
        assert (f"/t/{prepared.slug}/org/" in home) is shown, role


def test_logged_out_visitors_are_sent_to_log_in(client, prepared):
    response = client.get(prepared.url())
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_manager_sees_only_their_subtree(client, prepared):
    body = as_role(client, prepared, "manager").get(prepared.url()).get_data(as_text=True)
    assert "工程维修部" in body and "水电班组" in body
    assert "保洁部" not in body and "某某物业服务有限公司" not in body
    assert "Add a top-level unit" not in body


OUTSIDE = [
    ("GET", "units/{BJ}"),
    ("GET", "units/{WY}"),
    ("GET", "units/{BJ-1}/row"),
    ("GET", "units/{BJ}/children"),
    ("GET", "units/{BJ}/new"),
    ("POST", "units/{BJ}/new"),
    ("GET", "units/{BJ-1}/rename"),
    ("POST", "units/{BJ-1}/rename"),
    ("GET", "units/{BJ-1}/edit"),
    ("POST", "units/{BJ-1}/edit"),
    ("GET", "units/{BJ-1}/move"),
    ("POST", "units/{BJ-1}/move"),
    ("POST", "units/{BJ-1}/archive"),
    ("POST", "units/{PZ}/archive"),
]


@pytest.mark.parametrize(("method", "path"), OUTSIDE)
def test_a_manager_reaching_outside_their_subtree_finds_nothing(client, db, prepared, method, path):
    before = footprint(db, prepared)
    as_role(client, prepared, "manager")
    url = prepared.url(fill(prepared, path))
    if method == "GET":
        response = client.get(url)
    else:
        data = {"csrf_token": token(client, prepared), "name": "x", "kind": "team", "parent": "1"}
        response = client.post(url, data=data)
    assert response.status_code == 404
    assert footprint(db, prepared) == before


def test_a_manager_cannot_move_a_unit_out_of_their_subtree(client, db, prepared):
    before = footprint(db, prepared)
    as_role(client, prepared, "manager")
    move = prepared.url(f"units/{prepared.ids['GC-SD']}/move")
    form = client.get(move).get_data(as_text=True)
    assert "保洁部" not in form and "Top level" not in form and "空调暖通班组" in form
    for target in (prepared.ids["BJ"], prepared.ids["WY"], "top"):
        response = client.post(move, data={"csrf_token": token(client, prepared), "parent": target})
        assert response.status_code in (400, 403), target
    assert footprint(db, prepared) == before


def test_a_manager_cannot_move_archive_or_hand_over_the_unit_they_manage(client, db, prepared):
    before = footprint(db, prepared)
    as_role(client, prepared, "manager")
    engineering = prepared.ids["GC"]
    assert client.get(prepared.url(f"units/{engineering}/move")).status_code == 403
    for action, data in (("move", {"parent": prepared.ids["GC-SD"]}), ("archive", {})):
        response = client.post(
            prepared.url(f"units/{engineering}/{action}"),
            data={"csrf_token": token(client, prepared), **data},
        )
        assert response.status_code == 403
    assert footprint(db, prepared) == before
    # Details yes, but the manager field is not offered and a forged one is ignored.
    edit = prepared.url(f"units/{engineering}/edit")
    assert 'name="manager"' not in client.get(edit).get_data(as_text=True)
    response = client.post(
        edit,
        data={
            "csrf_token": token(client, prepared),
            "name": "工程部",
            "code": "GC",
            "kind": "department",
            "manager": "",
        },
    )
    assert response.status_code == 302
    unit = unit_row(db, prepared, "GC")
    assert unit.name == "工程部" and unit.manager_id is not None
    panel = client.get(prepared.url(f"units/{engineering}"), headers=HTMX).get_data(as_text=True)
    assert "/archive" not in panel and "/move" not in panel and "/edit" in panel


def test_a_manager_cannot_add_a_top_level_unit(client, db, prepared):
    before = footprint(db, prepared)
    as_role(client, prepared, "manager")
    assert client.get(prepared.url("units/new")).status_code == 403
    response = client.post(
        prepared.url("units/new"),
        data={"csrf_token": token(client, prepared), "name": "新公司", "kind": "company"},
    )
    assert response.status_code == 403
    assert footprint(db, prepared) == before


def test_manager_suggestions_stay_inside_the_managers_scope(client, db, prepared):
    as_role(client, prepared, "manager")
    body = client.get(prepared.url("managers?manager=")).get_data(as_text=True)
    assert "M-GC" in body  # themself, in 工程维修部
    assert "R-committee" not in body  # 行政办公室 is outside 工程维修部
