"""Goals as a service: draft, cascade, submit, approve or return, change, record actuals.

Every function takes the tenant session, then the acting user (``Actor``, whose ``scope`` says
what they reach); it flushes but never commits, so a change and its audit row commit or roll
back together.

Who may do what:
- **draft** (create, change, submit, record actuals): for a unit's goal, whoever may write
  the unit (its manager, the managers above, a tenant admin); for a person's goal, the person
  themself or whoever may write their unit.
- **approve or return**: the owner's superior — for a unit's goal, whoever manages the unit
  above; for a person's goal, whoever manages the person's unit (the unit above when the
  person manages that unit themself). Managers higher up the same branch may too. Nobody
  approves their own goal. A goal with no unit above (the company's) is approved by a tenant
  admin, as is one whose approving unit has no manager.
- An approved goal is locked: changing it sends it back for approval, audited before → after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.goal import Goal, GoalActual, GoalBoard, GoalStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.org.access import Scope
from saas.scoring.period import Period, PeriodError
from saas.validation import Invalid, finite_decimal
from tenants.db import utcnow

PERIOD_KINDS = {"Q": "quarter", "H": "half_year"}
# Baselines, targets and actuals are numeric(18, 4): smaller than this in size.
MAX_NUMBER = Decimal("1e14")
EDITABLE = (
    "title",
    "description",
    "weight",
    "contribution",
    "measure",
    "unit",
    "baseline",
    "target",
    "direction",
    "cap",
)


@dataclass
class GoalData:
    """A goal's own fields as a form gives them (strings are parsed here)."""

    title: str = ""
    description: str | None = None
    weight: Any = None
    contribution: Any = None
    measure: str = "numeric"
    unit: str | None = None
    baseline: Any = None
    target: Any = None
    direction: str = "higher"
    cap: Any = None

    def cleaned(self) -> dict[str, Any]:
        """The values to store; raises Invalid on the first field that is wrong."""
        title = (self.title or "").strip()
        if not title:
            raise Invalid(_l("Give the goal a title."), "title")
        if len(title) > 200:
            raise Invalid(_l("A title has at most 200 characters."), "title")
        if self.measure not in ("numeric", "milestone"):
            raise Invalid(_l("Choose a number or a milestone."), "measure")
        if self.direction not in ("higher", "lower"):
            raise Invalid(_l("Choose whether higher or lower is better."), "direction")
        return {
            "title": title,
            "description": (self.description or "").strip() or None,
            "weight": _percent(self.weight, "weight", default=Decimal(0)),
            "contribution": _percent(self.contribution, "contribution", default=None),
            "measure": self.measure,
            "unit": (self.unit or "").strip()[:20] or None,
            "baseline": _number(self.baseline, "baseline"),
            "target": _number(self.target, "target"),
            "direction": self.direction,
            "cap": _cap(self.cap),
        }


def _percent(value: Any, name: str, default: Decimal | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number = finite_decimal(value)
    if number is None or not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
        raise Invalid(_l("Enter a percentage from 0 to 100, with at most 2 decimals."), name)
    return number


def _number(value: Any, name: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = finite_decimal(value, below=MAX_NUMBER)
    if number is None:
        raise Invalid(_l("Enter a number."), name)
    return number


def _cap(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(120)
    number = finite_decimal(value)
    if number is None or not 100 <= number <= 1000:
        raise Invalid(_l("The cap is a percentage from 100 to 1000."), "cap")
    return number


def period_kind(label: str) -> str:
    """The kind of a period label, which must be one Kaohe can read (2026, 2026-H2, …)."""
    try:
        Period.parse(label)
    except PeriodError:
        raise Invalid(
            _l(
                "%(period)s is not a period such as 2026, 2026-H2, 2026-Q3 or 2026-07.",
                period=label,
            ),
            "period",
        ) from None
    if "-" not in label:
        return "year"
    return PERIOD_KINDS.get(label.split("-")[1][0], "month")


# -- who may do what -------------------------------------------------------------------------------


def visible_clause(scope: Scope) -> ColumnElement[bool]:
    """Goals this user may see: of units they see, or of people they see."""
    units = select(OrgUnit.id).where(scope.unit_clause())
    people = select(Employee.id).where(scope.employee_clause())
    return or_(Goal.unit_id.in_(units), Goal.employee_id.in_(people))


def owner_unit(session: Session, goal: Goal) -> OrgUnit:
    """The unit a goal belongs to: its own, or its owner's."""
    if goal.unit_id is not None:
        return session.get(OrgUnit, goal.unit_id)
    return session.get(OrgUnit, session.get(Employee, goal.employee_id).unit_id)


def can_draft(session: Session, actor: Actor, goal: Goal) -> bool:
    scope = actor.scope
    if not actor.can("goals.draft"):
        return False
    if goal.employee_id is not None and goal.employee_id == scope.employee_id:
        return True
    return scope.can_write_unit(owner_unit(session, goal))


def approving_unit(session: Session, goal: Goal) -> OrgUnit | None:
    """The unit whose manager approves the goal; None when only an admin can."""
    unit = owner_unit(session, goal)
    if goal.employee_id is not None and unit.manager_id != goal.employee_id:
        return unit
    return session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None


def can_approve(session: Session, actor: Actor, goal: Goal) -> bool:
    scope = actor.scope
    if not actor.can("goals.approve"):
        return False
    if goal.employee_id is not None and goal.employee_id == scope.employee_id:
        return False  # nobody approves their own goal …
    if (
        goal.unit_id is not None
        and scope.employee_id is not None
        and not scope.write_all
        and _manager_of(session, goal.unit_id) == scope.employee_id
    ):
        return False  # … nor the goal of the unit they manage
    unit = approving_unit(session, goal)
    if unit is None or unit.manager_id is None:
        return scope.write_all
    return scope.can_write_unit(unit)


def _manager_of(session: Session, unit_id: int) -> int | None:
    # Through the identity map: a page checking many goals loads their units once.
    unit = session.get(OrgUnit, unit_id)
    return unit.manager_id if unit is not None else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise Refused()


# -- drafting --------------------------------------------------------------------------------------


def snapshot(goal: Goal) -> dict[str, Any]:
    values = {name: getattr(goal, name) for name in (*EDITABLE, "status", "parent_id")}
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def create_goal(
    session: Session,
    actor: Actor,
    data: GoalData,
    *,
    period: str,
    unit: OrgUnit | None = None,
    employee: Employee | None = None,
    parent: Goal | None = None,
) -> Goal:
    """A new draft goal of a unit or a person, optionally under a parent goal."""
    if (unit is None) == (employee is None):
        raise Invalid(_l("A goal belongs to one unit or one person."))
    values = data.cleaned()
    period = period.strip()
    kind = period_kind(period)
    if parent is not None and parent.period != period:
        raise Invalid(_l("A child goal has its parent's period."), "period")
    goal = Goal(
        unit_id=unit.id if unit else None,
        employee_id=employee.id if employee else None,
        period=period,
        period_kind=kind,
        parent_id=parent.id if parent else None,
        path="",
        created_by=actor.user_id,
        status=GoalStatus.DRAFT,
        **values,
    )
    _require(can_draft(session, actor, goal))
    session.add(goal)
    session.flush()
    goal.path = f"{parent.path if parent else ''}{goal.id}/"
    session.flush()
    record(session, actor.email, "goal.create", "goal", goal.id, None, snapshot(goal))
    return goal


def change_goal(session: Session, actor: Actor, goal: Goal, data: GoalData) -> Goal:
    """Change a goal's own fields. An approved or submitted goal goes back for approval."""
    _require(can_draft(session, actor, goal))
    before = snapshot(goal)
    for name, value in data.cleaned().items():
        setattr(goal, name, value)
    if goal.status == GoalStatus.APPROVED:
        goal.status, goal.approved_at, goal.approved_by = GoalStatus.SUBMITTED, None, None
        goal.submitted_at = utcnow()
    session.flush()
    after = snapshot(goal)
    if after != before:
        record(session, actor.email, "goal.change", "goal", goal.id, before, after)
    return goal


def split_evenly(count: int) -> list[Decimal]:
    """Contributions that add up to exactly 100: equal shares, the remainder on the last."""
    if count <= 0:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


def cascade(
    session: Session,
    actor: Actor,
    parent: Goal,
    *,
    units: Sequence[OrgUnit] = (),
    employees: Sequence[Employee] = (),
    title: str | None = None,
) -> list[Goal]:
    """Child goals of ``parent`` for sub-units and people, in one go, each a draft with an even
    share of the parent (editable afterwards). All are made or, on a refusal, none."""
    _require(can_draft(session, actor, parent))
    owners: list[tuple[OrgUnit | None, Employee | None]] = [(u, None) for u in units]
    owners += [(None, e) for e in employees]
    if not owners:
        raise Invalid(_l("Choose the units or people to cascade the goal to."))
    _refuse_second_child(session, parent, owners)
    shares = split_evenly(len(owners))
    made = []
    for (unit, employee), share in zip(owners, shares, strict=True):
        data = GoalData(
            title=title or parent.title,
            description=parent.description,
            contribution=share,
            weight=None,
            measure=parent.measure,
            unit=parent.unit,
            direction=parent.direction,
            cap=parent.cap,
        )
        made.append(
            create_goal(
                session,
                actor,
                data,
                period=parent.period,
                unit=unit,
                employee=employee,
                parent=parent,
            )
        )
    return made


def _refuse_second_child(session: Session, parent: Goal, owners) -> None:
    """An owner gets one sub-goal of a goal: a second would count its share twice."""
    rows = session.execute(
        select(Goal.unit_id, Goal.employee_id).where(Goal.parent_id == parent.id)
    ).all()
    units = {unit for unit, _ in rows if unit}
    people = {person for _, person in rows if person}
    for unit, employee in owners:
        if (unit and unit.id in units) or (employee and employee.id in people):
            name = unit.name if unit else employee.name
            raise Invalid(_l("%(name)s already has a sub-goal of this goal.", name=name))


def move_goal(session: Session, actor: Actor, goal: Goal, parent: Goal | None) -> None:
    """Put a goal (and its subtree) under another parent of the same period; never under
    itself or its own descendants."""
    _require(can_draft(session, actor, goal))
    if parent is not None:
        if parent.path.startswith(goal.path):
            raise Invalid(
                _l("A goal cannot go under itself or one of its own sub-goals."), "parent"
            )
        if parent.period != goal.period:
            raise Invalid(_l("A child goal has its parent's period."), "parent")
    before = {"parent_id": goal.parent_id}
    old_prefix = goal.path
    new_prefix = f"{parent.path if parent else ''}{goal.id}/"
    for node in session.scalars(
        select(Goal).where(Goal.path.startswith(old_prefix, autoescape=True))
    ):
        node.path = new_prefix + node.path[len(old_prefix) :]
    goal.parent_id = parent.id if parent else None
    session.flush()
    record(
        session, actor.email, "goal.move", "goal", goal.id, before, {"parent_id": goal.parent_id}
    )


# -- approval --------------------------------------------------------------------------------------


def submit(session: Session, actor: Actor, goal: Goal) -> None:
    _require(can_draft(session, actor, goal))
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.RETURNED):
        raise Invalid(_l("Only a draft or returned goal can be submitted."))
    if goal.measure == "numeric" and goal.target is None:
        raise Invalid(_l("Set a target before submitting the goal."), "target")
    _transition(session, actor, goal, GoalStatus.SUBMITTED, submitted_at=utcnow())


def approve(session: Session, actor: Actor, goal: Goal) -> None:
    _require(can_approve(session, actor, goal))
    if goal.status != GoalStatus.SUBMITTED:
        raise Invalid(_l("Only a submitted goal can be approved."))
    _transition(
        session,
        actor,
        goal,
        GoalStatus.APPROVED,
        approved_at=utcnow(),
        approved_by=actor.user_id,
        review_comment=None,
    )


def return_goal(session: Session, actor: Actor, goal: Goal, comment: str) -> None:
    _require(can_approve(session, actor, goal))
    if goal.status != GoalStatus.SUBMITTED:
        raise Invalid(_l("Only a submitted goal can be returned."))
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_l("Say what to change: the comment goes back with the goal."), "comment")
    _transition(session, actor, goal, GoalStatus.RETURNED, review_comment=comment[:1000])


def _transition(
    session: Session, actor: Actor, goal: Goal, status: GoalStatus, **values: Any
) -> None:
    before = {"status": goal.status}
    goal.status = status
    for name, value in values.items():
        setattr(goal, name, value)
    session.flush()
    after = {"status": status.value}
    if values.get("review_comment"):
        after["comment"] = values["review_comment"]
    record(session, actor.email, f"goal.{status.value}", "goal", goal.id, before, after)


# -- progress --------------------------------------------------------------------------------------


def record_actual(
    session: Session,
    actor: Actor,
    goal: Goal,
    *,
    value: Any = None,
    done: bool | None = None,
    on: dt.date,
    note: str | None = None,
) -> GoalActual:
    """A dated actual: a number for a numeric goal, done or not for a milestone."""
    _require(can_draft(session, actor, goal))
    if goal.measure == "milestone":
        if done is None:
            raise Invalid(_l("Say whether the milestone is done."), "done")
        number = None
    else:
        number = _number(value, "value")
        if number is None:
            raise Invalid(_l("Enter the actual value."), "value")
        done = None
    actual = GoalActual(
        goal_id=goal.id,
        value=number,
        done=done,
        on=on,
        note=(note or "").strip()[:1000] or None,
        recorded_by=actor.user_id,
    )
    # No flush: an import adds thousands, and one flush at the end writes them in batches.
    session.add(actual)
    record(
        session,
        actor.email,
        "goal.actual",
        "goal",
        goal.id,
        None,
        {"value": None if number is None else str(number), "done": done, "on": on.isoformat()},
    )
    return actual


def active_people(session: Session, unit_id: int) -> list[Employee]:
    return list(
        session.scalars(
            select(Employee)
            .where(Employee.unit_id == unit_id, Employee.status != EmployeeStatus.LEFT)
            .order_by(Employee.number)
        )
    )


# -- the goals board -------------------------------------------------------------------------------


def board_published(session: Session, period: str) -> bool:
    return session.get(GoalBoard, period) is not None


def set_board(session: Session, actor: Actor, period: str, shown: bool) -> None:
    """Show or hide a period's approved unit goals to everyone in the tenant (tenant admins)."""
    _require(actor.can("goals.publish"))
    period_kind(period)
    row = session.get(GoalBoard, period)
    if shown and row is None:
        session.add(GoalBoard(period=period, published_by=actor.user_id))
    elif not shown and row is not None:
        session.delete(row)
    else:
        return
    session.flush()
    record(
        session,
        actor.email,
        "goal.board." + ("show" if shown else "hide"),
        "goal_board",
        period,
        None,
        {"period": period},
    )


def board_goals(session: Session, period: str) -> list[tuple[Goal, str]]:
    """The approved goals of units for a period, with their unit's name, in tree order."""
    rows = session.execute(
        select(Goal, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Goal.unit_id)
        .where(Goal.period == period, Goal.status == GoalStatus.APPROVED)
        .order_by(OrgUnit.path, Goal.position, Goal.id)
    ).all()
    return [(goal, name) for goal, name in rows]
