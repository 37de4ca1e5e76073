"""The org tree as a service: create, edit, move, archive and restore units, each audited.

Every function takes the tenant session, the acting user's e-mail and their :class:`Scope`.
They flush but never commit: the caller's transaction holds the change and its audit row
together, and a refused change (:class:`Invalid`) leaves nothing behind once rolled back.

Who may do what:
- changing a unit's own details (name, code, kind, category) and adding units under it needs
  write access to the unit;
- structural changes — moving, archiving or restoring a unit, or choosing who manages it — are
  decided one level up: they need write access to the unit's parent (a top-level unit: a tenant
  admin). So a manager shapes everything below the units they manage, but cannot move, archive
  or hand over the unit they were put in charge of.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Integer, String, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.org import OrgUnit, UnitKind
from saas.models.people import Employee, EmployeeStatus
from saas.org.access import Scope
from saas.validation import Invalid
from tenants.db import TENANT_SCHEMA, utcnow

KIND_LABELS = {
    UnitKind.COMPANY: _l("Company"),
    UnitKind.BUSINESS_UNIT: _l("Business unit"),
    UnitKind.DEPARTMENT: _l("Department"),
    UnitKind.TEAM: _l("Team"),
    UnitKind.SITE: _l("Site"),
    UnitKind.PROVIDER: _l("Service provider"),
}
# The categories the source schemes select on (004: 职能部门 / 一线生产部门). Stored as written
# in the sources, so a scheme matches them in any interface language; free text is allowed.
SOURCED_CATEGORIES = (
    ("职能部门", _l("functional department")),
    ("一线生产部门", _l("front-line department")),
)

NAME_MAX, CODE_MAX, CATEGORY_MAX, PATH_MAX = 200, 40, 60, 1000
CODE_PATTERN = re.compile(r"[\w.\-]+")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
AUTO_CODE = re.compile(r"U(\d{1,9})")


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


# -- reading -------------------------------------------------------------------------------


class UnitRow(NamedTuple):
    """The columns of a unit a tree shows."""

    id: int
    parent_id: int | None
    name: str
    code: str
    kind: str
    category: str | None
    path: str
    position: int
    manager_id: int | None
    archived_at: dt.datetime | None


TREE_COLUMNS = tuple(getattr(OrgUnit, name) for name in UnitRow._fields)


@dataclass
class TreeNode:
    unit: UnitRow
    manager_name: str | None
    people: int
    writable: bool
    restructurable: bool
    children: list[TreeNode] = field(default_factory=list)
    total_people: int = 0
    open: bool = False
    focus: bool = False
    lazy: bool = False  # closed in a large tree: its children are fetched when opened

    @property
    def id(self) -> int:
        return self.unit.id

    @property
    def archived(self) -> bool:
        return self.unit.archived_at is not None


def parent_path(path: str) -> str:
    """``"1/4/9/"`` → ``"1/4/"``; a top-level unit's parent path is ``""``."""
    return path[: path.rstrip("/").rfind("/") + 1]


def can_restructure(scope: Scope, unit: OrgUnit | UnitRow) -> bool:
    """May this user move, archive or restore ``unit``, or choose who manages it?"""
    if unit.parent_id is None:
        return scope.write_all
    return scope.can_write_in_unit_path(parent_path(unit.path))


def visible_unit(session: Session, scope: Scope, unit_id: int) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id, scope.unit_clause()))


def load_tree(
    session: Session,
    scope: Scope,
    *,
    include_archived: bool = False,
    under: OrgUnit | None = None,
    focus: int | None = None,
    open_depth: int = 2,
    lazy_over: int | None = None,
) -> list[TreeNode]:
    """The visible tree (or the subtree at ``under``) in one query, built in Python.

    Returns the top nodes: the company for an admin, the managed units for a manager.
    Nodes less than ``open_depth`` levels below the top, and the ancestors of ``focus``,
    are marked open. In a tree of more than ``lazy_over`` units, closed nodes are marked
    lazy: a page then draws their children only when they are opened.
    """
    people = (
        select(Employee.unit_id, func.count().label("people"))
        .where(Employee.status != EmployeeStatus.LEFT)
        .group_by(Employee.unit_id)
        .subquery()
    )
    # Plain rows, not ORM objects: building 2,000 entities costs more than the query.
    query = (
        select(*TREE_COLUMNS, Employee.name, func.coalesce(people.c.people, 0))
        .outerjoin(Employee, Employee.id == OrgUnit.manager_id)
        .outerjoin(people, people.c.unit_id == OrgUnit.id)
        .where(scope.unit_clause())
        .order_by(OrgUnit.position, OrgUnit.name, OrgUnit.id)
    )
    if not include_archived:
        query = query.where(OrgUnit.archived_at.is_(None))
    if under is not None:
        query = query.where(OrgUnit.path.startswith(under.path, autoescape=True))
    nodes = {}
    for row in session.execute(query):
        unit = UnitRow(*row[: len(TREE_COLUMNS)])
        manager, count = row[len(TREE_COLUMNS) :]
        writable = scope.can_write_in_unit_path(unit.path)
        nodes[unit.id] = TreeNode(unit, manager, count, writable, can_restructure(scope, unit))
    lazy = lazy_over is not None and len(nodes) > lazy_over
    return _assemble(nodes, focus, open_depth, lazy)


def _assemble(
    nodes: dict[int, TreeNode], focus: int | None, open_depth: int, lazy: bool
) -> list[TreeNode]:
    roots: list[TreeNode] = []
    for node in nodes.values():  # already in sibling order
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    focus_node = nodes.get(focus) if focus else None
    ancestors = set(focus_node.unit.path.split("/")[:-2]) if focus_node else set()
    if focus_node:
        focus_node.focus = True

    def walk(node: TreeNode, level: int) -> int:
        node.open = level < open_depth or str(node.id) in ancestors
        node.lazy = lazy and not node.open and bool(node.children)
        node.total_people = node.people + sum(walk(c, level + 1) for c in node.children)
        return node.total_people

    for root in roots:
        walk(root, 0)
    return roots


def load_node(
    session: Session,
    scope: Scope,
    unit: OrgUnit,
    *,
    include_archived: bool = False,
    lazy_over: int | None = None,
) -> TreeNode:
    """One unit with its subtree, open one level, e.g. to redraw it after a change."""
    roots = load_tree(
        session,
        scope,
        include_archived=include_archived,
        under=unit,
        open_depth=1,
        lazy_over=lazy_over,
    )
    return next(node for node in roots if node.id == unit.id)


def move_targets(session: Session, scope: Scope, unit: OrgUnit) -> list[OrgUnit]:
    """Units ``unit`` may move under: writable, not archived, not inside ``unit`` itself."""
    return list(
        session.scalars(
            select(OrgUnit)
            .where(
                scope.writable_unit_clause(),
                OrgUnit.archived_at.is_(None),
                ~OrgUnit.path.startswith(unit.path, autoescape=True),
            )
            .order_by(OrgUnit.path)
        )
    )


def in_tree_order(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """Parents before children, siblings by position: the order of the tree on screen."""
    by_parent: dict[int | None, list[OrgUnit]] = {}
    ids = {u.id for u in units}
    for u in sorted(units, key=lambda u: (u.position, u.name, u.id)):
        by_parent.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    ordered: list[OrgUnit] = []
    stack = list(reversed(by_parent.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(by_parent.get(unit.id, [])))
    return ordered


def people_in_subtree(session: Session, unit: OrgUnit) -> int:
    """People still in ``unit`` or below it (anyone who has not left)."""
    return session.scalar(
        select(func.count())
        .select_from(Employee)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(
            OrgUnit.path.startswith(unit.path, autoescape=True),
            Employee.status != EmployeeStatus.LEFT,
        )
    )


def category_suggestions(session: Session) -> list[tuple[str, str]]:
    """(value, label) pairs: the sourced categories, then the ones this tenant already uses."""
    sourced = [(value, str(label)) for value, label in SOURCED_CATEGORIES]
    known = {value for value, _ in sourced}
    used = session.scalars(
        select(OrgUnit.category).where(OrgUnit.category.is_not(None)).distinct().limit(200)
    )
    return sourced + [(value, "") for value in sorted(used) if value not in known]


def find_manager(session: Session, scope: Scope, text: str | None) -> Employee | None:
    """The employee ``text`` names, visible to the user: the one with this employee number
    (工号), else the one current employee with exactly this name, as typed without picking
    from the suggestions. ``None`` for a blank; an unknown or shared name is refused."""
    text = " ".join((text or "").split())
    if not text:
        return None
    employee = session.scalar(
        select(Employee).where(Employee.number == text, scope.employee_clause())
    )
    if employee is not None:
        return employee
    named = session.scalars(
        select(Employee)
        .where(
            Employee.name == text,
            Employee.status != EmployeeStatus.LEFT,
            scope.employee_clause(),
        )
        .limit(2)
    ).all()
    if len(named) == 1:
        return named[0]
    if named:
        raise Invalid(
            _l(
                "More than one person is called %(name)s: pick the one you mean from the list, "
                "or type their employee number.",
                name=text,
            ),
            "manager",
        )
    raise Invalid(
        _l("Nobody is called %(text)s or has that employee number.", text=text), "manager"
    )


def manager_suggestions(
    session: Session, scope: Scope, text: str, limit: int = 15
) -> list[tuple[Employee, str]]:
    """People who could manage a unit, matching a name, number or pinyin initials."""
    text = (text or "").strip()
    query = (
        select(Employee, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(scope.employee_clause(), Employee.status != EmployeeStatus.LEFT)
        .order_by(Employee.name, Employee.number)
        .limit(limit)
    )
    if text:
        query = query.where(
            or_(
                Employee.name.contains(text, autoescape=True),
                Employee.number.startswith(text, autoescape=True),
                Employee.initials.startswith(text.lower(), autoescape=True),
            )
        )
    return [(employee, unit_name) for employee, unit_name in session.execute(query)]


# -- changing -------------------------------------------------------------------------------


def create_unit(
    session: Session,
    actor: Actor,
    parent: OrgUnit | None,
    *,
    name: str,
    code: str | None = None,
    kind: str = UnitKind.DEPARTMENT,
    category: str | None = None,
    manager: Employee | None = None,
) -> OrgUnit:
    """Add a unit under ``parent`` (``None``: a top-level unit) at the end of its siblings."""
    scope = actor.scope
    _lock_tree(session)
    if parent is None:
        if not scope.write_all:
            raise Refused(_l("Only an administrator can add a top-level unit."))
    else:
        session.refresh(parent)
        if not scope.can_write_unit(parent):
            raise Refused(_l("You cannot add units here."))
        if parent.archived_at is not None:
            raise Invalid(_l("%(unit)s is archived: restore it first.", unit=parent.name))
    name, kind, category = _clean_name(name), _clean_kind(kind), _clean_category(category)
    code = _clean_code(code) or _next_code(session)
    _check_manager(manager)
    parent_id = parent.id if parent else None
    _check_sibling_name(session, parent_id, name)
    _check_code_free(session, code)
    unit = OrgUnit(
        parent_id=parent_id,
        name=name,
        code=code,
        kind=kind,
        category=category,
        manager_id=manager.id if manager else None,
        path="",  # needs the id, known after the insert
        position=_next_position(session, parent_id),
    )
    session.add(unit)
    session.flush()
    unit.path = (parent.path if parent else "") + f"{unit.id}/"
    if len(unit.path) > PATH_MAX:
        raise Invalid(_l("The tree is too deep here to add another level."))
    session.flush()
    record(session, actor.email, "unit.created", "org_unit", unit.id, None, snapshot(unit))
    return unit


def update_unit(
    session: Session,
    actor: Actor,
    unit: OrgUnit,
    *,
    name: str = UNCHANGED,
    code: str | None = UNCHANGED,
    kind: str = UNCHANGED,
    category: str | None = UNCHANGED,
    manager: Employee | None = UNCHANGED,
) -> OrgUnit:
    """Change a unit's details; fields left ``UNCHANGED`` stay as they are.

    A blank code gets a new generated one. Writes an audit row with the changed fields only,
    and none when nothing changed."""
    scope = actor.scope
    if not scope.can_write_unit(unit):
        raise Refused(_l("You cannot change this unit."))
    if unit.archived_at is not None:
        raise Invalid(_l("This unit is archived: restore it to change it."))
    before = snapshot(unit)
    if name is not UNCHANGED:
        name = _clean_name(name)
        if name != unit.name:
            _check_sibling_name(session, unit.parent_id, name, exclude=unit.id)
        unit.name = name
    if code is not UNCHANGED:
        code = _clean_code(code)
        if not code or code != unit.code:
            code = code or _next_code(session)
            _check_code_free(session, code, exclude=unit.id)
            unit.code = code
    if kind is not UNCHANGED:
        unit.kind = _clean_kind(kind)
    if category is not UNCHANGED:
        unit.category = _clean_category(category)
    if manager is not UNCHANGED and (manager.id if manager else None) != unit.manager_id:
        if not can_restructure(scope, unit):
            raise Refused(
                _l("Only the manager of the unit above, or an administrator, can change this."),
                "manager",
            )
        _check_manager(manager)
        unit.manager_id = manager.id if manager else None
    after = snapshot(unit)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        session.flush()
        record(
            session,
            actor.email,
            "unit.updated",
            "org_unit",
            unit.id,
            {key: before[key] for key in changed},
            {key: after[key] for key in changed},
        )
    return unit


def rename_unit(session: Session, actor: Actor, unit: OrgUnit, name: str) -> OrgUnit:
    return update_unit(session, actor, unit, name=name)


def move_unit(session: Session, actor: Actor, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Put ``unit`` (with its whole subtree) under ``new_parent``, at the end of its children.

    The subtree's paths are rewritten in one UPDATE. Refused if ``new_parent`` is the unit
    itself or lies inside it: the tree would get a cycle."""
    scope = actor.scope
    _lock_tree(session)  # two crossing moves could otherwise each pass the cycle check
    session.refresh(unit)
    if new_parent is not None:
        session.refresh(new_parent)
    _check_move(scope, unit, new_parent)
    new_parent_id = new_parent.id if new_parent else None
    if new_parent_id == unit.parent_id:
        return unit
    _check_sibling_name(session, new_parent_id, unit.name, exclude=unit.id, field="parent")
    old_prefix = unit.path
    new_prefix = (new_parent.path if new_parent else "") + f"{unit.id}/"
    deepest = session.scalar(
        select(func.max(func.length(OrgUnit.path))).where(_subtree(old_prefix))
    )
    if deepest - len(old_prefix) + len(new_prefix) > PATH_MAX:
        raise Invalid(_l("The tree would become too deep there."), "parent")
    before = snapshot(unit)
    position = _next_position(session, new_parent_id)
    moved = session.execute(
        update(OrgUnit)
        .where(_subtree(old_prefix))
        .values(
            path=literal(new_prefix, String) + func.substr(OrgUnit.path, len(old_prefix) + 1),
            parent_id=case((OrgUnit.id == unit.id, new_parent_id), else_=OrgUnit.parent_id),
            position=case((OrgUnit.id == unit.id, position), else_=OrgUnit.position),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    _expire_units(session)
    after = snapshot(unit)
    keys = ("parent_id", "path", "position")
    record(
        session,
        actor.email,
        "unit.moved",
        "org_unit",
        unit.id,
        {key: before[key] for key in keys},
        {**{key: after[key] for key in keys}, "units_moved": moved},
    )
    return unit


def _check_move(scope: Scope, unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    if not can_restructure(scope, unit):
        raise Refused(
            _l("Only the manager of the unit above, or an administrator, can move this unit.")
        )
    if unit.archived_at is not None:
        raise Invalid(_l("This unit is archived: restore it before moving it."))
    if new_parent is None:
        if not scope.write_all:
            raise Refused(_l("Only an administrator can make a unit top-level."), "parent")
        return
    if new_parent.id == unit.id:
        raise Invalid(_l("A unit cannot be moved under itself."), "parent")
    if new_parent.path.startswith(unit.path):
        raise Invalid(
            _l(
                "%(target)s is inside %(unit)s: a unit cannot be moved under its own sub-units.",
                target=new_parent.name,
                unit=unit.name,
            ),
            "parent",
        )
    if not scope.can_write_unit(new_parent):
        raise Refused(_l("You cannot move units under %(unit)s.", unit=new_parent.name))
    if new_parent.archived_at is not None:
        raise Invalid(_l("%(unit)s is archived.", unit=new_parent.name), "parent")


def archive_unit(session: Session, actor: Actor, unit: OrgUnit) -> list[int]:
    """Archive ``unit`` and everything below it; refused while people still belong there.

    Returns the ids archived."""
    scope = actor.scope
    _lock_tree(session)
    session.refresh(unit)
    if not can_restructure(scope, unit):
        raise Refused(
            _l("Only the manager of the unit above, or an administrator, can archive this unit.")
        )
    if unit.archived_at is not None:
        raise Invalid(_l("This unit is already archived."))
    people = people_in_subtree(session, unit)
    if people:
        raise Invalid(
            ngettext(
                "%(num)d person still belongs to %(unit)s or a unit under it. "
                "Move them to another unit first.",
                "%(num)d people still belong to %(unit)s or units under it. "
                "Move them to another unit first.",
                people,
                unit=unit.name,
            )
        )
    now = utcnow()
    ids = _set_archived(session, unit.path, None, now)
    record(
        session,
        actor.email,
        "unit.archived",
        "org_unit",
        unit.id,
        {"archived_at": None},
        {"archived_at": now.isoformat(), "units": ids},
    )
    return ids


def restore_unit(session: Session, actor: Actor, unit: OrgUnit) -> list[int]:
    """Bring back ``unit`` and the units archived together with it (not those archived earlier).

    Returns the ids restored."""
    scope = actor.scope
    _lock_tree(session)
    session.refresh(unit)
    if not can_restructure(scope, unit):
        raise Refused(
            _l("Only the manager of the unit above, or an administrator, can restore this unit.")
        )
    if unit.archived_at is None:
        raise Invalid(_l("This unit is not archived."))
    if unit.parent_id is not None:
        parent = session.get(OrgUnit, unit.parent_id)
        if parent is not None and parent.archived_at is not None:
            raise Invalid(_l("%(unit)s is archived: restore it first.", unit=parent.name))
    _check_sibling_name(session, unit.parent_id, unit.name, exclude=unit.id)
    archived_at = unit.archived_at
    ids = _set_archived(session, unit.path, archived_at, None)
    record(
        session,
        actor.email,
        "unit.restored",
        "org_unit",
        unit.id,
        {"archived_at": archived_at.isoformat()},
        {"archived_at": None, "units": ids},
    )
    return ids


def _set_archived(
    session: Session, prefix: str, current: dt.datetime | None, new: dt.datetime | None
) -> list[int]:
    state = OrgUnit.archived_at.is_(None) if current is None else OrgUnit.archived_at == current
    ids = session.scalars(
        update(OrgUnit)
        .where(_subtree(prefix), state)
        .values(archived_at=new)
        .returning(OrgUnit.id)
        .execution_options(synchronize_session=False)
    ).all()
    _expire_units(session)
    return sorted(ids)


# -- rules ----------------------------------------------------------------------------------


def snapshot(unit: OrgUnit) -> dict[str, Any]:
    """The audited fields of a unit, as plain JSON."""
    return {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "category": unit.category,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "position": unit.position,
        "manager_id": unit.manager_id,
        "archived_at": unit.archived_at.isoformat() if unit.archived_at else None,
    }


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_l("Enter a name."), "name")
    if len(name) > NAME_MAX:
        raise Invalid(_l("At most %(max)d characters.", max=NAME_MAX), "name")
    if CONTROL_CHARACTERS.search(name):
        raise Invalid(_l("The name contains control characters."), "name")
    return name


def _clean_code(code: str | None) -> str:
    code = (code or "").strip()
    if len(code) > CODE_MAX:
        raise Invalid(_l("At most %(max)d characters.", max=CODE_MAX), "code")
    if code and not CODE_PATTERN.fullmatch(code):
        raise Invalid(
            _l("Use letters, digits, hyphens, dots and underscores only, without spaces."),
            "code",
        )
    return code


def _clean_kind(kind: str | None) -> str:
    if kind not in set(UnitKind):
        raise Invalid(_l("Choose a kind from the list."), "kind")
    return str(kind)


def _clean_category(category: str | None) -> str | None:
    category = (category or "").strip()
    if len(category) > CATEGORY_MAX:
        raise Invalid(_l("At most %(max)d characters.", max=CATEGORY_MAX), "category")
    if CONTROL_CHARACTERS.search(category):
        raise Invalid(_l("The category contains control characters."), "category")
    return category or None


def _check_manager(manager: Employee | None) -> None:
    if manager is not None and manager.status == EmployeeStatus.LEFT:
        raise Invalid(
            _l("%(name)s has left and cannot manage a unit.", name=manager.name), "manager"
        )


def _check_code_free(session: Session, code: str, exclude: int | None = None) -> None:
    query = select(OrgUnit.id).where(func.lower(OrgUnit.code) == code.lower())
    if exclude is not None:
        query = query.where(OrgUnit.id != exclude)
    if session.scalar(query.limit(1)) is not None:
        raise Invalid(_l("Another unit already has the code %(code)s.", code=code), "code")


def _check_sibling_name(
    session: Session,
    parent_id: int | None,
    name: str,
    exclude: int | None = None,
    field: str = "name",
) -> None:
    """Two active units with the same name side by side could not be told apart."""
    query = select(OrgUnit.id).where(
        OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id,
        func.lower(OrgUnit.name) == name.lower(),
        OrgUnit.archived_at.is_(None),
    )
    if exclude is not None:
        query = query.where(OrgUnit.id != exclude)
    if session.scalar(query.limit(1)) is not None:
        raise Invalid(_l("There is already a unit called %(name)s there.", name=name), field)


def _next_code(session: Session) -> str:
    """The next free readable code: U0001, U0002, … after the highest one in use."""
    highest = session.scalar(
        select(func.max(cast(func.substr(OrgUnit.code, 2), Integer))).where(
            OrgUnit.code.regexp_match(f"^{AUTO_CODE.pattern}$")
        )
    )
    return f"U{(highest or 0) + 1:04d}"


def _next_position(session: Session, parent_id: int | None) -> int:
    siblings = OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id
    return (session.scalar(select(func.max(OrgUnit.position)).where(siblings)) or 0) + 1


def _subtree(prefix: str):
    return OrgUnit.path.startswith(prefix, autoescape=True)


def _expire_units(session: Session) -> None:
    # A bulk UPDATE bypasses the identity map: reload any unit the session already holds.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrgUnit):
            session.expire(obj)


def _lock_tree(session: Session) -> None:
    """Serialise changes to this tenant's tree until the transaction ends."""
    options = session.connection().get_execution_options()
    schema = options.get("schema_translate_map", {}).get(TENANT_SCHEMA, TENANT_SCHEMA)
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"kaohe.org_tree:{schema}"))))


# -- an example organisation ----------------------------------------------------------------

EXAMPLE_ORG: tuple = (
    "某某物业服务有限公司", "WY", UnitKind.COMPANY, None, (
        ("综合管理部", "ZH", UnitKind.DEPARTMENT, "职能部门", (
            ("行政办公室", "ZH-XZ", UnitKind.TEAM, "职能部门", ()),
            ("人力资源组", "ZH-RL", UnitKind.TEAM, "职能部门", ()),
        )),
        ("财务部", "CW", UnitKind.DEPARTMENT, "职能部门", ()),
        ("品质管理部", "PZ", UnitKind.DEPARTMENT, "职能部门", ()),
        ("工程维修部", "GC", UnitKind.DEPARTMENT, "一线生产部门", (
            ("水电班组", "GC-SD", UnitKind.TEAM, "一线生产部门", ()),
            ("空调暖通班组", "GC-KT", UnitKind.TEAM, "一线生产部门", ()),
            ("电梯维保班组", "GC-DT", UnitKind.TEAM, "一线生产部门", ()),
        )),
        ("保洁部", "BJ", UnitKind.DEPARTMENT, "一线生产部门", (
            ("楼宇保洁一班", "BJ-1", UnitKind.TEAM, "一线生产部门", ()),
            ("楼宇保洁二班", "BJ-2", UnitKind.TEAM, "一线生产部门", ()),
            ("绿化养护班", "BJ-LH", UnitKind.TEAM, "一线生产部门", ()),
        )),
        ("客服中心", "KF", UnitKind.DEPARTMENT, "一线生产部门", (
            ("前台接待组", "KF-QT", UnitKind.TEAM, "一线生产部门", ()),
            ("400热线组", "KF-RX", UnitKind.TEAM, "一线生产部门", ()),
        )),
        ("秩序维护部", "ZX", UnitKind.DEPARTMENT, "一线生产部门", (
            ("门岗班", "ZX-MG", UnitKind.TEAM, "一线生产部门", ()),
            ("巡逻班", "ZX-XL", UnitKind.TEAM, "一线生产部门", ()),
        )),
        ("项目管理处", "XM", UnitKind.BUSINESS_UNIT, None, (
            ("阳光花园项目", "XM-YG", UnitKind.SITE, "一线生产部门", ()),
            ("滨江写字楼项目", "XM-BJ", UnitKind.SITE, "一线生产部门", ()),
        )),
        ("外包服务商", "WB", UnitKind.BUSINESS_UNIT, None, (
            ("某某保安公司", "WB-BA", UnitKind.PROVIDER, "一线生产部门", ()),
            ("某某电梯维保公司", "WB-DT", UnitKind.PROVIDER, "一线生产部门", ()),
            ("某某绿化工程公司", "WB-LH", UnitKind.PROVIDER, "一线生产部门", ()),
        )),
    ),
)  # fmt: skip


def seed_example_org(session: Session, actor: Actor) -> OrgUnit:
    """Build a realistic property-management organisation (27 units); returns the company."""

    def build(parent: OrgUnit | None, spec: tuple) -> OrgUnit:
        name, code, kind, category, children = spec
        unit = create_unit(
            session, actor, parent, name=name, code=code, kind=kind, category=category
        )
        for child in children:
            build(unit, child)
        return unit

    return build(None, EXAMPLE_ORG)
