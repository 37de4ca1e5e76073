"""Goal to-dos on the start page: goals waiting for this user's approval, and this user's
goals (their own, or their unit's) that an approver returned to them or that were cascaded
to them with a proposed target to complete (待完善)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal
from saas.auth.guard import actor_for
from saas.goals.service import can_approve, visible_clause
from saas.home.todos import Todo, todo_source
from saas.models.goal import Goal, GoalStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee

TO_COMPLETE = "to_complete"  # the goal tree's filter of goals to complete

# The approval check runs per goal; the start page looks at no more than this many.
APPROVAL_SCAN_LIMIT = 200


def _load_owners(session: Session, goals: list[Goal]) -> list[object]:
    """Load the goals' owners, their units and the units above into the session, so the
    approval check of each goal finds them there (two statements, however many goals).
    The caller keeps the returned rows: the session's identity map holds them only weakly."""
    people = {goal.employee_id for goal in goals if goal.employee_id is not None}
    units = {goal.unit_id for goal in goals if goal.unit_id is not None}
    loaded: list[object] = []
    if people:
        loaded += session.scalars(select(Employee).where(Employee.id.in_(people)))
        units |= {person.unit_id for person in loaded}
    if units:
        parents = select(OrgUnit.parent_id).where(OrgUnit.id.in_(units))
        around = or_(OrgUnit.id.in_(units), OrgUnit.id.in_(parents))
        loaded += session.scalars(select(OrgUnit).where(around))
    return loaded


@todo_source
def goal_todos(session: Session, principal: TenantPrincipal) -> Iterator[Todo]:
    actor = actor_for(principal)
    scope = actor.scope
    waiting = session.scalars(
        select(Goal)
        .where(Goal.status == GoalStatus.SUBMITTED, visible_clause(scope))
        .order_by(Goal.submitted_at)
        .limit(APPROVAL_SCAN_LIMIT)
    )
    waiting = list(waiting)
    loaded = _load_owners(session, waiting)
    to_approve = [goal for goal in waiting if can_approve(session, actor, goal)]
    del loaded
    if to_approve:
        # The tree shows one period: open the one of the goal waiting longest.
        yield Todo(
            "goals.approve",
            _("Goals waiting for your approval"),
            len(to_approve),
            url_for("goals.tree", status=GoalStatus.SUBMITTED, period=to_approve[0].period),
        )
    if scope.employee_id is None:
        return
    managed_units = select(OrgUnit.id).where(OrgUnit.manager_id == scope.employee_id)
    mine = or_(Goal.employee_id == scope.employee_id, Goal.unit_id.in_(managed_units))
    returned = Goal.status == GoalStatus.RETURNED
    row = session.execute(
        select(
            func.count().filter(returned),
            func.min(Goal.period).filter(returned),
            func.count().filter(Goal.to_complete),
            func.min(Goal.period).filter(Goal.to_complete),
        ).where(mine, or_(returned, Goal.to_complete))
    ).one()
    if row[0]:
        yield Todo(
            "goals.returned",
            _("Your goals returned for changes"),
            row[0],
            url_for("goals.tree", status=GoalStatus.RETURNED, period=row[1]),
        )
    if row[2]:
        yield Todo(
            "goals.to_complete",
            _("Goals cascaded to you to complete"),
            row[2],
            url_for("goals.tree", status=TO_COMPLETE, period=row[3]),
        )
