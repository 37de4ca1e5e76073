"""A goal's actuals: recorded, corrected and withdrawn — never overwritten.

An actual is dated within its goal's period and not after the tenant's today (the caller
passes ``today`` in the tenant's time zone). A correction adds a new row that replaces the
old one, which is kept as ``superseded`` with who, when and why; a withdrawn actual is kept as
``withdrawn`` the same way. Only current actuals count (``saas/goals/progress.py``), and every
change is in the audit log. Whoever may draft the goal may do all three (``can_draft``).

The date rule is ``date_problem``, which the Excel import (``actuals_import``) checks too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Refused
from saas.goals.service import can_draft, parse_number
from saas.models.audit import record
from saas.models.goal import ActualStatus, Goal, GoalActual
from saas.scoring.period import Period
from saas.validation import Invalid, Problems
from tenants.db import utcnow

MAX_NOTE = 1000
MAX_REASON = 1000


def date_problem(goal: Goal, on: dt.date, today: dt.date) -> tuple[str, dict[str, Any]] | None:
    """Why ``on`` cannot date an actual of ``goal``, as a code and its parameters, or None."""
    period = Period.parse(goal.period)
    if not period.contains(on):
        return "outside_period", {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if on > today:
        return "after_today", {"today": today.isoformat()}
    return None


def _date_message(code: str, params: dict[str, Any]) -> Any:
    if code == "outside_period":
        return _l("Date the actual within the goal's period, %(start)s to %(end)s.", **params)
    return _l("An actual cannot be dated after today (%(today)s).", **params)


def _check_date(goal: Goal, on: dt.date | None, today: dt.date) -> None:
    if on is None:
        raise Invalid(_l("Enter the date of the actual, e.g. 2026-08-03."), "on")
    problem = date_problem(goal, on, today)
    if problem is not None:
        code, params = problem
        raise Invalid(_date_message(code, params), "on")


def _reading(goal: Goal, value: Any, done: bool | None) -> tuple[Decimal | None, bool | None]:
    """The number of a numeric goal's actual, or done / not done of a milestone's."""
    if goal.measure == "milestone":
        if done is None:
            raise Invalid(_l("Say whether the milestone is done."), "done")
        return None, done
    number = parse_number(value, "value")
    if number is None:
        raise Invalid(_l("Enter the actual value."), "value")
    return number, None


def _checked(
    goal: Goal, value: Any, done: bool | None, on: dt.date | None, note: str | None, today
) -> dict[str, Any]:
    """The columns of a new actual; raises Invalid naming every field at fault."""
    problems = Problems()
    reading = problems.check(_reading, goal, value, done)
    problems.check(_check_date, goal, on, today)
    problems.raise_any()
    number, done = reading
    return {
        "value": number,
        "done": done,
        "on": on,
        "note": (note or "").strip()[:MAX_NOTE] or None,
    }


def _picture(values: dict[str, Any]) -> dict[str, Any]:
    """An actual for the audit log."""
    value, on = values.get("value"), values.get("on")
    return {
        "value": None if value is None else str(value),
        "done": values.get("done"),
        "on": on.isoformat() if on else None,
        "note": values.get("note"),
    }


def _row_values(actual: GoalActual) -> dict[str, Any]:
    return {"value": actual.value, "done": actual.done, "on": actual.on, "note": actual.note}


def record_actual(
    session: Session,
    actor: Actor,
    goal: Goal,
    *,
    value: Any = None,
    done: bool | None = None,
    on: dt.date | None,
    note: str | None = None,
    today: dt.date,
) -> GoalActual:
    """A dated actual: a number for a numeric goal, done or not for a milestone."""
    if not can_draft(session, actor, goal):
        raise Refused()
    values = _checked(goal, value, done, on, note, today)
    actual = GoalActual(goal_id=goal.id, recorded_by=actor.user_id, **values)
    # No flush: an import adds thousands, and one flush at the end writes them in batches.
    session.add(actual)
    record(session, actor.email, "goal.actual", "goal", goal.id, None, _picture(values))
    return actual


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid(_l("Say why: the reason is kept with the actual."), "reason")
    if len(text) > MAX_REASON:
        raise Invalid(_l("At most %(max)s characters.", max=MAX_REASON), "reason")
    return text


def _current(session: Session, actor: Actor, actual: GoalActual) -> Goal:
    """The goal of an actual that may still change, for a user who may change it."""
    goal = session.get(Goal, actual.goal_id)
    if not can_draft(session, actor, goal):
        raise Refused()
    if actual.status != ActualStatus.CURRENT:
        raise Invalid(_l("This actual was already corrected or withdrawn."))
    return goal


def _end(actual: GoalActual, actor: Actor, status: ActualStatus, reason: str) -> None:
    actual.status, actual.end_reason = status, reason
    actual.ended_at, actual.ended_by = utcnow(), actor.user_id


def correct_actual(
    session: Session,
    actor: Actor,
    actual: GoalActual,
    *,
    value: Any = None,
    done: bool | None = None,
    on: dt.date | None,
    note: str | None = None,
    reason: str | None,
    today: dt.date,
) -> GoalActual:
    """Replace an actual by a corrected one; the old one is kept, superseded, with the
    reason. Returns the new actual."""
    goal = _current(session, actor, actual)
    problems = Problems()
    values = problems.check(_checked, goal, value, done, on, note, today)
    reason = problems.check(_reason, reason)
    problems.raise_any()
    corrected = GoalActual(
        goal_id=goal.id, recorded_by=actor.user_id, replaces_id=actual.id, **values
    )
    _end(actual, actor, ActualStatus.SUPERSEDED, reason)
    session.add(corrected)
    session.flush()
    before = {"actual_id": actual.id, **_picture(_row_values(actual))}
    after = {"actual_id": corrected.id, **_picture(values), "reason": reason}
    record(session, actor.email, "goal.actual.correct", "goal", goal.id, before, after)
    return corrected


def withdraw_actual(
    session: Session, actor: Actor, actual: GoalActual, *, reason: str | None
) -> None:
    """Take an actual back: it is kept, withdrawn, with the reason, and no longer counts."""
    goal = _current(session, actor, actual)
    reason = _reason(reason)
    _end(actual, actor, ActualStatus.WITHDRAWN, reason)
    session.flush()
    before = {"actual_id": actual.id, **_picture(_row_values(actual))}
    after = {"actual_id": actual.id, "status": ActualStatus.WITHDRAWN.value, "reason": reason}
    record(session, actor.email, "goal.actual.withdraw", "goal", goal.id, before, after)
