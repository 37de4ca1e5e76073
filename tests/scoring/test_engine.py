"""The scoring engine, step by step (saas/scoring/engine.py, docs/scoring.md).

Each test builds a small scheme inline, scores one subject for 2026-Q3 (July to September;
the previous quarter is April to June) and checks one step of the breakdown and its trace.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from saas.schemes.files import load
from saas.scoring.checks import parse
from saas.scoring.engine import Engine, ScoringInputError, score
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import ItemScore, Result, SectionScore, Step
from saas.scoring.scheme import Scheme

Q3 = Period.parse("2026-Q3")
D = dt.date
ROOT = Path(__file__).resolve().parents[2]


# -- building schemes and subjects -----------------------------------------------------------


def item(key: str, top: Any = 10, **fields: Any) -> dict[str, Any]:
    return {"key": key, "text": f"条目 {key}", "max": top, **fields}


def section(key: str, top: Any, *items: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "title": f"维度 {key}", "max": top, "items": list(items)}


def build(*items: dict[str, Any], **fields: Any) -> Scheme:
    """One supervisor at 100 % and one section of 100 holding ``items``, unless overridden."""
    data: dict[str, Any] = {
        "name": "测试方案",
        "sources": [{"kind": "supervisor", "weight": 100}],
        "sections": [section("s", 100, *items)] if items else [],
        "bands": [{"threshold": 0, "label": "合格"}],
        **fields,
    }
    scheme, issues = parse(data)
    assert scheme is not None, issues
    return scheme


def rate(item_key: str, *values: Any, source: str = "supervisor") -> tuple[Rating, ...]:
    """One rating per value, each by a different rater."""
    return tuple(Rating(item_key, source, f"{source}-{n}", v) for n, v in enumerate(values))


def run(
    scheme: Scheme,
    *ratings: Rating,
    goals: tuple[GoalAttainment, ...] = (),
    events: tuple[Event, ...] = (),
    period: Period = Q3,
) -> Result:
    return Engine(scheme).score(SubjectInput("emp-1", ratings, goals, events), period)


def codes(result: Result) -> list[str]:
    return [step.code for step in result.trace()]


def steps(result: Result, code: str) -> list[Step]:
    return [step for step in result.trace() if step.code == code]


def goal(weight: Any, attainment: Any, key: str = "g") -> GoalAttainment:
    return GoalAttainment(key, Decimal(weight), Decimal(attainment))


def rule(event: str, **fields: Any) -> dict[str, Any]:
    return {"event": event, "label": f"事项 {event}", **fields}


def rated_at(total: Any, *rules: dict[str, Any], **fields: Any) -> tuple[Scheme, Rating]:
    """A scheme whose single item the subject is rated ``total`` on (so the base is that)."""
    scheme = build(item("i", 100), rules=list(rules), **fields)
    return scheme, Rating("i", "supervisor", "r", Decimal(total))


# -- step 1: items, by mode ------------------------------------------------------------------


def test_points_item_scores_the_rating() -> None:
    result = run(build(item("i")), *rate("i", Decimal("7.5")))
    assert result.items == {"supervisor": {"i": ItemScore(1, Decimal("7.5"), Decimal("7.5"))}}
    assert result.final == Decimal("7.50")


@pytest.mark.parametrize(("given", "kept"), [("12", "10"), ("-3", "0"), ("10", "10"), ("0", "0")])
def test_points_are_kept_within_zero_and_the_max_and_the_trace_shows_both(
    given: str, kept: str
) -> None:
    result = run(build(item("i")), *rate("i", Decimal(given)))
    (step,) = steps(result, "item")
    assert step.params == {
        "source": "supervisor",
        "item": "i",
        "raters": 1,
        "mean": Decimal(given),
        "score": Decimal(kept),
    }
    assert result.final == Decimal(kept)


def test_an_int_rating_is_reported_as_a_decimal() -> None:
    result = run(build(item("i")), *rate("i", 7))
    assert isinstance(result.items["supervisor"]["i"].mean, Decimal)
    assert result.to_dict()["items"] == {"supervisor": {"i": "7"}}


@pytest.mark.parametrize(
    ("values", "points"),
    [((True,), "8"), ((False,), "0"), ((True, False), "4"), ((True, True, False, False), "4")],
)
def test_yes_no_is_the_max_or_zero_per_rater(values: tuple[bool, ...], points: str) -> None:
    result = run(build(item("i", 8, mode="yes_no")), *rate("i", *values))
    assert result.items["supervisor"]["i"].score == Decimal(points)
    assert not result.is_disqualified  # a plain yes/no item never disqualifies


LEVELS = [
    {"label": "优", "points": 10},
    {"label": "良", "points": 8},
    {"label": "中", "points": "5.5"},
    {"label": "差", "points": 0},
]


@pytest.mark.parametrize(
    ("labels", "points"),
    [(("优",), "10"), (("中",), "5.5"), (("差",), "0"), (("优", "中"), "7.75")],
)
def test_scale_labels_become_their_points(labels: tuple[str, ...], points: str) -> None:
    result = run(build(item("i", mode="scale", scale=LEVELS)), *rate("i", *labels))
    assert result.items["supervisor"]["i"].score == Decimal(points)


def test_an_unknown_scale_label_is_an_input_error() -> None:
    with pytest.raises(ScoringInputError) as raised:
        run(build(item("i", mode="scale", scale=LEVELS)), *rate("i", "优", "甲"))
    assert raised.value.code == "input.unknown_level"
    assert raised.value.params == {"item": "i", "value": "甲", "levels": ["优", "良", "中", "差"]}


@pytest.mark.parametrize(
    ("occurrences", "points"), [(0, "10"), (1, "7"), (2, "4"), (3, "2"), (10, "2")]
)
def test_deduction_is_max_minus_per_occurrence_down_to_the_floor(
    occurrences: int, points: str
) -> None:
    scheme = build(item("i", 10, mode="deduction", per_occurrence=3, floor=2))
    result = run(scheme, *rate("i", occurrences))
    assert result.items["supervisor"]["i"].score == Decimal(points)


def test_deduction_floor_defaults_to_zero_and_raters_are_averaged_after_conversion() -> None:
    scheme = build(item("i", 10, mode="deduction", per_occurrence="2.5"))
    assert run(scheme, *rate("i", 5)).items["supervisor"]["i"].score == 0
    # 1 occurrence → 7.5, 5 occurrences → 0 (not −2.5): the mean is 3.75
    assert run(scheme, *rate("i", 1, 5)).items["supervisor"]["i"].score == Decimal("3.75")


def critical_scheme(on_fail: str = "disqualify", **fields: Any) -> Scheme:
    return build(
        sections=[
            section(
                "conduct", 50, item("quarrel", 20, mode="critical", on_fail=on_fail), item("a", 30)
            ),
            section("service", 50, item("b", 50)),
        ],
        sources=[{"kind": "supervisor", "weight": 50}, {"kind": "committee", "weight": 50}],
        bands=[{"threshold": 0, "label": "合格", "award": 100}],
        **fields,
    )


def test_one_no_on_a_critical_item_disqualifies_this_period() -> None:
    result = run(critical_scheme(), *rate("quarrel", True, False, True), *rate("a", 30))
    assert result.disqualified == (Step("critical", {"item": "quarrel", "source": "supervisor"}),)
    assert result.disqualified_next == ()
    # the score is kept (two yes of three: 2/3 of 20), the award is not paid
    assert result.sections["supervisor"]["conduct"].subtotal == Decimal(30) + Decimal(40) / 3
    assert result.band is not None and result.award == 0
    assert steps(result, "award_withheld") == [Step("award_withheld", {"award": Decimal(100)})]


def test_a_critical_item_failed_by_two_sources_disqualifies_once() -> None:
    result = run(
        critical_scheme(),
        *rate("quarrel", False),
        *rate("quarrel", False, source="committee"),
    )
    assert result.disqualified == (Step("critical", {"item": "quarrel", "source": "supervisor"}),)


def test_a_critical_item_passed_by_everyone_does_nothing() -> None:
    result = run(critical_scheme(), *rate("quarrel", True, True), *rate("a", 30))
    assert not result.is_disqualified
    assert result.award == Decimal(100)
    assert result.sections["supervisor"]["conduct"] == SectionScore(Decimal(50), Decimal(50))


def test_a_critical_item_can_zero_its_section_for_that_source_only() -> None:
    result = run(
        critical_scheme("zero_section"),
        *rate("quarrel", True, False),
        *rate("a", 30),
        *rate("b", 40),
        *rate("quarrel", True, source="committee"),
        *rate("a", 30, source="committee"),
    )
    assert not result.is_disqualified
    assert result.sections["supervisor"] == {
        "conduct": SectionScore(Decimal(40), Decimal(0), "quarrel"),
        "service": SectionScore(Decimal(40), Decimal(40)),
    }
    assert result.sections["committee"]["conduct"] == SectionScore(Decimal(50), Decimal(50))
    assert result.sources == {"supervisor": Decimal(40), "committee": Decimal(50)}
    section_step = steps(result, "section")[0]
    assert section_step.params["zeroed_by"] == "quarrel"
    assert section_step.params["sum"] == 40 and section_step.params["subtotal"] == 0


# -- the mean of several raters and the one rounding point -----------------------------------


def test_the_mean_of_three_raters_is_kept_to_28_digits() -> None:
    scheme = build(item("a", 20), item("b", 20), item("c", 20))
    result = run(scheme, *rate("a", 10, 10, 11), *rate("b", 10, 10, 11), *rate("c", 10, 10, 11))
    third = Decimal("10.33333333333333333333333333")
    assert result.items["supervisor"]["a"] == ItemScore(3, third, third)
    assert result.unrounded == Decimal("30.99999999999999999999999999")
    assert result.final == Decimal("31.00")
    assert str(result.final) == "31.00"


def test_nothing_is_rounded_before_the_final_score() -> None:
    # each item's mean is 10.335; rounding items first would give 10.34 + 10.34 = 20.68
    scheme = build(item("a", 20), item("b", 20))
    result = run(
        scheme,
        *rate("a", Decimal("10.33"), Decimal("10.34")),
        *rate("b", *[Decimal("10.34"), Decimal("10.33")]),
    )
    assert result.unrounded == Decimal("20.670")
    assert result.final == Decimal("20.67")


@pytest.mark.parametrize(
    ("attainment", "precision", "final"),
    [
        ("92.345", 2, "92.35"),
        ("92.344999", 2, "92.34"),
        ("92.355", 2, "92.36"),
        ("92.5", 0, "93"),
        ("93.5", 0, "94"),
        ("92.4999", 0, "92"),
        ("92.12345", 4, "92.1235"),
        ("92.3", 1, "92.3"),
    ],
)
def test_final_is_rounded_half_up_at_the_schemes_precision(
    attainment: str, precision: int, final: str
) -> None:
    scheme = build(goals={"share": 100}, sections=[], sources=[], precision=precision)
    result = run(scheme, goals=(goal(1, attainment),))
    assert result.unrounded == Decimal(attainment)
    assert str(result.final) == final


def test_rounding_never_lifts_a_capped_score_above_a_finer_scale() -> None:
    scheme = build(sections=[section("s", "92.5", item("i", "92.5"))], scale="92.5", precision=0)
    assert run(scheme, *rate("i", "92.5")).final == Decimal(92)  # not 93
    uncapped = build(
        sections=[section("s", "92.5", item("i", "92.5"))],
        scale="92.5",
        precision=0,
        cap_at_scale=False,
    )
    assert run(uncapped, *rate("i", "92.5")).final == Decimal(93)


def test_half_up_applies_to_the_mean_of_raters_too() -> None:
    result = run(build(item("i", 100)), *rate("i", Decimal("92.34"), Decimal("92.35")))
    assert result.unrounded == Decimal("92.345")
    assert result.final == Decimal("92.35")  # half-even would say 92.34


def test_the_band_comes_from_the_rounded_score() -> None:
    bands = [{"threshold": 95, "label": "最佳", "award": 500}, {"threshold": 0, "label": "合格"}]
    scheme = build(item("i", 100), bands=bands)
    result = run(scheme, *rate("i", Decimal("94.99"), Decimal("95")))
    assert result.unrounded == Decimal("94.995")
    assert result.final == Decimal("95.00")
    assert result.band is not None and result.band.label == "最佳"
    assert result.award == Decimal(500)


# -- step 2 and 3: sections, sources, the checklist ------------------------------------------


def test_a_section_is_capped_at_its_max() -> None:
    scheme = build(sections=[section("s", 20, item("a", 15), item("b", 10))])
    result = run(scheme, *rate("a", 15), *rate("b", 10))
    assert result.sections["supervisor"]["s"] == SectionScore(Decimal(25), Decimal(20))
    assert result.sources == {"supervisor": Decimal(20)}
    assert result.final == Decimal(20)


def test_a_source_total_is_the_sum_of_its_sections_including_unrated_ones() -> None:
    scheme = build(
        sections=[section("x", 30, item("a", 30)), section("y", 70, item("b", 70))],
    )
    result = run(scheme, *rate("a", 25))
    assert result.sections["supervisor"]["y"] == SectionScore(Decimal(0), Decimal(0))
    assert result.sources["supervisor"] == Decimal(25)
    assert [s.params["section"] for s in steps(result, "section")] == ["x", "y"]


TWO_SOURCES = [{"kind": "supervisor", "weight": 60}, {"kind": "peer", "weight": 40}]


def test_the_checklist_is_the_weighted_sum_of_the_sources() -> None:
    scheme = build(item("i", 100), sources=TWO_SOURCES)
    result = run(scheme, *rate("i", 80), *rate("i", 90, source="peer"))
    assert result.weights == {"supervisor": Decimal(60), "peer": Decimal(40)}
    assert result.checklist == Decimal(84)  # 0.6 × 80 + 0.4 × 90


def test_a_missing_source_renormalises_the_weights_of_those_that_rated() -> None:
    scheme = build(item("i", 100), sources=TWO_SOURCES, missing_sources="renormalise")
    result = run(scheme, *rate("i", 80))
    assert result.weights == {"supervisor": Decimal(100)}
    assert result.checklist == Decimal(80)
    (step,) = steps(result, "checklist")
    assert step.params["missing"] == ["peer"]
    assert step.params["policy"] == "renormalise"


def test_renormalising_keeps_the_ratio_of_the_remaining_weights() -> None:
    sources = [
        {"kind": "supervisor", "weight": 50},
        {"kind": "peer", "weight": 30},
        {"kind": "committee", "weight": 20},
    ]
    scheme = build(item("i", 100), sources=sources)
    result = run(scheme, *rate("i", 80), *rate("i", 40, source="peer"))
    assert result.weights == {"supervisor": Decimal("62.5"), "peer": Decimal("37.5")}
    assert result.checklist == Decimal(65)  # 0.625 × 80 + 0.375 × 40


def test_a_missing_source_can_count_as_zero() -> None:
    scheme = build(item("i", 100), sources=TWO_SOURCES, missing_sources="zero")
    result = run(scheme, *rate("i", 80))
    assert result.weights == {"supervisor": Decimal(60), "peer": Decimal(40)}
    assert result.sources == {"supervisor": Decimal(80)}  # only the sources that rated
    assert result.checklist == Decimal(48)
    assert steps(result, "checklist")[0].params["policy"] == "zero"


def test_no_ratings_at_all() -> None:
    result = run(build(item("i", 100)))
    assert result.checklist is None
    assert result.base == 0 and result.final == 0
    assert "no_ratings" in codes(result)
    assert result.items == {} and result.weights == {}


# -- steps 4 and 5: goals and the blend ------------------------------------------------------


def goals_scheme(**goals: Any) -> Scheme:
    return build(item("i", 100), goals={"share": 40, **goals})


def test_the_base_blends_checklist_and_goals_by_the_goals_share() -> None:
    result = run(goals_scheme(), *rate("i", 80), goals=(goal(60, 90, "g1"), goal(40, 100, "g2")))
    assert result.goals == Decimal(94)  # (60 × 90 + 40 × 100) / 100
    assert result.base == Decimal("85.6")  # 0.6 × 80 + 0.4 × 94
    (blend,) = steps(result, "blend")
    assert blend.params == {
        "checklist": Decimal(80),
        "goals": Decimal(94),
        "share": Decimal(40),
        "base": Decimal("85.6"),
    }


def test_each_goals_attainment_is_capped_before_weighing() -> None:
    goals = (goal(60, 150, "g1"), goal(40, 110, "g2"))
    assert run(goals_scheme(), *rate("i", 80), goals=goals).goals == Decimal(100)
    capped = run(goals_scheme(attainment_cap=120), *rate("i", 80), goals=goals)
    assert capped.goals == Decimal(116)  # (60 × 120 + 40 × 110) / 100
    (step,) = steps(capped, "goals")
    assert step.params == {
        "goals": 2,
        "cap": Decimal(120),
        "attainment": Decimal(116),
        "component": Decimal(116),
    }


def test_goals_are_put_on_the_schemes_scale() -> None:
    scheme = build(sections=[section("s", 50, item("i", 50))], scale=50, goals={"share": 50})
    result = run(scheme, *rate("i", 40), goals=(goal(1, 80),))
    assert result.goals == Decimal(40)  # 80 % of 50
    assert result.base == Decimal(40)


def test_missing_goals_renormalise_to_the_checklist() -> None:
    result = run(goals_scheme(when_missing="renormalise"), *rate("i", 80))
    assert result.goals is None
    assert result.base == Decimal(80)
    assert steps(result, "goals_missing") == [Step("goals_missing", {"policy": "renormalise"})]


def test_missing_goals_can_count_as_zero() -> None:
    result = run(goals_scheme(when_missing="zero"), *rate("i", 80))
    assert result.goals is None
    assert result.base == Decimal(48)
    assert steps(result, "blend")[0].params["goals"] is None


def test_goals_of_no_weight_count_as_missing() -> None:
    result = run(goals_scheme(when_missing="zero"), *rate("i", 80), goals=(goal(0, 100),))
    assert result.base == Decimal(48)


def test_goals_are_ignored_when_their_share_is_zero() -> None:
    result = run(build(item("i", 100)), *rate("i", 80), goals=(goal(1, 10),))
    assert result.goals is None and result.base == Decimal(80)
    assert not {"goals", "blend", "goals_missing"} & set(codes(result))


def test_goals_without_a_checklist() -> None:
    result = run(goals_scheme(), goals=(goal(1, 90),))
    assert result.checklist is None
    assert result.base == Decimal(36)  # 0.4 × 90: the checklist part counts zero
    assert "checklist_missing" in codes(result)


# -- step 6: ledger events, floor and cap ----------------------------------------------------


def test_adjustments_and_fines_add_up() -> None:
    scheme, rating = rated_at(80, rule("praise", points=10), rule("late", points=-3, fine=50))
    events = (
        Event("praise", D(2026, 7, 1)),
        Event("late", D(2026, 9, 30)),
        Event("late", D(2026, 8, 1)),
    )
    result = run(scheme, rating, events=events)
    assert result.adjustments == Decimal(4)
    assert result.fines == Decimal(100)
    assert result.final == Decimal(84)
    assert [s.params["on"] for s in steps(result, "event")] == [
        D(2026, 7, 1),
        D(2026, 8, 1),
        D(2026, 9, 30),
    ]


def test_the_final_score_is_never_below_zero() -> None:
    scheme, rating = rated_at(3, rule("late", points=-5))
    result = run(scheme, rating, events=(Event("late", D(2026, 7, 5)),))
    assert result.unrounded == 0 and result.final == 0
    assert steps(result, "floor") == [Step("floor", {"score": Decimal(-2)})]


def test_the_final_score_is_capped_at_the_scale() -> None:
    scheme, rating = rated_at(95, rule("praise", points=10))
    result = run(scheme, rating, events=(Event("praise", D(2026, 7, 5)),))
    assert result.final == Decimal(100)
    assert steps(result, "cap") == [Step("cap", {"score": Decimal(105), "scale": Decimal(100)})]


def test_bonuses_may_exceed_the_scale_when_the_scheme_says_so() -> None:
    scheme, rating = rated_at(95, rule("praise", points=10), cap_at_scale=False)
    result = run(scheme, rating, events=(Event("praise", D(2026, 7, 5)),))
    assert result.final == Decimal(105)
    assert "cap" not in codes(result)


def test_an_unknown_event_type_is_ignored_and_traced() -> None:
    scheme, rating = rated_at(80, rule("praise", points=10))
    result = run(scheme, rating, events=(Event("mystery", D(2026, 7, 5), ref="L-1"),))
    assert result.final == Decimal(80)
    assert steps(result, "event_unknown") == [
        Step("event_unknown", {"event": "mystery", "on": D(2026, 7, 5), "ref": "L-1"})
    ]


@pytest.mark.parametrize("day", [D(2026, 3, 31), D(2026, 10, 1), D(2025, 8, 1)])
def test_events_outside_this_and_the_previous_period_are_ignored(day: dt.date) -> None:
    scheme, rating = rated_at(80, rule("praise", points=10, disqualify="next_period"))
    result = run(scheme, rating, events=(Event("praise", day),))
    assert result.final == Decimal(80)
    assert not result.is_disqualified and not result.disqualified_next
    assert codes(result).count("event_outside") == 1


@pytest.mark.parametrize(
    ("needs_validity", "validity", "counted", "code"),
    [
        (True, Validity.VALID, True, "event"),
        (True, None, False, "event_pending"),  # no decision yet where one is needed: pending
        (True, Validity.PENDING, False, "event_pending"),
        (True, Validity.INVALID, False, "event_invalid"),
        (False, Validity.VALID, True, "event"),
        (False, None, True, "event"),
        (False, Validity.PENDING, False, "event_pending"),  # pending counts for nothing
        (False, Validity.INVALID, False, "event_invalid"),
    ],
)
def test_which_events_count_depends_on_their_validity(
    needs_validity: bool, validity: Validity | None, counted: bool, code: str
) -> None:
    scheme, rating = rated_at(
        80, rule("complaint", points=-5, disqualify="this_period", needs_validity=needs_validity)
    )
    result = run(scheme, rating, events=(Event("complaint", D(2026, 8, 1), validity),))
    assert result.final == (Decimal(75) if counted else Decimal(80))
    assert result.is_disqualified is counted
    assert code in codes(result)


def test_a_this_period_rule_disqualifies_but_keeps_the_score() -> None:
    bands = [{"threshold": 0, "label": "合格", "award": 100}]
    scheme, rating = rated_at(80, rule("complaint", disqualify="this_period"), bands=bands)
    result = run(scheme, rating, events=(Event("complaint", D(2026, 8, 1), ref="L-9"),))
    about = {"event": "complaint", "on": D(2026, 8, 1), "ref": "L-9", "label": "事项 complaint"}
    assert result.disqualified == (Step("rule", about),)
    assert result.final == Decimal(80)
    assert result.band is not None and result.award == 0


def test_a_previous_period_event_counts_only_through_forward_rules() -> None:
    scheme, rating = rated_at(80, rule("praise", points=10, fine=5, monthly_points=-20))
    result = run(scheme, rating, events=(Event("praise", D(2026, 6, 30)),))
    assert result.final == Decimal(80) and result.fines == 0
    assert result.monthly_tallies == {}
    (step,) = steps(result, "event_previous")
    assert step.params["disqualify"] == "none"
    assert not result.is_disqualified


NEXT = rule("lost_badge", fine=200, disqualify="next_period")
PAID = [{"threshold": 0, "label": "合格", "award": 100}]


def test_a_next_period_rule_does_not_disqualify_the_period_it_happens_in() -> None:
    scheme, rating = rated_at(80, NEXT, bands=PAID)
    result = run(scheme, rating, events=(Event("lost_badge", D(2026, 9, 30)),))
    about = {"event": "lost_badge", "on": D(2026, 9, 30), "ref": "", "label": "事项 lost_badge"}
    assert result.disqualified == ()
    assert result.disqualified_next == (Step("rule", about),)
    assert result.fines == Decimal(200)
    assert result.award == Decimal(100)


def test_a_next_period_rule_from_the_previous_period_disqualifies_this_one() -> None:
    scheme, rating = rated_at(80, NEXT, bands=PAID)
    result = run(scheme, rating, events=(Event("lost_badge", D(2026, 4, 1)),))
    about = {"event": "lost_badge", "on": D(2026, 4, 1), "ref": "", "label": "事项 lost_badge"}
    assert result.disqualified == (Step("previous_period", about),)
    assert result.fines == 0  # the fine belonged to last quarter
    assert result.award == 0
    assert steps(result, "event_previous")[0].params["disqualify"] == "this_period"


def test_a_pending_forward_event_waits_for_its_validity() -> None:
    scheme, rating = rated_at(80, {**NEXT, "needs_validity": True})
    result = run(scheme, rating, events=(Event("lost_badge", D(2026, 5, 1), Validity.PENDING),))
    assert not result.is_disqualified
    assert "event_pending" in codes(result)


BADGE = rule("badge", monthly_points=-5)


def badge_events(*days: dt.date) -> tuple[Event, ...]:
    return tuple(Event("badge", day, ref=f"L-{n}") for n, day in enumerate(days))


def test_monthly_deductions_are_tallied_per_month_without_touching_the_score() -> None:
    scheme, rating = rated_at(80, BADGE)
    result = run(scheme, rating, events=badge_events(D(2026, 7, 1), D(2026, 7, 31), D(2026, 8, 2)))
    assert result.monthly_tallies == {"2026-07": Decimal(10), "2026-08": Decimal(5)}
    assert result.final == Decimal(80)
    assert steps(result, "tally") == [
        Step("tally", {"month": "2026-07", "deducted": Decimal(10)}),
        Step("tally", {"month": "2026-08", "deducted": Decimal(5)}),
    ]


def test_a_monthly_tally_at_the_limit_disqualifies() -> None:
    limit = [{"deducted_at_least": 15}]
    scheme, rating = rated_at(80, BADGE, tally_limits=limit)
    result = run(scheme, rating, events=badge_events(D(2026, 7, 1), D(2026, 7, 2), D(2026, 7, 3)))
    reason = Step(
        "tally_limit", {"month": "2026-07", "deducted": Decimal(15), "limit": Decimal(15)}
    )
    assert result.disqualified == (reason,)
    assert reason in result.trace()


def test_a_monthly_tally_below_the_limit_or_spread_over_months_does_not() -> None:
    limit = [{"deducted_at_least": 15}]
    scheme, rating = rated_at(80, BADGE, tally_limits=limit)
    spread = run(scheme, rating, events=badge_events(D(2026, 7, 1), D(2026, 7, 2), D(2026, 8, 3)))
    assert not spread.is_disqualified
    assert "tally_limit" not in codes(spread)


def test_a_tally_limit_can_disqualify_the_next_period() -> None:
    limit = [{"deducted_at_least": 10, "disqualify": "next_period"}]
    scheme, rating = rated_at(80, BADGE, tally_limits=limit)
    this = run(scheme, rating, events=badge_events(D(2026, 9, 1), D(2026, 9, 2)))
    assert not this.is_disqualified
    assert [s.code for s in this.disqualified_next] == ["tally_limit"]
    previous = run(scheme, rating, events=badge_events(D(2026, 6, 1), D(2026, 6, 2)))
    assert previous.disqualified == (
        Step("tally_limit", {"month": "2026-06", "deducted": Decimal(10), "limit": Decimal(10)}),
    )
    assert previous.monthly_tallies == {}  # last quarter's months are not this quarter's tally


def test_last_periods_tally_does_not_count_for_a_this_period_limit() -> None:
    limit = [{"deducted_at_least": 10}]
    scheme, rating = rated_at(80, BADGE, tally_limits=limit)
    result = run(scheme, rating, events=badge_events(D(2026, 6, 1), D(2026, 6, 2)))
    assert not result.is_disqualified and not result.disqualified_next


def test_a_tally_limit_without_effect_is_only_traced() -> None:
    limit = [{"deducted_at_least": 10, "disqualify": "none"}]
    scheme, rating = rated_at(80, BADGE, tally_limits=limit)
    result = run(scheme, rating, events=badge_events(D(2026, 7, 1), D(2026, 7, 2)))
    assert not result.is_disqualified and not result.disqualified_next
    assert "tally_limit" in codes(result)


# -- independence of order, exclusion, output ------------------------------------------------


def ledger_scheme() -> Scheme:
    return build(
        item("a", 50),
        item(
            "b",
            50,
            mode="scale",
            scale=[{"label": "好", "points": 50}, {"label": "差", "points": 10}],
        ),
        sources=TWO_SOURCES,
        rules=[
            rule("praise", points=10),
            BADGE,
            NEXT,
            rule("complaint", points=-2, needs_validity=True, disqualify="this_period"),
        ],
        tally_limits=[{"deducted_at_least": 10}],
        bands=[{"threshold": 90, "label": "优", "award": 300}, {"threshold": 0, "label": "合格"}],
    )


LEDGER = (
    Event("praise", D(2026, 7, 5), ref="a"),
    Event("badge", D(2026, 7, 9), ref="b"),
    Event("badge", D(2026, 7, 9), ref="c"),
    Event("lost_badge", D(2026, 6, 3), ref="d"),
    Event("complaint", D(2026, 8, 1), Validity.PENDING, ref="e"),
    Event("complaint", D(2026, 8, 1), Validity.VALID, ref="f"),
    Event("unknown", D(2026, 7, 5), ref="g"),
    Event("praise", D(2026, 12, 5), ref="h"),
)
RATINGS = (
    *rate("a", 40, 45, Decimal("47.5")),
    *rate("b", "好", "差"),
    *rate("a", 30, source="peer"),
    *rate("b", "好", "好", source="peer"),
)


def test_the_order_of_events_and_ratings_changes_nothing() -> None:
    scheme = ledger_scheme()
    first = run(scheme, *RATINGS, events=LEDGER)
    again = run(scheme, *reversed(RATINGS), events=tuple(reversed(LEDGER)))
    shuffled = run(scheme, *RATINGS[3:], *RATINGS[:3], events=LEDGER[4:] + LEDGER[:4])
    assert first.is_disqualified  # the valid complaint, the tally and last quarter's badge
    assert first == again == shuffled
    assert first.trace() == again.trace() == shuffled.trace()
    assert first.to_dict() == again.to_dict() == shuffled.to_dict()


def test_scoring_twice_gives_the_same_result() -> None:
    engine = Engine(ledger_scheme())
    subject = SubjectInput("emp-1", RATINGS, (), LEDGER)
    assert engine.score(subject, Q3) == engine.score(subject, Q3)
    assert engine.score_many([subject, subject], Q3) == [engine.score(subject, Q3)] * 2
    assert score(ledger_scheme(), subject, Q3) == engine.score(subject, Q3)


def test_an_excluded_subject_is_not_scored() -> None:
    subject = SubjectInput(
        "head-1",
        ratings=(Rating("no-such-item", "supervisor", "r", 5),),  # not even looked at
        excluded_because=("部门主管以上不在考核范围",),
    )
    result = Engine(ledger_scheme()).score(subject, Q3)
    assert result.excluded and not result.is_disqualified
    assert result.excluded_because == ("部门主管以上不在考核范围",)
    assert result.final == 0 and result.band is None and result.award == 0
    assert result.trace() == [Step("excluded", {"reasons": ["部门主管以上不在考核范围"]})]
    assert result.to_dict()["excluded_because"] == ["部门主管以上不在考核范围"]


def test_a_subject_below_every_band_has_none() -> None:
    scheme, rating = rated_at(50, bands=[{"threshold": 60, "label": "合格"}])
    result = run(scheme, rating)
    assert result.band is None and result.award == 0
    assert codes(result)[-1] == "no_band"


def test_unknown_items_and_sources_are_input_errors() -> None:
    scheme = build(item("i"))
    with pytest.raises(ScoringInputError) as raised:
        run(scheme, Rating("nope", "supervisor", "r", 1))
    assert (raised.value.code, raised.value.params) == ("input.unknown_item", {"item": "nope"})
    with pytest.raises(ScoringInputError) as raised:
        run(scheme, Rating("i", "peer", "r", 1))  # a kind the scheme does not use
    assert (raised.value.code, raised.value.params) == ("input.unknown_source", {"source": "peer"})
    assert isinstance(raised.value, ValueError)


def _only_plain(value: Any) -> None:
    """JSON-ready and with no number that could lose digits: decimals are strings."""
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        for item_value in value.values():
            _only_plain(item_value)
    elif isinstance(value, list):
        for item_value in value:
            _only_plain(item_value)
    else:
        assert value is None or isinstance(value, str | bool | int), value
        assert not isinstance(value, float)


def test_to_dict_is_json_and_decimals_are_strings() -> None:
    result = run(ledger_scheme(), *RATINGS, events=LEDGER)
    data = result.to_dict()
    _only_plain(data)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["final"] == str(result.final)
    assert data["weights"] == {"supervisor": "60", "peer": "40"}
    assert data["items"]["supervisor"]["a"] == "44.16666666666666666666666667"
    first_event = next(step for step in data["trace"] if step["step"] == "event_previous")
    assert first_event["on"] == "2026-06-03"
    assert [step["step"] for step in data["disqualified"]] == [
        "previous_period",
        "rule",
        "tally_limit",
    ]
    assert len(data["trace"]) == len(result.trace())


# -- the worked example of docs/scoring.md ---------------------------------------------------


WORKED_EXAMPLE: dict[str, Any] = {
    "name": "微笑服务季度考核（示例）",
    "sources": [{"kind": "supervisor", "weight": 70}, {"kind": "committee", "weight": 30}],
    "goals": {"share": 20, "attainment_cap": 120},
    "sections": [
        {
            "key": "discipline",
            "title": "遵章守纪",
            "max": 20,
            "items": [
                {"key": "attendance", "text": "遵守劳动纪律", "max": 10},
                {
                    "key": "badge",
                    "text": "按规定佩戴工号牌（每次扣2分）",
                    "max": 10,
                    "mode": "deduction",
                    "per_occurrence": 2,
                },
            ],
        },
        {
            "key": "courtesy",
            "title": "文明礼貌",
            "max": 30,
            "items": [
                {
                    "key": "greeting",
                    "text": "使用文明用语",
                    "max": 15,
                    "mode": "scale",
                    "scale": [
                        {"label": "优", "points": 15},
                        {"label": "良", "points": 12},
                        {"label": "中", "points": 9},
                        {"label": "差", "points": 5},
                    ],
                },
                {"key": "uniform", "text": "着装整洁", "max": 10, "mode": "yes_no"},
                {"key": "no_quarrel", "text": "不与顾客争吵", "max": 10, "mode": "critical"},
            ],
        },
        {
            "key": "service",
            "title": "优质服务",
            "max": 50,
            "items": [
                {"key": "response", "text": "服务及时、耐心", "max": 30},
                {"key": "follow_up", "text": "投诉跟进处理", "max": 25},
            ],
        },
    ],
    "bands": [
        {"threshold": 95, "label": "最佳微笑奖", "award": 500},
        {"threshold": 90, "label": "微笑大使奖", "award": 300},
        {"threshold": 85, "label": "微笑风采奖", "award": 200},
        {"threshold": 80, "label": "合格"},
        {"threshold": 0, "label": "待培训", "consequence": "retraining"},
    ],
    "rules": [
        {"event": "badge_missing", "label": "未佩戴工号牌", "monthly_points": -5},
        {"event": "late_report", "label": "迟报工作记录", "points": -1},
        {
            "event": "complaint",
            "label": "有效投诉",
            "needs_validity": True,
            "disqualify": "this_period",
        },
        {
            "event": "lost_award_badge",
            "label": "遗失奖章",
            "fine": 200,
            "disqualify": "next_period",
        },
    ],
    "tally_limits": [{"deducted_at_least": 15}],
}


# The example's items add up to more than two sections' maxima on purpose, to show the cap;
# the check says so, and nothing else.
WORKED_EXAMPLE_WARNINGS = [("sections", 1, "max"), ("sections", 2, "max")]


def worked_example() -> Result:
    scheme, issues = parse(WORKED_EXAMPLE)
    assert scheme is not None
    assert [(i.path, i.code) for i in issues] == [
        (path, "section.items_over") for path in WORKED_EXAMPLE_WARNINGS
    ]
    ratings = (
        *rate("attendance", 9, 10, 10),
        *rate("badge", 1, 2),
        *rate("greeting", "优", "良"),
        *rate("uniform", True, True),
        *rate("no_quarrel", True, True),
        *rate("response", 27, 28),
        *rate("follow_up", 24, 25),
        *rate("attendance", 8, source="committee"),
        *rate("badge", 3, source="committee"),
        *rate("greeting", "中", source="committee"),
        *rate("uniform", False, source="committee"),
        *rate("no_quarrel", True, source="committee"),
        *rate("response", 25, source="committee"),
        *rate("follow_up", 20, source="committee"),
    )
    events = (
        Event("badge_missing", D(2026, 7, 3)),
        Event("badge_missing", D(2026, 7, 20)),
        Event("late_report", D(2026, 8, 12)),
        Event("complaint", D(2026, 9, 2)),  # no validity decision yet: pending
        Event("lost_award_badge", D(2026, 6, 15)),
    )
    goals = (goal(60, 90, "g1"), goal(40, 130, "g2"))
    return Engine(scheme).score(SubjectInput("emp-1", ratings, goals, events), Q3)


def test_worked_example_in_docs_scoring_md() -> None:
    result = worked_example()
    supervisor = result.sections["supervisor"]
    assert result.items["supervisor"]["attendance"].score == Decimal(
        "9.666666666666666666666666667"
    )
    assert supervisor["discipline"].subtotal == Decimal("16.66666666666666666666666667")
    assert supervisor["courtesy"] == SectionScore(Decimal("33.5"), Decimal(30))
    assert supervisor["service"] == SectionScore(Decimal(52), Decimal(50))
    committee = result.sections["committee"]
    assert {key: s.subtotal for key, s in committee.items()} == {
        "discipline": Decimal(12),
        "courtesy": Decimal(19),
        "service": Decimal(45),
    }
    assert result.sources == {
        "supervisor": Decimal("96.66666666666666666666666667"),
        "committee": Decimal(76),
    }
    assert result.checklist == Decimal("90.46666666666666666666666667")
    assert result.goals == Decimal(102)
    assert result.base == Decimal("92.77333333333333333333333334")
    assert result.adjustments == Decimal(-1)
    assert result.monthly_tallies == {"2026-07": Decimal(10)}
    assert result.unrounded == Decimal("91.77333333333333333333333334")
    assert result.final == Decimal("91.77")
    assert result.band is not None and result.band.label == "微笑大使奖"
    assert result.award == 0 and result.fines == 0
    assert [step.code for step in result.disqualified] == ["previous_period"]
    assert codes(result)[-13:] == [
        "source",
        "checklist",
        "goals",
        "blend",
        "event_previous",
        "event",
        "event",
        "event",
        "event_pending",
        "tally",
        "final",
        "band",
        "award_withheld",
    ]


def test_the_worked_example_in_the_docs_is_the_scheme_scored_here() -> None:
    docs = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    example = docs[docs.index("## A worked example") :]
    text = example[example.index("```yaml\n") + len("```yaml\n") :]
    loaded = load(text[: text.index("```")])
    assert [found.issue.path for found in loaded.issues] == WORKED_EXAMPLE_WARNINGS
    assert loaded.scheme == parse(WORKED_EXAMPLE)[0]


# -- the documentation lists every step ------------------------------------------------------


def emitted_codes() -> set[str]:
    """Every step code the engine and the result can produce, read from their source."""
    found: set[str] = set()
    for name in ("engine.py", "result.py", "quotas.py"):
        text = (ROOT / "saas" / "scoring" / name).read_text(encoding="utf-8")
        found |= set(re.findall(r'Step\(\s*"(\w+)"', text))
    # "event_{validity}" for the validities that are not counted
    return found | {"event_pending", "event_invalid"}


def test_docs_explain_every_step_code() -> None:
    codes_found = emitted_codes()
    assert {"item", "final", "critical", "tally_limit", "excluded", "quota"} <= codes_found
    docs = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    missing = sorted(code for code in codes_found if f"`{code}`" not in docs)
    assert missing == []


# -- results as people read them -------------------------------------------------------------


def test_a_result_as_people_read_it_is_at_the_schemes_precision() -> None:
    # Three raters' mean is exact to 28 digits inside; shown, it has the scheme's decimals.
    scheme = build(
        item("i", 100), bands=[{"threshold": 0, "label": "需培训", "consequence": "retraining"}]
    )
    result = run(scheme, *rate("i", Decimal(80), Decimal(81), Decimal(81)))
    exact = result.to_dict()
    shown = result.to_dict(places=2)
    assert exact["checklist"] == "80.66666666666666666666666667"
    assert shown["checklist"] == "80.67"
    assert shown["final"] == "80.67" and shown["weights"] == {"supervisor": "100.00"}
    assert shown["consequence"] == exact["consequence"] == "retraining"
    assert steps(result, "band")[0].params["consequence"] == "retraining"
