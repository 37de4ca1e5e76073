"""Forced distribution: at most N % of the cohort per band; the excess moves down by rank."""

from __future__ import annotations

from decimal import Decimal

from saas.scoring.checks import parse
from saas.scoring.engine import Engine
from saas.scoring.inputs import Rating, SubjectInput
from saas.scoring.period import Period
from saas.scoring.quotas import apply_quotas, capacity

SCHEME = {
    "name": "Quota",
    "sources": [{"kind": "supervisor", "weight": 100}],
    "sections": [
        {
            "key": "A",
            "title": "All",
            "max": 100,
            "items": [{"key": "A1", "text": "Work", "max": 100}],
        }
    ],
    "bands": [
        {"threshold": 90, "label": "优秀", "award": 500, "quota": 20},
        {"threshold": 80, "label": "良好", "award": 200, "quota": 30},
        {"threshold": 0, "label": "合格"},
    ],
}
PERIOD = Period.parse("2026-Q3")


def score(scores: dict[str, int], data: dict | None = None):
    scheme, issues = parse(data or SCHEME)
    assert scheme is not None, issues
    engine = Engine(scheme)
    subjects = [
        SubjectInput(key, (Rating("A1", "supervisor", "r", Decimal(value)),))
        for key, value in scores.items()
    ]
    return scheme, [engine.score(subject, PERIOD) for subject in subjects]


def bands(results) -> dict[str, str]:
    return {r.subject: r.band.label for r in results}


def test_capacity_rounds_down():
    assert [capacity(Decimal(20), n) for n in (4, 5, 9, 10, 11)] == [0, 1, 1, 2, 2]


def test_the_excess_moves_down_by_rank_and_cascades():
    scores = {f"E{n:02d}": 100 - n for n in range(10)}  # 100, 99, …, 91: all 优秀 on score
    scheme, results = score(scores)
    placed = apply_quotas(scheme, results)
    labels = bands(placed)
    assert [labels[f"E{n:02d}"] for n in range(10)] == ["优秀"] * 2 + ["良好"] * 3 + ["合格"] * 5
    moved = {r.subject: r for r in placed}["E02"]
    assert moved.award == 200 and moved.notes[-1].code == "quota"
    assert moved.notes[-1].params["from"] == "优秀"
    assert moved.final == Decimal("98.00")  # the score itself never changes


def test_a_tie_is_broken_by_subject_key_whatever_the_order():
    scores = {"B": 95, "A": 95, "C": 95, "D": 50, "E": 50}
    scheme, results = score(scores)
    forwards = bands(apply_quotas(scheme, results))
    backwards = bands(apply_quotas(scheme, list(reversed(results))))
    assert forwards == backwards
    # One place in 优秀 (20 % of 5) and one in 良好 (30 % of 5): A, then B, then C.
    assert (forwards["A"], forwards["B"], forwards["C"]) == ("优秀", "良好", "合格")


def test_bands_within_quota_are_left_alone():
    scheme, results = score({"A": 95, "B": 85, "C": 70, "D": 60, "E": 50})
    assert apply_quotas(scheme, results) == results


def test_without_quotas_nothing_moves():
    data = {
        **SCHEME,
        "bands": [{k: v for k, v in b.items() if k != "quota"} for b in SCHEME["bands"]],
    }
    scheme, results = score({"A": 95, "B": 96}, data)
    assert apply_quotas(scheme, results) == results
