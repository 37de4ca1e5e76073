"""The org tree service against a real tenant schema: create, edit, move, archive, restore."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from saas.auth.permissions import Actor, Refused
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.models.user import Role
from saas.org import units
from saas.org.access import Scope
from saas.validation import Invalid
from tests.org.conftest import ADMIN, add_employee

ACTOR = "hr@example.com"
AS_ADMIN = Actor.system(ACTOR)


def acting(scope: Scope, role: Role = Role.MANAGER) -> Actor:
    return Actor(None, ACTOR, frozenset({role}), scope)


@pytest.fixture
def session(app, db, org):
    # Messages are lazy strings: render them in a request context, in English.
    with app.test_request_context(), force_locale("en"), db.tenant(org.schema) as session:
        yield session


def unit(session, org, code: str) -> OrgUnit:
    return session.get(OrgUnit, org.ids[code])


def audit_rows(session, record_id: int, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.record_type == "org_unit", AuditEntry.record_id == str(record_id)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query.order_by(AuditEntry.id)))


def three_levels(session, org, parent_code: str = "WY") -> tuple[OrgUnit, OrgUnit, OrgUnit]:
    """区域中心 → 维修组 → 夜班 under ``parent_code``."""
    top = units.create_unit(
        session, AS_ADMIN, unit(session, org, parent_code), name="区域中心", code="QY"
    )
    middle = units.create_unit(session, AS_ADMIN, top, name="维修组", kind="team")
    bottom = units.create_unit(session, AS_ADMIN, middle, name="夜班", kind="team")
    return top, middle, bottom


def test_example_org_has_a_realistic_tree(session, org):
    all_units = list(session.scalars(select(OrgUnit)))
    assert len(all_units) == 27
    company = unit(session, org, "WY")
    assert company.parent_id is None and company.path == f"{company.id}/"
    water = unit(session, org, "GC-SD")
    assert water.name == "水电班组" and water.kind == "team" and water.category == "一线生产部门"
    assert water.path == f"{company.id}/{org.ids['GC']}/{water.id}/"
    assert unit(session, org, "WB-BA").kind == "provider"
    assert all(u.path.endswith(f"{u.id}/") for u in all_units)


def test_create_puts_the_unit_at_the_end_of_its_siblings_with_an_audit_row(session, org):
    engineering = unit(session, org, "GC")
    created = units.create_unit(
        session,
        AS_ADMIN,
        engineering,
        name="  弱电班组 ",
        code="GC-RD",
        kind="team",
        category="一线生产部门",
    )
    assert created.name == "弱电班组"
    assert created.path == f"{engineering.path}{created.id}/"
    assert created.position == 4  # after 水电, 空调暖通, 电梯维保
    (row,) = audit_rows(session, created.id, "unit.created")
    assert row.actor == ACTOR and row.before is None
    assert row.after["name"] == "弱电班组" and row.after["code"] == "GC-RD"
    assert row.after["path"] == created.path and row.after["parent_id"] == engineering.id


def test_blank_codes_get_readable_unique_codes(session, org):
    first = units.create_unit(session, AS_ADMIN, None, name="分公司甲", kind="company")
    second = units.create_unit(session, AS_ADMIN, first, name="部门乙", code="  ")
    assert (first.code, second.code) == ("U0001", "U0002")
    units.update_unit(session, AS_ADMIN, second, code="U0041")
    third = units.create_unit(session, AS_ADMIN, first, name="部门丙")
    assert third.code == "U0042"


def test_codes_are_unique_per_tenant_ignoring_case(session, org):
    before = session.scalar(select(func.count()).select_from(OrgUnit))
    with pytest.raises(Invalid) as refused:
        units.create_unit(session, AS_ADMIN, unit(session, org, "BJ"), name="新班", code="gc-sd")
    assert refused.value.field == "code"
    assert "gc-sd" in str(refused.value)
    with pytest.raises(Invalid):
        units.update_unit(session, AS_ADMIN, unit(session, org, "BJ"), code="KF")
    assert session.scalar(select(func.count()).select_from(OrgUnit)) == before
    # Its own code, in another case, is not a clash.
    units.update_unit(session, AS_ADMIN, unit(session, org, "BJ-1"), code="bj-1")
    assert unit(session, org, "BJ-1").code == "bj-1"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "夜班\x00"}, "name"),
        ({"name": "新部门", "code": "has space"}, "code"),
        ({"name": "新部门", "code": "C" * 41}, "code"),
        ({"name": "新部门", "kind": "division"}, "kind"),
        ({"name": "新部门", "category": "类" * 61}, "category"),
        ({"name": "保洁部"}, "name"),  # a sibling already has that name
    ],
)
def test_bad_values_are_refused_with_the_field_named(session, org, values, field):
    with pytest.raises(Invalid) as refused:
        units.create_unit(session, AS_ADMIN, unit(session, org, "WY"), **values)
    assert refused.value.field == field
    assert str(refused.value)


def test_update_audits_only_what_changed(session, org):
    cleaning = unit(session, org, "BJ")
    units.update_unit(
        session,
        AS_ADMIN,
        cleaning,
        name="保洁绿化部",
        code="BJ",
        kind="department",
        category="一线生产部门",
    )
    (row,) = audit_rows(session, cleaning.id, "unit.updated")
    assert row.before == {"name": "保洁部"} and row.after == {"name": "保洁绿化部"}
    units.rename_unit(session, AS_ADMIN, cleaning, "保洁绿化部")
    assert len(audit_rows(session, cleaning.id, "unit.updated")) == 1


def test_manager_is_an_employee_who_has_not_left(session, org):
    cleaning = unit(session, org, "BJ")
    boss = add_employee(session, cleaning.id, "E001", "李主管")
    gone = add_employee(session, cleaning.id, "E002", "赵离职", status=EmployeeStatus.LEFT)
    units.update_unit(session, AS_ADMIN, cleaning, manager=boss)
    assert cleaning.manager_id == boss.id
    (row,) = audit_rows(session, cleaning.id, "unit.updated")
    assert row.before == {"manager_id": None} and row.after == {"manager_id": boss.id}
    with pytest.raises(Invalid) as refused:
        units.update_unit(session, AS_ADMIN, cleaning, manager=gone)
    assert refused.value.field == "manager"
    with pytest.raises(Invalid):
        units.find_manager(session, ADMIN, "NO-SUCH")
    assert units.find_manager(session, ADMIN, " E001 ").id == boss.id
    assert units.find_manager(session, ADMIN, "") is None


def test_a_manager_is_found_by_number_or_by_a_name_only_one_current_employee_has(session, org):
    cleaning = unit(session, org, "BJ")
    boss = add_employee(session, cleaning.id, "E001", "李主管")
    add_employee(session, cleaning.id, "E002", "赵离职", status=EmployeeStatus.LEFT)
    add_employee(session, cleaning.id, "E003", "王芳")
    add_employee(session, cleaning.id, "E004", "王芳")
    assert units.find_manager(session, ADMIN, "李主管").id == boss.id
    assert units.find_manager(session, ADMIN, "李主管 ").id == boss.id
    with pytest.raises(Invalid, match="More than one person is called 王芳") as shared:
        units.find_manager(session, ADMIN, "王芳")
    assert shared.value.field == "manager"
    assert units.find_manager(session, ADMIN, "E003").number == "E003"  # the number decides
    with pytest.raises(Invalid, match="Nobody is called 赵离职"):
        units.find_manager(session, ADMIN, "赵离职")  # has left: not by name
    with pytest.raises(Invalid, match="Nobody is called 李"):
        units.find_manager(session, ADMIN, "李")  # a part of a name is not a name


def count_updates(session):
    statements: list[str] = []
    engine = session.get_bind()

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE") and "org_unit" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    return statements, lambda: event.remove(engine, "before_cursor_execute", listen)


def test_move_rewrites_a_three_level_subtree_in_one_update(session, org):
    top, middle, bottom = three_levels(session, org)
    session.flush()
    cleaning = unit(session, org, "BJ")
    untouched = {u.id: u.path for u in session.scalars(select(OrgUnit))}
    statements, stop = count_updates(session)
    try:
        units.move_unit(session, AS_ADMIN, top, cleaning)
    finally:
        stop()
    assert len(statements) == 1
    assert top.parent_id == cleaning.id
    assert top.path == f"{cleaning.path}{top.id}/"
    assert middle.path == f"{cleaning.path}{top.id}/{middle.id}/"
    assert bottom.path == f"{cleaning.path}{top.id}/{middle.id}/{bottom.id}/"
    assert (middle.parent_id, bottom.parent_id) == (top.id, middle.id)
    assert top.position == 4  # after the three teams of 保洁部
    others = select(OrgUnit).where(OrgUnit.id.not_in([top.id, middle.id, bottom.id]))
    for other in session.scalars(others):
        assert other.path == untouched[other.id]
    (row,) = audit_rows(session, top.id, "unit.moved")
    assert row.before["parent_id"] == org.ids["WY"] and row.after["parent_id"] == cleaning.id
    assert row.before["path"] == untouched[top.id] and row.after["path"] == top.path
    assert row.after["units_moved"] == 3


def test_moving_to_the_top_level_and_back(session, org):
    top, middle, bottom = three_levels(session, org)
    units.move_unit(session, AS_ADMIN, middle, None)
    assert middle.parent_id is None and middle.path == f"{middle.id}/"
    assert bottom.path == f"{middle.id}/{bottom.id}/"
    units.move_unit(session, AS_ADMIN, middle, top)
    assert bottom.path == f"{top.path}{middle.id}/{bottom.id}/"


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_a_move_that_would_make_a_cycle_is_refused(session, org, target):
    top, middle, bottom = three_levels(session, org)
    paths = {u.id: u.path for u in (top, middle, bottom)}
    destination = {"itself": top, "child": middle, "grandchild": bottom}[target]
    with pytest.raises(Invalid) as refused:
        units.move_unit(session, AS_ADMIN, top, destination)
    assert refused.value.field == "parent"
    message = str(refused.value)
    assert "cannot be moved under" in message
    if target != "itself":
        assert destination.name in message
    assert {u.id: u.path for u in (top, middle, bottom)} == paths
    assert audit_rows(session, top.id, "unit.moved") == []


def test_move_targets_leave_out_the_unit_its_subtree_and_archived_units(session, org):
    top, middle, bottom = three_levels(session, org)
    units.archive_unit(session, AS_ADMIN, unit(session, org, "PZ"))
    targets = {u.id for u in units.move_targets(session, ADMIN, top)}
    assert not targets & {top.id, middle.id, bottom.id, org.ids["PZ"]}
    assert {org.ids["WY"], org.ids["GC-SD"], org.ids["BJ"]} <= targets


def test_archive_is_refused_while_people_remain_then_allowed(session, org):
    top, middle, bottom = three_levels(session, org)
    add_employee(session, bottom.id, "E010", "钱夜班")
    add_employee(session, middle.id, "E011", "孙组长", status=EmployeeStatus.ON_LEAVE)
    add_employee(session, bottom.id, "E012", "周已离职", status=EmployeeStatus.LEFT)
    with pytest.raises(Invalid) as refused:
        units.archive_unit(session, AS_ADMIN, top)
    message = str(refused.value)
    assert "2 people" in message and "区域中心" in message and "Move them" in message
    assert top.archived_at is None and bottom.archived_at is None
    assert audit_rows(session, top.id, "unit.archived") == []

    # Move the two people out (as the people pages will), then archiving works.
    for person in session.scalars(select(Employee).where(Employee.number.in_(["E010", "E011"]))):
        person.unit_id = org.ids["BJ-1"]
    session.flush()
    archived = units.archive_unit(session, AS_ADMIN, top)
    assert archived == sorted([top.id, middle.id, bottom.id])
    assert top.archived_at is not None and top.archived_at == bottom.archived_at
    (row,) = audit_rows(session, top.id, "unit.archived")
    assert row.before == {"archived_at": None}
    assert row.after["units"] == archived and row.after["archived_at"]


def test_restore_brings_back_what_was_archived_together(session, org):
    top, middle, bottom = three_levels(session, org)
    units.archive_unit(session, AS_ADMIN, bottom)  # archived on its own, earlier
    units.archive_unit(session, AS_ADMIN, top)
    with pytest.raises(Invalid, match="restore it first"):
        units.restore_unit(session, AS_ADMIN, middle)
    with pytest.raises(Invalid, match="archived"):
        units.move_unit(session, AS_ADMIN, top, unit(session, org, "BJ"))
    with pytest.raises(Invalid, match="archived"):
        units.create_unit(session, AS_ADMIN, middle, name="新班")
    with pytest.raises(Invalid, match="archived"):
        units.rename_unit(session, AS_ADMIN, top, "新名字")
    restored = units.restore_unit(session, AS_ADMIN, top)
    assert restored == sorted([top.id, middle.id])
    assert top.archived_at is None and middle.archived_at is None
    assert bottom.archived_at is not None
    (row,) = audit_rows(session, top.id, "unit.restored")
    assert row.after == {"archived_at": None, "units": restored}
    with pytest.raises(Invalid, match="not archived"):
        units.restore_unit(session, AS_ADMIN, top)


def manager_scope(session, org, code: str) -> Scope:
    return Scope(
        read_all=False,
        write_all=False,
        managed_paths=(unit(session, org, code).path,),
        employee_id=None,
    )


def test_a_manager_shapes_only_the_inside_of_their_subtree(session, org):
    scope = manager_scope(session, org, "GC")
    engineering, water = unit(session, org, "GC"), unit(session, org, "GC-SD")
    created = units.create_unit(session, acting(scope), engineering, name="弱电班组", kind="team")
    units.move_unit(session, acting(scope), created, water)
    assert created.parent_id == water.id
    units.rename_unit(session, acting(scope), engineering, "工程部")  # details of their own unit
    boss = add_employee(session, water.id, "E020", "吴班长")
    units.update_unit(session, acting(scope), water, manager=boss)
    units.archive_unit(session, acting(scope), created)

    refused = [
        lambda: units.create_unit(session, acting(scope), None, name="新公司"),
        lambda: units.create_unit(session, acting(scope), unit(session, org, "BJ"), name="新班"),
        lambda: units.move_unit(session, acting(scope), water, unit(session, org, "BJ")),
        lambda: units.move_unit(session, acting(scope), water, None),
        lambda: units.move_unit(session, acting(scope), engineering, unit(session, org, "BJ")),
        lambda: units.archive_unit(session, acting(scope), engineering),
        lambda: units.update_unit(session, acting(scope), engineering, manager=boss),
        lambda: units.rename_unit(session, acting(scope), unit(session, org, "BJ"), "x"),
    ]
    for attempt in refused:
        with pytest.raises(Refused):
            attempt()
    assert water.parent_id == engineering.id and engineering.manager_id is None


@pytest.mark.parametrize("role", ["committee", "inspector"])
def test_readers_cannot_change_anything(session, org, role):
    reader = Scope(read_all=True, write_all=False, managed_paths=(), employee_id=None)
    assert len(units.load_tree(session, reader)[0].children) == 9
    cleaning = unit(session, org, "BJ")
    for attempt in (
        lambda: units.create_unit(session, acting(reader, Role(role)), cleaning, name="新班"),
        lambda: units.rename_unit(session, acting(reader, Role(role)), cleaning, "新名"),
        lambda: units.move_unit(
            session, acting(reader, Role(role)), cleaning, unit(session, org, "GC")
        ),
        lambda: units.archive_unit(session, acting(reader, Role(role)), cleaning),
    ):
        with pytest.raises(Refused):
            attempt()


def test_load_tree_counts_people_and_opens_the_way_to_a_focus(session, org):
    add_employee(session, org.ids["GC-SD"], "E030", "郑电工")
    add_employee(session, org.ids["GC-SD"], "E031", "冯电工")
    add_employee(session, org.ids["GC"], "E032", "陈经理")
    add_employee(session, org.ids["GC"], "E033", "褚离职", status=EmployeeStatus.LEFT)
    *_, bottom = three_levels(session, org, "GC-SD")
    (root,) = units.load_tree(session, ADMIN, focus=bottom.id)
    engineering = next(n for n in root.children if n.unit.code == "GC")
    assert (engineering.people, engineering.total_people, root.total_people) == (1, 3, 3)
    teams = [n.unit.name for n in engineering.children]
    assert teams == ["水电班组", "空调暖通班组", "电梯维保班组"]
    water = engineering.children[0]
    assert water.open and water.children[0].open  # ancestors of the focus
    assert water.children[0].children[0].children[0].focus
    assert not next(n for n in root.children if n.unit.code == "BJ").children[0].open


def test_manager_sees_only_their_subtrees(session, org):
    scope = manager_scope(session, org, "GC")
    roots = units.load_tree(session, scope)
    assert [r.unit.code for r in roots] == ["GC"]
    assert {c.unit.code for c in roots[0].children} == {"GC-SD", "GC-KT", "GC-DT"}
    assert units.visible_unit(session, scope, org.ids["BJ"]) is None
    assert units.visible_unit(session, scope, org.ids["GC-KT"]) is not None
    assert not roots[0].restructurable and roots[0].children[0].restructurable
