"""Goal progress from the database: a period of 10,000 goals read, each leaf's attainment
worked out from its latest actual, and the tree rolled up — the time it takes and the number of
queries it issues (it must not grow with the tree: no N+1).

The baseline in the same run is the bare read: one query fetching every goal of the period and
one fetching their latest actuals, with nothing done to the rows.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/goal_progress.py [--goals 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from bench.screenshots import scratch_database  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.config import load_settings  # noqa: E402
from saas.goals.progress import latest_actuals, period_progress  # noqa: E402
from saas.goals.service import split_evenly  # noqa: E402
from saas.models.goal import Goal, GoalActual  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402

PERIOD = "2026-Q3"
FANOUT = (10, 10, 10)


def seed(db: Database, schema: str, goals: int, seed_value: int) -> int:
    """A company goal → 10 → 100 → 1,000 → people, all owned by the company unit (ownership
    does not change the roll-up); leaves get one to three actuals, one in twenty none."""
    rng = random.Random(seed_value)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system("bench@example.com"))
        company = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)))
        rows: list[dict] = []
        next_id = 1

        def add(parent: int | None, path: str, share: Decimal) -> tuple[int, str]:
            nonlocal next_id
            goal_id, next_id = next_id, next_id + 1
            rows.append(
                {
                    "id": goal_id,
                    "parent_id": parent,
                    "path": f"{path}{goal_id}/",
                    "unit_id": company,
                    "period": PERIOD,
                    "period_kind": "quarter",
                    "title": f"目标 {goal_id}",
                    "weight": Decimal(0),
                    "contribution": share,
                    "measure": "numeric",
                    "baseline": Decimal(0),
                    "target": Decimal(100),
                    "direction": "higher",
                    "cap": Decimal(120),
                    "status": "approved",
                    "position": 0,
                    "created_by": 1,
                }
            )
            return goal_id, f"{path}{goal_id}/"

        level = [add(None, "", Decimal(100))]
        for fanout in FANOUT:
            level = [
                add(parent, path, share) for parent, path in level for share in split_evenly(fanout)
            ]
        people = goals - len(rows)
        per_team, extra = divmod(people, len(level))
        leaves = []
        for n, (parent, path) in enumerate(level):
            count = per_team + (n < extra)
            leaves += [add(parent, path, share)[0] for share in split_evenly(count)]
        session.execute(insert(Goal), rows)
        actuals = [
            {
                "goal_id": leaf,
                "value": Decimal(rng.randint(0, 130)),
                "on": dt.date(2026, 7, 1) + dt.timedelta(days=k * 20),
                "recorded_by": 1,
            }
            for leaf in leaves
            if rng.random() >= 0.05
            for k in range(rng.randint(1, 3))
        ]
        session.execute(insert(GoalActual), actuals)
    return len(rows)


def counted(db: Database, work: Callable[[], object]) -> tuple[object, int]:
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, statements


def best(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL")
    if not server:
        parser.error("set DATABASE_URL (a scratch database is created and dropped)")
    with scratch_database(server) as url:
        settings = load_settings(
            database_url=url, redis_url="redis://127.0.0.1:6379/0", instance=str(ROOT / "instance")
        )
        db = Database(url)
        try:
            upgrade_all(db)
            tenant = create_tenant(
                db, settings, "bench-goals", "目标基准", "b@example.com", "bench-password-1"
            )
            schema = schema_for(tenant.slug)
            made = seed(db, schema, args.goals, args.seed)

            def progress() -> object:
                with db.tenant(schema) as session:
                    return period_progress(session, PERIOD)

            def bare() -> object:
                with db.tenant(schema) as session:
                    session.execute(select(Goal).where(Goal.period == PERIOD)).all()
                    return latest_actuals(session, Goal.period == PERIOD)

            (goals, rolled), queries = counted(db, progress)
            progress_time, bare_time = best(args.repeats, progress), best(args.repeats, bare)
            _, bare_queries = counted(db, bare)
        finally:
            db.dispose()
    root = next(goal for goal in goals if goal.parent_id is None)
    print(f"goals: {made:,} in one period; company attainment {rolled[root.id].attainment:.2f}%")
    print(
        f"progress (read, attain, roll up): {progress_time * 1000:.0f} ms, {queries} queries "
        f"(bare read: {bare_time * 1000:.0f} ms, {bare_queries} queries; "
        f"{progress_time / bare_time:.1f}× the bare read)"
    )


if __name__ == "__main__":
    main()
