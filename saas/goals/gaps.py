"""The gap report of a period (目标分解"不断线，无缺口"): where the cascade of goals is broken.

For one period, and only within what the user may see (their ``Scope``):

- ``uncovered``: goals with sub-goals whose contributions total less than 100, so part of the
  goal is carried by nobody;
- ``units_without_goals``: units still in use with no approved goal;
- ``people_without_goals``: people who are assessed (``assess_employees``) with no approved goal;
- ``unfinished``: goals still in draft, submitted and waiting, or returned;
- ``weights_off``: owners, units or people, whose goals' weights do not total 100.

Each list is one query whatever the size of the organisation (eight statements in all,
three of them the eligibility rules, units and people that ``assess_employees`` reads), so
the report of a large tenant costs what a small one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from saas.goals.service import period_kind
from saas.models.goal import Goal, GoalStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.org.access import Scope
from saas.people.eligibility import assess_employees

HUNDRED = Decimal(100)
UNFINISHED = (GoalStatus.DRAFT, GoalStatus.SUBMITTED, GoalStatus.RETURNED)


@dataclass(frozen=True)
class Owner:
    """Whom a goal belongs to: a unit (``kind`` "unit", ``code`` its code) or a person
    (``kind`` "person", ``code`` their employee number)."""

    kind: str
    id: int
    name: str
    code: str


@dataclass(frozen=True)
class GoalRef:
    id: int
    title: str
    status: str
    owner: Owner
    review_comment: str | None = None


@dataclass(frozen=True)
class Uncovered:
    goal: GoalRef
    covered: Decimal  # Σ of the sub-goals' contributions
    missing: Decimal  # 100 − covered
    children: int


@dataclass(frozen=True)
class UnitGap:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PersonGap:
    id: int
    number: str
    name: str
    unit_name: str


@dataclass(frozen=True)
class WeightsOff:
    owner: Owner
    total: Decimal
    goals: int


@dataclass(frozen=True)
class GapReport:
    period: str
    uncovered: list[Uncovered]
    units_without_goals: list[UnitGap]
    people_without_goals: list[PersonGap]
    unfinished: list[GoalRef]
    weights_off: list[WeightsOff]

    @property
    def total(self) -> int:
        """How many gaps in all."""
        return (
            len(self.uncovered)
            + len(self.units_without_goals)
            + len(self.people_without_goals)
            + len(self.unfinished)
            + len(self.weights_off)
        )


def gap_report(session: Session, scope: Scope, period: str) -> GapReport:
    """The gaps of ``period`` the user may see; raises Invalid for a period Kaohe cannot read."""
    period_kind(period)
    return GapReport(
        period=period,
        uncovered=_uncovered(session, scope, period),
        units_without_goals=_units_without_goals(session, scope, period),
        people_without_goals=_people_without_goals(session, scope, period),
        unfinished=_unfinished(session, scope, period),
        weights_off=_weights_off(session, scope, period),
    )


# -- the scope of goals ----------------------------------------------------------------------------
# The owners' names come from aliases of org_unit and employee: the scope's clauses are written
# on the plain tables, and a query that also joined those tables would correlate the scope's
# subqueries with the owner's row instead of filtering by them.


def _goals_in(scope: Scope) -> ColumnElement[bool]:
    """Goals whose owner, unit or person, the user may see."""
    if scope.read_all:
        return true()
    return or_(
        Goal.unit_id.in_(select(OrgUnit.id).where(scope.unit_clause())),
        Goal.employee_id.in_(select(Employee.id).where(scope.employee_clause())),
    )


def _goals_with_owner(scope: Scope, period: str, *columns) -> Select:
    unit, person = aliased(OrgUnit), aliased(Employee)
    return (
        select(
            Goal.id,
            Goal.title,
            Goal.status,
            Goal.review_comment,
            Goal.unit_id,
            Goal.employee_id,
            Goal.path,
            unit.name.label("unit_name"),
            unit.code.label("unit_code"),
            person.name.label("person_name"),
            person.number.label("person_number"),
            *columns,
        )
        .outerjoin(unit, Goal.unit_id == unit.id)
        .outerjoin(person, Goal.employee_id == person.id)
        .where(Goal.period == period, _goals_in(scope))
    )


def _tree_order(path: str) -> tuple[int, ...]:
    """A sort key that puts a tree's rows in the order of the tree, each node before its
    children ("1/2/" before "1/10/", which plain text order would not do)."""
    return tuple(int(part) for part in path.split("/") if part)


def _owner(row) -> Owner:
    if row.unit_id is not None:
        return Owner("unit", row.unit_id, row.unit_name, row.unit_code)
    return Owner("person", row.employee_id, row.person_name, row.person_number)


def _goal_ref(row) -> GoalRef:
    return GoalRef(row.id, row.title, row.status, _owner(row), row.review_comment)


# -- the five lists --------------------------------------------------------------------------------


def _uncovered(session: Session, scope: Scope, period: str) -> list[Uncovered]:
    # A sub-goal without a contribution yet covers nothing of its parent.
    children = (
        select(
            Goal.parent_id.label("parent_id"),
            func.sum(func.coalesce(Goal.contribution, 0)).label("covered"),
            func.count().label("children"),
        )
        .where(Goal.parent_id.is_not(None), Goal.period == period)
        .group_by(Goal.parent_id)
        .subquery()
    )
    query = (
        _goals_with_owner(scope, period, children.c.covered, children.c.children)
        .join(children, children.c.parent_id == Goal.id)
        .where(children.c.covered < HUNDRED)
    )
    rows = sorted(session.execute(query), key=lambda row: _tree_order(row.path))
    return [
        Uncovered(_goal_ref(row), row.covered, HUNDRED - row.covered, row.children) for row in rows
    ]


def _approved_goal_of(owner_column, period: str):
    return (
        select(Goal.id)
        .where(owner_column, Goal.period == period, Goal.status == GoalStatus.APPROVED)
        .exists()
    )


def _units_without_goals(session: Session, scope: Scope, period: str) -> list[UnitGap]:
    query = select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.path).where(
        OrgUnit.archived_at.is_(None),
        scope.unit_clause(),
        ~_approved_goal_of(Goal.unit_id == OrgUnit.id, period),
    )
    rows = sorted(session.execute(query), key=lambda row: _tree_order(row.path))
    return [UnitGap(row.id, row.code, row.name) for row in rows]


def _people_without_goals(session: Session, scope: Scope, period: str) -> list[PersonGap]:
    where = and_(
        Employee.status != EmployeeStatus.LEFT,
        scope.employee_clause(),
        ~_approved_goal_of(Goal.employee_id == Employee.id, period),
    )
    unit = aliased(OrgUnit)
    rows = session.execute(
        select(Employee.id, Employee.number, Employee.name, unit.name.label("unit_name"))
        .join(unit, Employee.unit_id == unit.id)
        .where(where)
        .order_by(Employee.number)
    ).all()
    if not rows:
        return []
    verdicts = assess_employees(session, where)
    return [
        PersonGap(row.id, row.number, row.name, row.unit_name)
        for row in rows
        if row.id in verdicts and verdicts[row.id].assessed
    ]


def _unfinished(session: Session, scope: Scope, period: str) -> list[GoalRef]:
    query = _goals_with_owner(scope, period).where(Goal.status.in_(UNFINISHED))
    rows = sorted(session.execute(query), key=lambda row: _tree_order(row.path))
    return [_goal_ref(row) for row in rows]


def _weights_off(session: Session, scope: Scope, period: str) -> list[WeightsOff]:
    totals = (
        select(
            Goal.unit_id,
            Goal.employee_id,
            func.sum(Goal.weight).label("total"),
            func.count().label("goals"),
        )
        .where(Goal.period == period, _goals_in(scope))
        .group_by(Goal.unit_id, Goal.employee_id)
        .having(func.sum(Goal.weight) != HUNDRED)
        .subquery()
    )
    unit, person = aliased(OrgUnit), aliased(Employee)
    query = (
        select(
            totals.c.unit_id,
            totals.c.employee_id,
            totals.c.total,
            totals.c.goals,
            unit.name.label("unit_name"),
            unit.code.label("unit_code"),
            unit.path.label("unit_path"),
            person.name.label("person_name"),
            person.number.label("person_number"),
        )
        .outerjoin(unit, totals.c.unit_id == unit.id)
        .outerjoin(person, totals.c.employee_id == person.id)
    )
    # Units in the order of the tree, then people by number.
    rows = sorted(
        session.execute(query),
        key=lambda row: (
            row.unit_path is None,
            _tree_order(row.unit_path or ""),
            row.person_number,
        ),
    )
    return [WeightsOff(_owner(row), row.total, row.goals) for row in rows]
