"""roll_up() and gaps(): the arithmetic on a hand-built tree, gaps, pending goals, broken trees,
deep trees, and a property over random trees."""

from __future__ import annotations

import random
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saas.goals.measure import Direction, Measure, MeasureKind, attainment
from saas.goals.rollup import GoalNode, Rolled, RollupError, gaps, roll_up

D = Decimal
CAP = D(120)


def node(id: str, parent: str | None, weight: str | int, own: str | int | None = None):
    return GoalNode(id, parent, D(weight), None if own is None else D(own))


def company_tree() -> list[GoalNode[str]]:
    """Company → two departments → five people, each goal weighted within its parent."""
    return [
        node("company", None, 100, own=10),  # its own actual is not used: it has children
        node("sales", "company", 60),
        node("service", "company", 40),
        node("li", "sales", 50, own=90),
        node("wang", "sales", 30, own=130),  # over the cap: counts 120
        node("zhao", "sales", 20, own=40),
        node("chen", "service", 70, own=100),
        node("zhou", "service", 30, own=50),
    ]


def test_the_company_tree() -> None:
    rolled = roll_up(company_tree(), CAP)
    # sales = (50 × 90 + 30 × 120 + 20 × 40) / (50 + 30 + 20) = (4500 + 3600 + 800) / 100 = 89
    assert rolled["sales"] == Rolled(D(89), True, D(100), D(0), 0)
    # service = (70 × 100 + 30 × 50) / (70 + 30) = (7000 + 1500) / 100 = 85
    assert rolled["service"] == Rolled(D(85), True, D(100), D(0), 0)
    # company = (60 × 89 + 40 × 85) / (60 + 40) = (5340 + 3400) / 100 = 87.4
    assert rolled["company"] == Rolled(D("87.4"), True, D(100), D(0), 0)
    assert rolled["li"] == Rolled(D(90), False, D(0), D(0), 0)
    assert rolled["wang"].attainment == CAP
    assert list(rolled) == [goal.id for goal in company_tree()]  # the order given


def test_a_child_that_does_not_count_is_left_out_as_unconfirmed() -> None:
    goals = [
        node("company", None, 100),
        GoalNode("sales", "company", D(50), D(40)),
        GoalNode("draft", "company", D(50), D(100), counts=False),  # not approved yet
        GoalNode("quiet", "company", D(0), None, counts=False),  # nothing reported
    ]
    rolled = roll_up(goals, CAP)
    assert rolled["company"] == Rolled(D(40), True, D(100), D(0), 1, 1)
    only_draft = roll_up([goals[0], goals[2]], CAP)
    assert only_draft["company"].attainment is None and only_draft["company"].unconfirmed == 1


def test_the_order_of_the_goals_does_not_matter() -> None:
    goals = company_tree()
    shuffled = goals.copy()
    random.Random(7).shuffle(shuffled)
    assert roll_up(shuffled, CAP) == roll_up(goals, CAP)
    assert roll_up(iter(reversed(goals)), CAP) == roll_up(goals, CAP)


def test_a_parent_is_capped_and_a_lower_cap_holds_for_recorded_attainments() -> None:
    goals = [node("team", None, 100), node("a", "team", 50, 150), node("b", "team", 50, 130)]
    assert roll_up(goals, CAP)["team"].attainment == D(120)  # (50 × 120 + 50 × 120) / 100
    # cap 140: (50 × 140 + 50 × 130) / 100 = (7000 + 6500) / 100 = 135
    assert roll_up(goals, D(140))["team"].attainment == D(135)
    assert roll_up(goals, D(100))["team"].attainment == D(100)


def test_weights_that_do_not_cover_100() -> None:
    goals = [
        node("dept", None, 100),
        node("a", "dept", 40, own=80),
        node("b", "dept", 20, own=50),
        node("over", None, 100),
        node("c", "over", 70, own=100),
        node("d", "over", 50, own=40),
    ]
    rolled = roll_up(goals, CAP)
    # dept = (40 × 80 + 20 × 50) / (40 + 20) = (3200 + 1000) / 60 = 70: the gap is reported,
    # not counted as 0
    assert rolled["dept"] == Rolled(D(70), True, D(60), D(40), 0)
    # over = (70 × 100 + 50 × 40) / 120 = 9000 / 120 = 75; covering more than 100 is no gap
    assert rolled["over"] == Rolled(D(75), True, D(120), D(0), 0)
    assert gaps(goals) == ["dept"]


def test_gaps_lists_only_goals_with_children() -> None:
    goals = [
        node("company", None, 100),
        node("unit", "company", D("99.99")),
        node("team", "unit", 100),
        node("person", "team", 50),
        node("lone", None, 100),
    ]
    assert gaps(goals) == ["company", "team"]
    assert roll_up(goals, CAP)["company"].gap == D("0.01")
    assert roll_up(goals, CAP)["lone"] == Rolled(None, False, D(0), D(0), 0)


def test_children_without_an_attainment_are_pending() -> None:
    goals = [
        node("dept", None, 100),
        node("a", "dept", 50, own=80),
        node("b", "dept", 30),
        node("c", "dept", 20),
    ]
    # dept = 50 × 80 / 50 = 80 over the reported child; the other two are pending
    assert roll_up(goals, CAP)["dept"] == Rolled(D(80), True, D(100), D(0), 2)


def test_a_parent_with_only_pending_children_is_pending_for_its_own_parent() -> None:
    goals = [
        node("company", None, 100),
        node("quiet", "company", 50),
        node("x", "quiet", 60),
        node("y", "quiet", 40),
        node("busy", "company", 50, own=60),
    ]
    rolled = roll_up(goals, CAP)
    assert rolled["quiet"] == Rolled(None, True, D(100), D(0), 2)
    assert rolled["company"] == Rolled(D(60), True, D(100), D(0), 1)  # 50 × 60 / 50


def test_a_reported_child_of_weight_zero_counts_nothing() -> None:
    goals = [node("dept", None, 100), node("a", "dept", 0, own=90), node("b", "dept", 100)]
    assert roll_up(goals, CAP)["dept"] == Rolled(None, True, D(100), D(0), 1)
    goals.append(node("c", "dept", 50, own=30))
    # (0 × 90 + 50 × 30) / (0 + 50) = 30
    assert roll_up(goals, CAP)["dept"].attainment == D(30)


def test_thirds_are_exact_to_28_digits() -> None:
    goals = [node("t", None, 100), node("a", "t", 1, own=100), node("b", "t", 2, own=0)]
    # (1 × 100 + 2 × 0) / 3
    assert roll_up(goals, CAP)["t"].attainment == D("33.33333333333333333333333333")


def test_attainments_from_measures_roll_up() -> None:
    complaints = Measure(MeasureKind.NUMERIC, "次", D(20), D(5), Direction.LOWER)
    response = Measure(MeasureKind.NUMERIC, "分钟", None, D(30), Direction.LOWER)
    opening = Measure(MeasureKind.MILESTONE)
    goals = [
        node("window", None, 100),
        GoalNode("complaints", "window", D(50), attainment(complaints, D(11), CAP)),  # 60
        GoalNode("response", "window", D(30), attainment(response, D(40), CAP)),  # 75
        GoalNode("opening", "window", D(20), attainment(opening, True, CAP)),  # 100
    ]
    # (50 × 60 + 30 × 75 + 20 × 100) / 100 = (3000 + 2250 + 2000) / 100 = 72.5
    assert roll_up(goals, CAP)["window"].attainment == D("72.5")


# -- broken trees ----------------------------------------------------------------------------


def test_a_cycle_is_named() -> None:
    goals = [node("a", "b", 100), node("b", "a", 100), node("below", "a", 100, own=50)]
    with pytest.raises(RollupError) as raised:
        roll_up(goals, CAP)
    assert raised.value.code == "cycle"
    assert set(raised.value.ids) == {"a", "b"}  # not "below", which only hangs from it
    assert "'a' → 'b' → 'a'" in str(raised.value)


def test_every_cycle_is_named_including_a_goal_that_is_its_own_parent() -> None:
    goals = [
        node("root", None, 100),
        node("ok", "root", 100, own=1),
        node("self", "self", 100),
        node("x", "z", 100),
        node("y", "x", 100),
        node("z", "y", 100),
    ]
    with pytest.raises(RollupError) as raised:
        gaps(goals)
    assert raised.value.code == "cycle"
    assert sorted(raised.value.ids) == ["self", "x", "y", "z"]
    assert "'self' → 'self'" in str(raised.value)
    assert "'x' → 'z' → 'y' → 'x'" in str(raised.value)


def test_an_orphan_is_named_with_its_missing_parent() -> None:
    goals = [node("company", None, 100), node("lost", "gone", 100), node("ok", "company", 100)]
    for call in (lambda: roll_up(goals, CAP), lambda: gaps(goals)):
        with pytest.raises(RollupError) as raised:
            call()
        assert raised.value.code == "orphan"
        assert raised.value.ids == ("lost",)
        assert "'lost' (parent 'gone')" in str(raised.value)


def test_a_duplicate_id_is_refused() -> None:
    with pytest.raises(RollupError) as raised:
        roll_up([node("a", None, 100), node("b", "a", 50), node("a", None, 100)], CAP)
    assert (raised.value.code, raised.value.ids) == ("duplicate", ("a",))


@pytest.mark.parametrize(
    ("goal", "code"),
    [
        (GoalNode("bad", "root", D(-1)), "weight"),
        (GoalNode("bad", "root", D("NaN")), "weight"),
        (GoalNode("bad", "root", 50.0), "weight"),
        (GoalNode("bad", "root", D(50), D(-5)), "own"),
        (GoalNode("bad", "root", D(50), 80.0), "own"),
    ],
)
def test_weights_and_attainments_must_be_decimals_of_at_least_0(goal: GoalNode, code: str) -> None:
    with pytest.raises(RollupError) as raised:
        roll_up([node("root", None, 100), goal], CAP)
    assert (raised.value.code, raised.value.ids) == (code, ("bad",))


def test_the_cap_is_checked() -> None:
    with pytest.raises(ValueError):
        roll_up(company_tree(), D(80))


# -- deep trees ------------------------------------------------------------------------------


def test_a_tree_10000_levels_deep() -> None:
    depth = 10_000
    assert sys.getrecursionlimit() < depth  # so a recursive roll-up would fail here
    chain = [node("g0", None, 100)]
    chain += [node(f"g{i}", f"g{i - 1}", 100) for i in range(1, depth - 1)]
    chain.append(node(f"g{depth - 1}", f"g{depth - 2}", 100, own="87.5"))
    for goals in (chain, chain[::-1]):
        rolled = roll_up(goals, CAP)
        assert len(rolled) == depth
        assert rolled["g0"] == Rolled(D("87.5"), True, D(100), D(0), 0)
        assert gaps(goals) == []
    looped = [node("g0", f"g{depth - 1}", 100), *chain[1:]]
    with pytest.raises(RollupError) as raised:
        roll_up(looped, CAP)
    assert len(raised.value.ids) == depth


# -- a property ------------------------------------------------------------------------------

PROPERTY = settings(max_examples=150, deadline=None, database=None)
hundredths = st.integers(0, 15_000).map(lambda n: D(n).scaleb(-2))


@st.composite
def trees(draw: st.DrawFn) -> list[GoalNode[int]]:
    """A forest of up to 40 goals in a random order, each goal's parent drawn before it."""
    size = draw(st.integers(1, 40))
    goals = []
    for i in range(size):
        parent = None if i == 0 else draw(st.none() | st.integers(0, i - 1))
        weight = draw(st.integers(0, 100).map(D) | hundredths)
        own = draw(st.none() | hundredths)
        goals.append(GoalNode(i, parent, weight, own))
    return draw(st.permutations(goals))


def ancestors(goals: list[GoalNode[int]], id: int) -> list[int]:
    parent_of = {goal.id: goal.parent_id for goal in goals}
    found, parent = [], parent_of[id]
    while parent is not None:
        found.append(parent)
        parent = parent_of[parent]
    return found


@PROPERTY
@given(trees(), st.data(), st.sampled_from([D(100), D(120), D("150.5")]))
def test_raising_a_leaf_never_lowers_an_ancestor(goals, data, cap) -> None:
    parents = {goal.parent_id for goal in goals}
    leaves = [i for i, goal in enumerate(goals) if goal.id not in parents]
    at = data.draw(st.sampled_from(leaves))
    leaf = goals[at]
    before_own = leaf.own if leaf.own is not None else data.draw(hundredths)
    raised_by = data.draw(st.integers(0, 5_000).map(lambda n: D(n).scaleb(-2)))
    before = goals.copy()
    before[at] = GoalNode(leaf.id, leaf.parent_id, leaf.weight, before_own)
    after = goals.copy()
    after[at] = GoalNode(leaf.id, leaf.parent_id, leaf.weight, before_own + raised_by)
    old, new = roll_up(before, cap), roll_up(after, cap)
    for id in ancestors(goals, leaf.id):
        assert (old[id].attainment is None) == (new[id].attainment is None)
        if old[id].attainment is not None:
            assert new[id].attainment >= old[id].attainment
    for rolled in new.values():
        assert rolled.attainment is None or D(0) <= rolled.attainment <= cap
