"""How attainment rolls up a cascaded tree of goals (目标分解: company → unit → … → person).

Each goal is a ``GoalNode``: its id, its parent's id (None for a top goal), its contribution
weight (the percent of its parent it stands for) and its own attainment (from its latest actual,
``saas.goals.measure.attainment``; None while nobody has reported).

- A goal without children (a leaf) takes its own attainment, capped at ``cap``.
- A goal with children takes the weighted mean of its children's attainments,
  Σ(weight × child attainment) / Σ(weights of the children that have an attainment), capped at
  ``cap``; its own attainment is not used. Children with no attainment yet are left out of both
  sums and counted in ``pending``, so the parent shows how the reported part is doing rather than
  being dragged towards 0 by children that have not started; when no child with a weight has an
  attainment, the parent has none either (None).
- A child whose ``counts`` is False (an actual not confirmed: the child is not approved while
  its parent is) is left out of both sums like a pending one, and counted in ``unconfirmed``
  when it has an attainment, so an unapproved draft never moves an approved goal.
- ``covered`` is the sum of all children's weights, pending or not, and ``gap`` is
  100 − covered when positive, else 0. A gap does not lower the attainment: a tree that does not
  cover its goals (分解有缺口) is a problem to report and fix (``gaps``), not a score. A leaf has
  covered 0 and gap 0: whether a unit or a person is missing goals is a question for its owner.

The goals are ordered children before parents in one O(n) pass (a count of unfinished children
per goal; no recursion, so a tree of any depth rolls up), then each goal is rolled up once.
Arithmetic is Decimal in the same 28-digit context as ``measure``: each parent's division rounds
at the 28th digit and nothing is quantized; callers show two decimals. The result is the same
for the same list of goals.

Broken trees are refused with a ``RollupError`` naming the goals concerned: a duplicate id, a
parent id that is not among the goals (an orphan), a cycle of parents, a weight or an own
attainment that is not a finite Decimal ≥ 0.
"""

from __future__ import annotations

import decimal
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from saas.goals.measure import CONTEXT, HUNDRED, ZERO, check_cap

Id = TypeVar("Id", bound=Hashable)


@dataclass(frozen=True, slots=True)
class GoalNode(Generic[Id]):
    id: Id
    parent_id: Id | None
    weight: Decimal  # percent of the parent this goal stands for
    own: Decimal | None = None  # the goal's own attainment, from its latest actual
    counts: bool = True  # whether its attainment counts in its parent's


@dataclass(frozen=True, slots=True)
class Rolled:
    attainment: Decimal | None
    from_children: bool  # the goal has children and its attainment comes from them
    covered: Decimal  # Σ children's weights
    gap: Decimal  # 100 − covered when positive, else 0
    pending: int = 0  # children without an attainment yet
    unconfirmed: int = 0  # children with an attainment that does not count (not approved)


_UNSET = Rolled(None, False, ZERO, ZERO)  # a placeholder until each goal's turn comes


class RollupError(ValueError):
    """A list of goals that is not a tree; ``code`` says how and ``ids`` which goals."""

    def __init__(self, code: str, ids: Sequence[Hashable], detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.ids = tuple(ids)


def roll_up(nodes: Iterable[GoalNode[Id]], cap: Decimal) -> dict[Id, Rolled]:
    """Every goal's rolled-up attainment, keyed by id, in the order the goals were given."""
    check_cap(cap)
    goals = list(nodes)
    _check_values(goals)
    parents, children = _links(goals)
    order = _bottom_up(goals, parents, children)
    with decimal.localcontext(CONTEXT):
        rolled = _roll(goals, parents, children, order, cap)
    return {goal.id: result for goal, result in zip(goals, rolled, strict=True)}


def gaps(nodes: Iterable[GoalNode[Id]]) -> list[Id]:
    """Goals whose children's weights cover less than 100, in the order the goals were given.

    The tree is checked as by ``roll_up``: an orphan or a cycle raises ``RollupError``.
    """
    goals = list(nodes)
    _check_values(goals)
    parents, children = _links(goals)
    _bottom_up(goals, parents, children)
    covered = [ZERO] * len(goals)
    with decimal.localcontext(CONTEXT):
        for goal, parent in zip(goals, parents, strict=True):
            if parent >= 0:
                covered[parent] += goal.weight
    return [
        goal.id
        for goal, count, total in zip(goals, children, covered, strict=True)
        if count and total < HUNDRED
    ]


def _roll(
    goals: list[GoalNode[Id]],
    parents: list[int],
    children: list[int],
    order: list[int],
    cap: Decimal,
) -> list[Rolled]:
    """Each goal's roll-up by position, computed in ``order`` (children before parents)."""
    size = len(goals)
    rolled = [_UNSET] * size
    covered, counted, weighted = [ZERO] * size, [ZERO] * size, [ZERO] * size
    pending, unconfirmed = [0] * size, [0] * size
    for i in order:
        goal = goals[i]
        if children[i]:
            value = min(weighted[i] / counted[i], cap) if counted[i] else None
            gap = HUNDRED - covered[i] if covered[i] < HUNDRED else ZERO
            rolled[i] = Rolled(value, True, covered[i], gap, pending[i], unconfirmed[i])
        else:
            value = None if goal.own is None else min(goal.own, cap)
            rolled[i] = Rolled(value, False, ZERO, ZERO)
        parent = parents[i]
        if parent < 0:
            continue
        weight = goal.weight
        covered[parent] += weight
        if value is None:
            pending[parent] += 1
        elif not goal.counts:
            unconfirmed[parent] += 1
        else:
            weighted[parent] += weight * value
            counted[parent] += weight
    return rolled


def _check_values(goals: list[GoalNode[Id]]) -> None:
    # A negative weight or attainment would let a better result lower its parent.
    bad_weight = [goal.id for goal in goals if not _non_negative(goal.weight)]
    if bad_weight:
        raise RollupError("weight", bad_weight, f"not a finite Decimal ≥ 0: {_names(bad_weight)}")
    bad_own = [goal.id for goal in goals if goal.own is not None and not _non_negative(goal.own)]
    if bad_own:
        raise RollupError("own", bad_own, f"not a finite Decimal ≥ 0: {_names(bad_own)}")


def _non_negative(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value >= 0


def _links(goals: list[GoalNode[Id]]) -> tuple[list[int], list[int]]:
    """Each goal's parent's position (−1 for a top goal) and its number of children."""
    position: dict[Id, int] = {}
    duplicates = []
    for i, goal in enumerate(goals):
        if position.setdefault(goal.id, i) != i:
            duplicates.append(goal.id)
    if duplicates:
        raise RollupError("duplicate", duplicates, f"ids given twice: {_names(duplicates)}")
    parents = [-1 if goal.parent_id is None else position.get(goal.parent_id, -2) for goal in goals]
    orphans = [goal for goal, parent in zip(goals, parents, strict=True) if parent == -2]
    if orphans:
        described = ", ".join(f"{goal.id!r} (parent {goal.parent_id!r})" for goal in orphans)
        raise RollupError("orphan", [goal.id for goal in orphans], f"parent missing: {described}")
    children = [0] * len(goals)
    for parent in parents:
        if parent >= 0:
            children[parent] += 1
    return parents, children


def _bottom_up(goals: list[GoalNode[Id]], parents: list[int], children: list[int]) -> list[int]:
    """Positions with every goal after all its children; raises on cycles of parents."""
    waiting = children.copy()
    order = [i for i, count in enumerate(waiting) if not count]
    for i in order:  # grows while read: a parent joins once its last child is in
        parent = parents[i]
        if parent >= 0:
            waiting[parent] -= 1
            if not waiting[parent]:
                order.append(parent)
    if len(order) < len(goals):
        _raise_cycles(goals, parents, set(order))
    return order


def _raise_cycles(goals: list[GoalNode[Id]], parents: list[int], ordered: set[int]) -> None:
    # What the ordering leaves out is exactly the goals on cycles (a goal hanging below a
    # cycle is still ordered), so following parents from any of them goes round its cycle.
    cycles, seen = [], set()
    for start in range(len(goals)):
        if start in ordered or start in seen:
            continue
        cycle, i = [], start
        while i not in seen:
            seen.add(i)
            cycle.append(goals[i].id)
            i = parents[i]
        cycles.append(cycle)
    described = "; ".join(" → ".join(map(repr, [*cycle, cycle[0]])) for cycle in cycles)
    raise RollupError("cycle", [i for cycle in cycles for i in cycle], described)


def _names(ids: list[Hashable]) -> str:
    return ", ".join(map(repr, ids))
