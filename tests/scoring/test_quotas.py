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


# -- small cohorts and ties ------------------------------------------------------------------

TOP_TEN = {
    **SCHEME,
    "bands": [
        {"threshold": 90, "label": "优秀", "award": 500, "quota": 10},
        {"threshold": 0, "label": "合格"},
    ],
}


def test_capacity_for_a_ten_percent_quota():
    assert [capacity(Decimal(10), n) for n in (3, 9, 10, 11, 19, 20)] == [0, 0, 1, 1, 1, 2]


def test_a_band_whose_quota_gives_no_place_takes_nobody():
    """Three subjects and a 10 % quota: ⌊0.3⌋ = 0 places, so even the best is moved down."""
    scheme, results = score({"A": 99, "B": 95, "C": 91}, TOP_TEN)
    placed = {r.subject: r for r in apply_quotas(scheme, results)}
    assert {key: r.band.label for key, r in placed.items()} == {
        "A": "合格",
        "B": "合格",
        "C": "合格",
    }
    assert placed["A"].award == 0 and placed["A"].notes[-1].code == "quota"
    assert placed["A"].notes[-1].params["quota"] == Decimal(10)


def test_ten_and_eleven_subjects_give_one_place_to_the_best():
    for size in (10, 11):
        scores = {f"E{n:02d}": 99 - n for n in range(size)}  # all 优秀 on score
        scheme, results = score(scores, TOP_TEN)
        labels = bands(apply_quotas(scheme, results))
        assert [key for key, label in labels.items() if label == "优秀"] == ["E00"], size


def test_a_tie_at_the_boundary_is_split_by_the_tie_break_never_by_exceeding_the_quota():
    scores = {f"E{n:02d}": 50 for n in range(8)} | {"Z1": 95, "Y1": 95}
    scheme, results = score(scores, TOP_TEN)  # ten subjects: one place, two at 95
    labels = bands(apply_quotas(scheme, results))
    assert labels["Y1"] == "优秀" and labels["Z1"] == "合格"  # equal in everything: by key


def _made(subject: str, final: str, checklist: str, goals: str | None, band):
    from saas.scoring.result import Result

    return Result(
        subject,
        "2026-Q3",
        final=Decimal(final),
        checklist=Decimal(checklist),
        goals=None if goals is None else Decimal(goals),
        band=band,
        award=band.award,
    )


def test_equal_finals_are_ranked_by_checklist_then_goals_then_key():
    scheme, _ = score({})
    top = scheme.bands[0]  # 优秀, 20 %: one place in five
    others = [_made(f"Z{n}", "10", "10", None, scheme.bands[2]) for n in range(3)]
    by_checklist = [_made("B", "95", "96", "80", top), _made("A", "95", "94", "99", top)]
    placed = bands(apply_quotas(scheme, [*by_checklist, *others]))
    assert (placed["B"], placed["A"]) == ("优秀", "良好")  # the higher checklist first
    by_goals = [_made("B", "95", "95", "90", top), _made("A", "95", "95", "80", top)]
    placed = bands(apply_quotas(scheme, [*by_goals, *others]))
    assert (placed["B"], placed["A"]) == ("优秀", "良好")  # equal checklist: higher goals
    by_key = [_made("B", "95", "95", "90", top), _made("A", "95", "95", "90", top)]
    placed = bands(apply_quotas(scheme, [*by_key, *others]))
    assert (placed["A"], placed["B"]) == ("优秀", "良好")  # all equal: the key decides
