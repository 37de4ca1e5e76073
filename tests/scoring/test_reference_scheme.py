"""Every rule of the reference scheme, 精准化微笑服务 (source 004, article 4), scored by the engine.

Scores come from the functional-department template as shipped, whose four sections are rated
as a whole (the source gives only their maxima); each test builds department ratings that add
up to an exact total, adds ledger events and checks the result and its trace.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from saas.schemes.templates import load_template
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import Result
from saas.scoring.scheme import Consequence, Scheme

SCHEME = load_template("smile_functional")
Q3 = Period.parse("2026-Q3")
Q4 = Period.parse("2026-Q4")


def ratings_for(total: str, rater: str = "dept-head") -> tuple[Rating, ...]:
    """Department ratings whose checklist total is exactly ``total``: sections filled in order,
    each rated as a whole by its key."""
    left = Decimal(total)
    ratings = []
    for section in SCHEME.sections:
        points = min(left, section.max)
        left -= points
        ratings.append(Rating(section.key, "supervisor", rater, points))
    assert left == 0, f"{total} is above the scale"
    return tuple(ratings)


def event(name: str, on: str, validity: Validity | None = Validity.VALID) -> Event:
    return Event(name, dt.date.fromisoformat(on), validity, ref=f"{name}@{on}")


def score(
    total: str,
    *events: Event,
    period: Period = Q3,
    scheme: Scheme = SCHEME,
    excluded: tuple[str, ...] = (),
) -> Result:
    subject = SubjectInput(
        "emp-1", ratings_for(total), events=tuple(events), excluded_because=excluded
    )
    return Engine(scheme).score(subject, period)


def codes(result: Result) -> list[str]:
    return [step.code for step in result.trace()]


def steps(result: Result, code: str) -> list[dict]:
    return [step.params for step in result.trace() if step.code == code]


# -- bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "label", "award"),
    [
        ("100", "最佳微笑奖", 500),
        ("95", "最佳微笑奖", 500),
        ("94.99", "微笑大使奖", 300),
        ("94.5", "微笑大使奖", 300),
        ("90", "微笑大使奖", 300),
        ("89.99", "微笑风采奖", 200),
        ("85", "微笑风采奖", 200),
        ("84.99", "无奖励", 0),
        ("80", "无奖励", 0),
        ("79.99", "需培训", 0),
        ("0", "需培训", 0),
    ],
)
def test_band_and_award_at_and_around_each_threshold(total: str, label: str, award: int) -> None:
    result = score(total)
    assert result.final == Decimal(total)
    assert result.band is not None and result.band.label == label
    assert result.award == award
    assert steps(result, "band") == [
        {
            "label": label,
            "threshold": result.band.threshold,
            "award": Decimal(award),
            "consequence": result.band.consequence.value,
        }
    ]


def test_below_the_retraining_threshold_means_a_week_of_retraining() -> None:
    assert score("79.99").band.consequence is Consequence.RETRAINING
    assert score("80").band.consequence is Consequence.NONE


def test_the_band_is_chosen_from_the_score_rounded_half_up() -> None:
    # Two department raters: 94.99 and 95.00 average to 94.995, which rounds to 95.00.
    ratings = ratings_for("94.99", "rater-a") + ratings_for("95", "rater-b")
    result = Engine(SCHEME).score(SubjectInput("emp-1", ratings), Q3)
    assert result.unrounded == Decimal("94.995")
    assert result.final == Decimal("95.00")
    assert result.band.label == "最佳微笑奖"


# -- bonuses -----------------------------------------------------------------------------------


def test_a_praise_letter_adds_ten_points() -> None:
    result = score("85", event("praise_letter", "2026-08-03"))
    assert result.adjustments == 10
    assert result.final == 95
    assert result.band.label == "最佳微笑奖"
    assert steps(result, "event")[0]["event"] == "praise_letter"


def test_customer_praise_on_the_feedback_channel_adds_ten_points() -> None:
    result = score("80", event("customer_praise", "2026-09-30"))
    assert result.adjustments == 10
    assert result.final == 90
    assert result.award == 300


def test_bonuses_add_up() -> None:
    result = score(
        "70", event("praise_letter", "2026-07-01"), event("customer_praise", "2026-07-02")
    )
    assert result.final == 90


def test_with_the_cap_on_a_bonus_cannot_take_the_score_above_100() -> None:
    result = score("100", event("praise_letter", "2026-08-03"))
    assert result.final == 100
    assert steps(result, "cap") == [{"score": Decimal(110), "scale": Decimal(100)}]


def test_with_the_cap_off_a_bonus_takes_the_score_above_100() -> None:
    uncapped = SCHEME.model_copy(update={"cap_at_scale": False})
    result = score("100", event("praise_letter", "2026-08-03"), scheme=uncapped)
    assert result.final == 110
    assert result.band.label == "最佳微笑奖"
    assert "cap" not in codes(result)


# -- disqualifications -------------------------------------------------------------------------


def test_a_valid_group_complaint_disqualifies_for_the_quarter() -> None:
    result = score("97", event("group_complaint", "2026-07-20"))
    assert result.is_disqualified
    assert result.disqualified[0].params["event"] == "group_complaint"
    assert result.award == 0
    assert "award_withheld" in codes(result)


def test_a_pending_group_complaint_does_nothing() -> None:
    result = score("97", event("group_complaint", "2026-07-20", Validity.PENDING))
    assert not result.is_disqualified
    assert result.award == 500
    assert steps(result, "event_pending")[0]["event"] == "group_complaint"


def test_a_group_complaint_ruled_invalid_does_nothing() -> None:
    result = score("97", event("group_complaint", "2026-07-20", Validity.INVALID))
    assert not result.is_disqualified
    assert result.award == 500
    assert "event_invalid" in codes(result)


def test_a_valid_company_or_internal_complaint_disqualifies_for_the_quarter() -> None:
    result = score("97", event("company_complaint", "2026-09-01"))
    assert result.is_disqualified
    assert result.award == 0


def test_a_pending_company_complaint_does_nothing() -> None:
    result = score("97", event("company_complaint", "2026-09-01", Validity.PENDING))
    assert not result.is_disqualified
    assert result.award == 500


def test_a_group_complaint_without_a_validity_decision_is_pending() -> None:
    # Its rule needs a 有效 ruling: entered without one, it waits for it and counts for nothing.
    result = score("97", event("group_complaint", "2026-07-20", None))
    assert not result.is_disqualified
    assert result.award == 500
    assert steps(result, "event_pending")[0]["undecided"] is True


def test_a_customer_complaint_disqualifies_without_a_validity_ruling() -> None:
    # The source's feedback-channel rule has no 有效: entered without a decision, it counts.
    result = score("97", event("customer_complaint", "2026-08-15", None))
    assert result.is_disqualified
    assert result.award == 0


def test_a_customer_complaint_awaiting_a_decision_does_nothing_yet() -> None:
    # From the public feedback form a complaint arrives pending: nothing until it is decided.
    result = score("97", event("customer_complaint", "2026-08-15", Validity.PENDING))
    assert not result.is_disqualified
    assert steps(result, "event_pending")[0]["undecided"] is False


def test_a_customer_complaint_ruled_invalid_does_nothing() -> None:
    result = score("97", event("customer_complaint", "2026-08-15", Validity.INVALID))
    assert not result.is_disqualified
    assert result.award == 500


def test_a_disqualified_subject_keeps_its_score_and_band_but_gets_no_award() -> None:
    result = score("97", event("company_complaint", "2026-07-20"))
    assert result.final == 97
    assert result.band.label == "最佳微笑奖"
    assert result.award == 0
    assert steps(result, "award_withheld") == [{"award": Decimal(500)}]


def test_a_lost_work_card_is_a_200_fine_and_disqualifies_this_quarter() -> None:
    result = score("97", event("work_card_lost", "2026-08-10"))
    assert result.fines == 200
    assert result.is_disqualified
    assert result.disqualified_next == ()
    assert result.award == 0


def test_a_lost_work_card_is_entered_once_with_all_its_effects() -> None:
    # One ledger entry: the month's −2, the ¥200 fine and the disqualification, in one step.
    result = score("97", event("work_card_lost", "2026-08-10"))
    assert result.monthly_tallies == {"2026-08": 2}
    assert result.fines == 200
    assert result.is_disqualified
    assert steps(result, "event") == [
        {
            "event": "work_card_lost",
            "on": dt.date(2026, 8, 10),
            "ref": "work_card_lost@2026-08-10",
            "label": "丢失工作牌",
            "points": Decimal(0),
            "monthly_points": Decimal(-2),
            "fine": Decimal(200),
            "disqualify": "this_period",
        }
    ]


def test_a_lost_award_badge_is_a_200_fine_and_disqualifies_next_quarter() -> None:
    result = score("97", event("award_badge_lost", "2026-08-10"))
    assert result.fines == 200
    assert result.monthly_tallies == {"2026-08": 2}
    assert not result.is_disqualified
    assert result.award == 500
    assert result.disqualified_next[0].params["event"] == "award_badge_lost"


def test_a_badge_lost_last_quarter_disqualifies_this_quarter() -> None:
    result = score("97", event("award_badge_lost", "2026-08-10"), period=Q4)
    assert result.is_disqualified
    assert result.disqualified[0].code == "previous_period"
    assert result.award == 0
    assert result.fines == 0  # the fine belongs to the quarter the badge was lost in
    assert steps(result, "event_previous")[0]["disqualify"] == "this_period"


def test_fines_add_up() -> None:
    result = score(
        "97", event("work_card_lost", "2026-07-03"), event("award_badge_lost", "2026-07-03")
    )
    assert result.fines == 400


# -- the monthly tally -------------------------------------------------------------------------


def test_a_month_with_14_points_deducted_stays_eligible() -> None:
    result = score(
        "97",
        event("badge_not_worn", "2026-08-03"),
        event("badge_not_worn", "2026-08-10"),
        event("award_badge_lost", "2026-08-17"),
        event("award_badge_lost", "2026-08-24"),
    )
    assert result.monthly_tallies == {"2026-08": 14}
    assert not result.is_disqualified
    assert result.award == 500
    assert "tally_limit" not in codes(result)


def test_a_month_with_15_points_deducted_disqualifies() -> None:
    result = score(
        "92",
        event("badge_not_worn", "2026-08-03"),
        event("badge_not_worn", "2026-08-10"),
        event("badge_not_worn", "2026-08-17"),
    )
    assert result.monthly_tallies == {"2026-08": 15}
    assert result.is_disqualified
    assert steps(result, "tally_limit") == [
        {"month": "2026-08", "deducted": Decimal(15), "limit": Decimal(15)}
    ]
    assert result.award == 0


def test_monthly_deductions_do_not_change_the_quarterly_score() -> None:
    result = score(
        "92", event("badge_not_worn", "2026-08-03"), event("award_badge_lost", "2026-09-03")
    )
    assert result.adjustments == 0
    assert result.final == 92


def test_deductions_spread_over_two_months_do_not_disqualify() -> None:
    result = score(
        "97",
        event("badge_not_worn", "2026-07-03"),
        event("badge_not_worn", "2026-07-10"),
        event("badge_not_worn", "2026-08-03"),
        event("badge_not_worn", "2026-08-10"),
    )
    assert result.monthly_tallies == {"2026-07": 10, "2026-08": 10}
    assert not result.is_disqualified


# -- periods -----------------------------------------------------------------------------------


def test_an_event_before_the_previous_quarter_has_no_effect() -> None:
    result = score(
        "85", event("praise_letter", "2026-03-15"), event("award_badge_lost", "2026-03-15")
    )
    assert result.final == 85
    assert not result.is_disqualified
    assert [step["event"] for step in steps(result, "event_outside")] == [
        "award_badge_lost",
        "praise_letter",
    ]


def test_last_quarters_complaint_does_not_reach_this_quarter() -> None:
    # Only next-quarter rules reach forward; a complaint dated in Q2 counted in Q2.
    result = score(
        "97", event("company_complaint", "2026-06-30"), event("praise_letter", "2026-06-30")
    )
    assert not result.is_disqualified
    assert result.final == 97
    assert len(steps(result, "event_previous")) == 2


def test_an_event_after_the_quarter_has_no_effect() -> None:
    result = score("97", event("company_complaint", "2026-10-01"))
    assert not result.is_disqualified
    assert "event_outside" in codes(result)


# -- eligibility and determinism ---------------------------------------------------------------


def test_an_excluded_subject_gets_no_band_and_no_award() -> None:
    result = score("97", excluded=("部门主管以上人员不在考核范围内",))
    assert result.excluded
    assert result.band is None
    assert result.award == 0
    assert codes(result) == ["excluded"]


def test_the_same_inputs_give_the_same_result_and_trace_in_any_order() -> None:
    events = (
        event("praise_letter", "2026-07-01"),
        event("badge_not_worn", "2026-07-02"),
        event("customer_complaint", "2026-07-02", Validity.PENDING),
        event("group_complaint", "2026-07-02", None),
    )
    first = score("80", *events)
    again = score("80", *reversed(events))
    assert first.to_dict() == again.to_dict()
