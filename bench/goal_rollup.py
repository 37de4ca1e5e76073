"""Goal roll-up: a tree of 10,000 goals rolled up in memory, goals per second.

This is the pure part of the goals benchmark ("roll-up of a tree of 10,000 goals — report time
and queries issued"): ``saas.goals.rollup.roll_up`` over goals already in memory, so it issues
no query at all. Reading the goals and their latest actuals from PostgreSQL (and counting the
queries that takes) belongs to the database part, which is measured separately once the goal
tables exist.

The tree: a company goal → 10 units → 10 departments each → 10 teams each → the people, who
share what is left of ``--goals`` (8 or 9 per team for 10,000). Each child's weight is its
share of its parent, in hundredths adding up to 100, except that one team in fifty leaves
10 % uncovered so the gap figures are not all zero. People have seeded measures (higher is
better with a baseline, lower is better without one, milestones) and actuals, one in twenty
without an actual yet; their attainments come from ``saas.goals.measure.attainment``.

Timed, each the best of ``--repeats`` runs, with the goals built before the clock starts:
  - roll_up over all goals (the figure the benchmark is about);
  - gaps over all goals;
  - attainment for every person's measure and actual, for comparison.

    .venv/bin/python bench/goal_rollup.py [--goals 10000] [--repeats 20] [--cap 120]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saas.goals.measure import Direction, Measure, MeasureKind, attainment  # noqa: E402
from saas.goals.rollup import GoalNode, gaps, roll_up  # noqa: E402

FANOUT = (10, 10, 10)  # units per company, departments per unit, teams per department
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
GAP_EVERY = 50  # one team in this many covers only 90 %
SEED = 20260701

Reading = tuple[Measure, Decimal | bool | None]


def shares(count: int, total: Decimal = HUNDRED) -> list[Decimal]:
    """``count`` weights in hundredths adding up to ``total``; the last takes the remainder."""
    each = (total / count).quantize(CENT, ROUND_DOWN)
    return [each] * (count - 1) + [total - each * (count - 1)]


def reading(rng: random.Random) -> Reading:
    """A person's measure and latest actual (None one time in twenty)."""
    kind = rng.randrange(3)
    if kind == 0:  # e.g. first-time fix rate, from 70 % towards 90 %
        measure = Measure(MeasureKind.NUMERIC, "%", Decimal(70), Decimal(90))
        actual: Decimal | bool = Decimal(rng.randrange(6000, 10000)).scaleb(-2)
    elif kind == 1:  # e.g. response time in minutes, target 30
        measure = Measure(MeasureKind.NUMERIC, "分钟", None, Decimal(30), Direction.LOWER)
        actual = Decimal(rng.randrange(1500, 6000)).scaleb(-2)
    else:  # e.g. a service standard written and posted
        measure, actual = Measure(MeasureKind.MILESTONE), rng.random() < 0.7
    return measure, (None if rng.random() < 0.05 else actual)


def build(goals: int, cap: Decimal, seed: int) -> tuple[list[GoalNode[int]], list[Reading]]:
    """The tree as the roll-up takes it, and the people's readings its leaves come from."""
    managers = 1 + FANOUT[0] + FANOUT[0] * FANOUT[1] + FANOUT[0] * FANOUT[1] * FANOUT[2]
    if goals <= managers:
        raise SystemExit(f"--goals must be more than the {managers} unit and team goals")
    rng = random.Random(seed)
    nodes = [GoalNode(0, None, HUNDRED)]
    level = [0]
    for fanout in FANOUT:
        below = []
        for parent in level:
            for weight in shares(fanout):
                below.append(len(nodes))
                nodes.append(GoalNode(len(nodes), parent, weight))
        level = below
    readings: list[Reading] = []
    people = goals - len(nodes)
    for t, team in enumerate(level):
        count = people // len(level) + (t < people % len(level))
        covered = HUNDRED - 10 if t % GAP_EVERY == 0 else HUNDRED
        for weight in shares(count, covered):
            readings.append(reading(rng))
            own = attainment(*readings[-1], cap)
            nodes.append(GoalNode(len(nodes), team, weight, own))
    return nodes, readings


def best(runs: int, work: Callable[[], object]) -> float:
    """The shortest of ``runs`` timings of ``work``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, count: int, seconds: float) -> None:
    print(f"  {name:<24} {seconds * 1000:9.2f} ms   {count / seconds:12,.0f} goals/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cap", type=Decimal, default=Decimal(120))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    nodes, readings = build(args.goals, args.cap, args.seed)
    rolled = roll_up(nodes, args.cap)
    shown = rolled[0].attainment.quantize(CENT, ROUND_HALF_UP)  # as pages show attainment
    pending = sum(1 for node in nodes if node.own is None and not rolled[node.id].from_children)
    print(
        f"{len(nodes):,} goals ({len(readings):,} people, {pending:,} without an actual), "
        f"cap {args.cap}; company attainment {shown} %; "
        f"{len(gaps(nodes)):,} goals with a gap; queries issued: 0 (pure, in memory)"
    )
    print(f"best of {args.repeats} runs, Python {sys.version.split()[0]}:")
    report("roll_up", len(nodes), best(args.repeats, lambda: roll_up(nodes, args.cap)))
    report("gaps", len(nodes), best(args.repeats, lambda: gaps(nodes)))

    def attain_all() -> None:
        for measure, actual in readings:
            attainment(measure, actual, args.cap)

    report("attainment (people)", len(readings), best(args.repeats, attain_all))


if __name__ == "__main__":
    main()
