"""Goals as a service: draft, cascade, submit, approve or return, change, record actuals.

Every function takes the tenant session, then the acting user (``Actor``, whose ``scope`` says
what they reach); it flushes but never commits, so a change and its audit row commit or roll
back together.

Who may do what:
- **draft** (create, change, submit, delete a draft, record actuals): for a unit's goal,
  whoever may write the unit (its manager, the managers above, a tenant admin); for a
  person's goal, the person themself or whoever may write their unit.
- **approve or return**: the owner's superior — for a unit's goal, whoever manages the unit
  above; for a person's goal, whoever manages the person's unit (the unit above when the
  person manages that unit themself). Managers higher up the same branch may too. Nobody
  approves their own goal. A goal with no unit above (the company's) is approved by a tenant
  admin, as is one whose approving unit has no manager. While the tenant keeps the four-eyes
  rule (on by default, ``saas/settings``), nobody approves a goal they drafted or submitted.
- An approved goal is locked: changing it sends it back for approval, audited before → after.
- A goal keeps its parent unless a new one is chosen; taking it out from under its parent
  (making it a top goal) is for whoever may change the parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.models.audit import record
from saas.models.goal import ActualStatus, Goal, GoalActual, GoalBoard, GoalStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.org.access import Scope
from saas.scoring.period import Period, PeriodError
from saas.settings.service import FOUR_EYES
from saas.settings.service import value as setting
from saas.validation import Invalid, Problems, finite_decimal
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
        """The values to store; raises Invalid naming every field that is wrong."""
        problems = Problems()
        self.check(problems)
        values = self._values(problems)
        problems.raise_any()
        return values

    def check(self, problems: Problems) -> None:
        """Add the problems of the fields that are not numbers to ``problems``."""
        title = (self.title or "").strip()
        if not title:
            problems.add("title", _l("Give the goal a title."))
        elif len(title) > 200:
            problems.add("title", _l("A title has at most 200 characters."))
        if self.measure not in ("numeric", "milestone"):
            problems.add("measure", _l("Choose a number or a milestone."))
        if self.direction not in ("higher", "lower"):
            problems.add("direction", _l("Choose whether higher or lower is better."))

    def _values(self, problems: Problems) -> dict[str, Any]:
        return {
            "title": (self.title or "").strip(),
            "description": (self.description or "").strip() or None,
            "weight": problems.check(_percent, self.weight, "weight", Decimal(0)),
            "contribution": problems.check(_percent, self.contribution, "contribution", None),
            "measure": self.measure,
            "unit": (self.unit or "").strip()[:20] or None,
            "baseline": problems.check(parse_number, self.baseline, "baseline"),
            "target": problems.check(parse_number, self.target, "target"),
            "direction": self.direction,
            "cap": problems.check(_cap, self.cap),
        }


def _percent(value: Any, name: str, default: Decimal | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number = finite_decimal(value)
    if number is None or not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
        raise Invalid(_l("Enter a percentage from 0 to 100, with at most 2 decimals."), name)
    return number


def parse_number(value: Any, name: str) -> Decimal | None:
    """A number as a goal stores it (None when empty); raises Invalid on ``name``."""
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


def can_make_top(session: Session, actor: Actor, goal: Goal) -> bool:
    """May this user take the goal out from under its parent? Whoever may change the parent
    may; its own drafter alone may not, so a goal is never cut off from a goal they do not
    own (or cannot even see)."""
    if goal.parent_id is None:
        return False
    parent = session.get(Goal, goal.parent_id)
    return parent is not None and can_draft(session, actor, parent)


def approving_unit(session: Session, goal: Goal) -> OrgUnit | None:
    """The unit whose manager approves the goal; None when only an admin can."""
    unit = owner_unit(session, goal)
    if goal.employee_id is not None and unit.manager_id != goal.employee_id:
        return unit
    return session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None


def is_approver(session: Session, actor: Actor, goal: Goal) -> bool:
    """Is this user one of the goal's approvers (its owner's superiors)? The four-eyes rule
    may still keep them from approving it (``can_approve``)."""
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


def is_maker(session: Session, actor: Actor, goal: Goal) -> bool:
    """Does the four-eyes rule keep this user from approving the goal: do they hold it on, and
    did the user draft or submit what awaits approval? (Jobs and the CLI act as no user.)"""
    if actor.user_id is None or not setting(session, FOUR_EYES):
        return False
    return actor.user_id in (goal.drafted_by, goal.submitted_by)


def can_approve(session: Session, actor: Actor, goal: Goal) -> bool:
    return is_approver(session, actor, goal) and not is_maker(session, actor, goal)


def _manager_of(session: Session, unit_id: int) -> int | None:
    # Through the identity map: a page checking many goals loads their units once.
    unit = session.get(OrgUnit, unit_id)
    return unit.manager_id if unit is not None else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise Refused()


# -- drafting --------------------------------------------------------------------------------------


def snapshot(goal: Goal) -> dict[str, Any]:
    values = {name: getattr(goal, name) for name in (*EDITABLE, "period", "status", "parent_id")}
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
    """A new draft goal of a unit or a person, optionally under a parent goal. Every field at
    fault is reported at once (``Invalid.errors``)."""
    if unit is not None and employee is not None:
        raise ValueError("a goal belongs to one unit or one person")
    problems = Problems()
    if unit is None and employee is None:
        problems.add("owner", _l("Choose whose goal it is."))
    values = problems.check(data.cleaned)
    period = (period or "").strip()
    kind = problems.check(period_kind, period)
    if kind and parent is not None and parent.period != period:
        problems.add("period", _l("A child goal has its parent's period."))
    problems.raise_any()
    goal = Goal(
        unit_id=unit.id if unit else None,
        employee_id=employee.id if employee else None,
        period=period,
        period_kind=kind,
        parent_id=parent.id if parent else None,
        path="",
        created_by=actor.user_id,
        drafted_by=actor.user_id,
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


def change_goal(
    session: Session, actor: Actor, goal: Goal, data: GoalData, *, period: str | None = None
) -> Goal:
    """Change a goal's own fields (and its period, when given). Its owner saving a cascaded
    goal completes it (待完善); a change of an approved goal sends it back for approval."""
    _require(can_draft(session, actor, goal))
    problems = Problems()
    values = problems.check(data.cleaned)
    period = goal.period if period is None else period.strip()
    if period != goal.period:
        problems.check(_check_new_period, session, goal, period)
    problems.raise_any()
    before = snapshot(goal)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.period, goal.period_kind = period, period_kind(period)
    changed = snapshot(goal) != before
    if goal.to_complete and _completes(session, actor, goal):
        goal.to_complete = False
    if changed:
        goal.drafted_by = actor.user_id
    if changed and goal.status == GoalStatus.APPROVED:
        goal.status, goal.approved_at, goal.approved_by = GoalStatus.SUBMITTED, None, None
        goal.submitted_at, goal.submitted_by = utcnow(), actor.user_id
    session.flush()
    if changed:
        record(session, actor.email, "goal.change", "goal", goal.id, before, snapshot(goal))
    return goal


def _completes(session: Session, actor: Actor, goal: Goal) -> bool:
    """Does saving it complete a cascaded goal? When its owner saves it: the person, or the
    unit's manager (anyone who may change it, for a unit without one). The drafter of the
    parent adjusting its share leaves it to the owner."""
    if goal.employee_id is not None:
        return goal.employee_id == actor.employee_id
    manager = _manager_of(session, goal.unit_id)
    return manager is None or manager == actor.employee_id


def _check_new_period(session: Session, goal: Goal, period: str) -> None:
    """A goal changes period alone: not a sub-goal, not one with sub-goals, and not while
    actuals dated outside the new period count."""
    period_kind(period)
    if goal.parent_id is not None:
        raise Invalid(_l("A sub-goal has its parent's period."), "period")
    if session.scalar(select(Goal.id).where(Goal.parent_id == goal.id).limit(1)) is not None:
        raise Invalid(_l("Its sub-goals have its period, so it keeps it."), "period")
    span = Period.parse(period)
    outside = session.scalar(
        select(func.count()).where(
            GoalActual.goal_id == goal.id,
            GoalActual.status == ActualStatus.CURRENT,
            or_(GoalActual.on < span.start, GoalActual.on > span.end),
        )
    )
    if outside:
        raise Invalid(
            _l(
                "%(count)s of its actuals are dated outside %(period)s: correct or withdraw "
                "them first.",
                count=outside,
                period=period,
            ),
            "period",
        )


def delete_goal(session: Session, actor: Actor, goal: Goal) -> None:
    """Delete a draft goal (never submitted, so nobody relies on it) with its actuals; the
    audit log keeps what it was."""
    _require(can_draft(session, actor, goal))
    if goal.status != GoalStatus.DRAFT:
        raise Invalid(_l("Only a draft goal can be deleted."))
    if session.scalar(select(Goal.id).where(Goal.parent_id == goal.id).limit(1)) is not None:
        raise Invalid(_l("Delete or move its sub-goals first."))
    actuals = session.scalar(select(func.count()).where(GoalActual.goal_id == goal.id))
    before = {**snapshot(goal), "unit_id": goal.unit_id, "employee_id": goal.employee_id}
    before["actuals"] = actuals
    record(session, actor.email, "goal.delete", "goal", goal.id, before, None)
    session.delete(goal)
    session.flush()


def split_evenly(count: int) -> list[Decimal]:
    """Contributions that add up to exactly 100: equal shares, the remainder on the last."""
    if count <= 0:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


TARGET_RULES = ("split", "same", "none")


def proposed_targets(
    total: Decimal | None, shares: Sequence[Decimal], rule: str
) -> list[Decimal | None]:
    """What each sub-goal starts from: ``split`` gives each its share of ``total`` (the parts
    add up to exactly ``total``: the remainder goes on the last), ``same`` gives each
    ``total`` (a rate or a score every unit must reach), ``none`` leaves it to the owner."""
    if total is None or rule == "none":
        return [None] * len(shares)
    if rule == "same":
        return [total] * len(shares)
    places = Decimal(1).scaleb(min(-2, total.normalize().as_tuple().exponent))
    parts = [(total * share / 100).quantize(places) for share in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))] if shares else []


def cascade(
    session: Session,
    actor: Actor,
    parent: Goal,
    *,
    units: Sequence[OrgUnit] = (),
    employees: Sequence[Employee] = (),
    title: str | None = None,
    target_rule: str = "split",
) -> list[Goal]:
    """Child goals of ``parent`` for sub-units and people, in one go: each a draft with an
    even share of the parent, the parent's measure, and a target proposed by ``target_rule``
    (``proposed_targets``), flagged for its owner to complete (待完善). All are made or, on a
    refusal, none."""
    _require(can_draft(session, actor, parent))
    if target_rule not in TARGET_RULES:
        raise Invalid(_l("Choose how the sub-goals' targets start."), "target_rule")
    owners: list[tuple[OrgUnit | None, Employee | None]] = [(u, None) for u in units]
    owners += [(None, e) for e in employees]
    if not owners:
        raise Invalid(_l("Choose the units or people to cascade the goal to."))
    _refuse_second_child(session, parent, owners)
    shares = split_evenly(len(owners))
    targets = proposed_targets(parent.target, shares, target_rule)
    baselines = proposed_targets(parent.baseline, shares, target_rule)
    made = []
    for (unit, employee), share, target, baseline in zip(
        owners, shares, targets, baselines, strict=True
    ):
        data = GoalData(
            title=title or parent.title,
            description=parent.description,
            contribution=share,
            weight=None,
            measure=parent.measure,
            unit=parent.unit,
            baseline=baseline,
            target=target,
            direction=parent.direction,
            cap=parent.cap,
        )
        child = create_goal(
            session, actor, data, period=parent.period, unit=unit, employee=employee, parent=parent
        )
        child.to_complete = True
        made.append(child)
    session.flush()
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
    """Put a goal (and its subtree) under another parent of the same period, never under
    itself or its own descendants; or, with ``parent`` None, make it a top goal, which only
    whoever may change its current parent may do (``can_make_top``)."""
    _require(can_draft(session, actor, goal))
    if parent is None:
        if goal.parent_id is None:
            raise Invalid(_l("It is a top goal already."), "parent")
        if not can_make_top(session, actor, goal):
            raise Refused(
                _l("Only whoever may change its parent goal may take a goal out from under it."),
                "parent",
            )
    elif parent.id == goal.parent_id:
        raise Invalid(_l("It is under that goal already."), "parent")
    elif parent.path.startswith(goal.path):
        raise Invalid(_l("A goal cannot go under itself or one of its own sub-goals."), "parent")
    elif parent.period != goal.period:
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
    """Submit a draft or returned goal. Submitting a cascaded goal to complete (待完善)
    completes it: its owner takes the proposal as their draft."""
    _require(can_draft(session, actor, goal))
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.RETURNED):
        raise Invalid(_l("Only a draft or returned goal can be submitted."))
    if goal.measure == "numeric" and goal.target is None:
        raise Invalid(_l("Set a target before submitting the goal."), "target")
    if goal.to_complete:
        goal.to_complete, goal.drafted_by = False, actor.user_id
    _transition(
        session,
        actor,
        goal,
        GoalStatus.SUBMITTED,
        submitted_at=utcnow(),
        submitted_by=actor.user_id,
    )


FOUR_EYES_REFUSAL = _l(
    "You drafted or submitted this goal, so another approver approves it (the four-eyes rule)."
)


def _require_approver(session: Session, actor: Actor, goal: Goal) -> None:
    _require(is_approver(session, actor, goal))
    if is_maker(session, actor, goal):
        raise Refused(FOUR_EYES_REFUSAL)


def approve(session: Session, actor: Actor, goal: Goal) -> None:
    _require_approver(session, actor, goal)
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
    _require_approver(session, actor, goal)
    if goal.status != GoalStatus.SUBMITTED:
        raise Invalid(_l("Only a submitted goal can be returned."))
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_l("Say what to change: the comment goes back with the goal."), "comment")
    _transition(session, actor, goal, GoalStatus.RETURNED, review_comment=comment[:1000])


# Each step of the approval workflow as the audit log names it.
TRANSITION_ACTIONS = {
    GoalStatus.SUBMITTED: "goal.submitted",
    GoalStatus.APPROVED: "goal.approved",
    GoalStatus.RETURNED: "goal.returned",
}


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
    record(session, actor.email, TRANSITION_ACTIONS[status], "goal", goal.id, before, after)


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
        "goal.board.show" if shown else "goal.board.hide",
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
