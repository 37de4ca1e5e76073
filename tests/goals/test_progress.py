"""A period's progress is read in the same two queries however many goals it has, and rolls
actuals up the cascade."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import event

from saas.goals import actuals, service
from saas.goals.progress import period_progress
from saas.goals.service import GoalData

PERIOD = "2026-Q3"
TODAY = dt.date(2026, 10, 1)


def statements_for(db, schema: str) -> tuple[int, dict]:
    count = 0

    def counter(*_args) -> None:
        nonlocal count
        count += 1

    with db.tenant(schema) as session:
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            _, progress = period_progress(session, PERIOD)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return count, progress


def grow(db, team, people: int) -> int:
    with db.tenant(team.schema) as session:
        actor = team.actor(session, "admin")
        root = service.create_goal(
            session,
            actor,
            GoalData(title="总", target="100"),
            period=PERIOD,
            unit=team.unit(session, "WY"),
        )
        children = service.cascade(
            session, actor, root, employees=[team.person(session, "li")] * people
        )
        for n, child in enumerate(children):
            child.target = Decimal(100)
            actuals.record_actual(
                session, actor, child, value=str(n * 10), on=dt.date(2026, 8, 1), today=TODAY
            )
        return root.id


def test_progress_takes_two_queries_whatever_the_size(db, team):
    grow(db, team, 2)
    small, _ = statements_for(db, team.schema)
    grow(db, team, 20)
    large, _ = statements_for(db, team.schema)
    assert small == large == 2


def test_the_parent_rolls_up_its_childrens_attainment_by_share(db, team):
    root = grow(db, team, 2)  # children at 0 % and 10 %, 50 % of the parent each
    _, progress = statements_for(db, team.schema)
    assert progress[root].attainment == Decimal(5)
    assert progress[root].from_children and progress[root].gap == 0
