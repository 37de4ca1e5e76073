"""How far each goal of a period has come: its latest actual, its attainment, and the
roll-up of its children — for a whole period in two queries, whatever its size.

Only current actuals count (not the superseded or withdrawn ones). A goal's progress is
confirmed once the goal is approved; until then it is shown as unconfirmed, and it does not
roll up into an approved parent (an unapproved parent takes all its children, as a preview)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from saas.goals.measure import Measure, MeasureError, attainment
from saas.goals.rollup import GoalNode, Rolled, roll_up
from saas.models.goal import ActualStatus, Goal, GoalActual, GoalStatus

NO_CAP = Decimal(100_000)  # each goal's own cap applies; the tree adds none of its own


@dataclass(frozen=True)
class Progress:
    attainment: Decimal | None  # percent, exact; shown to 2 decimals
    from_children: bool
    covered: Decimal
    gap: Decimal
    pending: int
    latest: GoalActual | None
    confirmed: bool = True  # the goal is approved, so its progress counts
    unconfirmed: int = 0  # sub-goals whose progress does not count yet (not approved)

    @property
    def bar(self) -> int:
        """The progress bar's width in whole percent, 0–100."""
        if self.attainment is None:
            return 0
        return int(min(self.attainment, Decimal(100)).to_integral_value())


def measure_of(goal: Goal) -> Measure:
    return Measure(
        kind=goal.measure,
        unit=goal.unit,
        baseline=goal.baseline,
        target=goal.target,
        direction=goal.direction,
    )


def own_attainment(goal: Goal, latest: GoalActual | None) -> Decimal | None:
    if latest is None:
        return None
    actual = latest.done if goal.measure == "milestone" else latest.value
    try:
        return attainment(measure_of(goal), actual, goal.cap)
    except MeasureError:
        return None  # a draft without a target yet: no attainment until it has one


def latest_actuals(session: Session, *where: ColumnElement[bool]) -> dict[int, GoalActual]:
    """The latest current actual (by date, then by when it was recorded) of each goal
    matching ``where``."""
    query = (
        select(GoalActual)
        .join(Goal, Goal.id == GoalActual.goal_id)
        .where(GoalActual.status == ActualStatus.CURRENT, *where)
        .ext(distinct_on(GoalActual.goal_id))
        .order_by(GoalActual.goal_id, GoalActual.on.desc(), GoalActual.id.desc())
    )
    return {actual.goal_id: actual for actual in session.scalars(query)}


def period_progress(session: Session, period: str) -> tuple[list[Goal], dict[int, Progress]]:
    """Every goal of the period and its progress: two queries and one pass over the tree."""
    return _progress_where(session, Goal.period == period)


def subtree_progress(session: Session, goal: Goal) -> dict[int, Progress]:
    """The progress of a goal and of every goal under it: a parent's roll-up depends on its
    sub-tree only, so one goal's page need not read the whole period."""
    return _progress_where(session, Goal.path.startswith(goal.path, autoescape=True))[1]


def _progress_where(
    session: Session, where: ColumnElement[bool]
) -> tuple[list[Goal], dict[int, Progress]]:
    goals = list(session.scalars(select(Goal).where(where).order_by(Goal.position, Goal.id)))
    latest = latest_actuals(session, where)
    status = {goal.id: goal.status for goal in goals}
    nodes = [
        GoalNode(
            goal.id,
            goal.parent_id if goal.parent_id in status else None,
            goal.contribution if goal.contribution is not None else Decimal(0),
            own_attainment(goal, latest.get(goal.id)),
            counts=goal.status == GoalStatus.APPROVED
            or status.get(goal.parent_id) != GoalStatus.APPROVED,
        )
        for goal in goals
    ]
    rolled = roll_up(nodes, NO_CAP)
    return goals, {goal.id: _progress(goal, rolled[goal.id], latest.get(goal.id)) for goal in goals}


def _progress(goal: Goal, rolled: Rolled, latest: GoalActual | None) -> Progress:
    value = rolled.attainment
    if value is not None and value > goal.cap:
        value = goal.cap
    return Progress(
        value,
        rolled.from_children,
        rolled.covered,
        rolled.gap,
        rolled.pending,
        latest,
        confirmed=goal.status == GoalStatus.APPROVED,
        unconfirmed=rolled.unconfirmed,
    )
