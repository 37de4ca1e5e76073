"""attainment() and check_measure(): each formula with exact Decimals, the clamp, the cap."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from saas.goals.measure import (
    Direction,
    Measure,
    MeasureError,
    MeasureKind,
    attainment,
    check_measure,
)

D = Decimal
CAP = D(120)
NUMERIC, MILESTONE = MeasureKind.NUMERIC, MeasureKind.MILESTONE
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


def higher(target: str, baseline: str | None = None) -> Measure:
    return Measure(NUMERIC, "件", None if baseline is None else D(baseline), D(target), HIGHER)


def lower(target: str, baseline: str | None = None) -> Measure:
    return Measure(NUMERIC, "次", None if baseline is None else D(baseline), D(target), LOWER)


# -- higher is better ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("40", "0"),  # at the baseline: (40 − 40) / (60 − 40) × 100
        ("55", "75"),  # (55 − 40) / (60 − 40) × 100 = 15 / 20 × 100
        ("60", "100"),  # on target
        ("64", "120"),  # (64 − 40) / 20 × 100 = 120, exactly the cap
        ("70", "120"),  # 150, capped at 120
        ("30", "0"),  # (30 − 40) / 20 × 100 = −50: went backwards, clamped to 0
        ("41.5", "7.5"),  # 1.5 / 20 × 100
    ],
)
def test_higher_with_baseline(actual: str, expected: str) -> None:
    assert attainment(higher("60", baseline="40"), D(actual), CAP) == D(expected)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("60", "75"),  # 60 / 80 × 100
        ("0", "0"),
        ("80", "100"),
        ("90", "112.5"),  # 90 / 80 × 100
        ("200", "120"),  # 250, capped
        ("-5", "0"),  # −6.25, clamped
    ],
)
def test_higher_without_baseline(actual: str, expected: str) -> None:
    assert attainment(higher("80"), D(actual), CAP) == D(expected)


# -- lower is better -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("20", "0"),  # at the baseline: (20 − 20) / (20 − 5) × 100
        ("11", "60"),  # (20 − 11) / (20 − 5) × 100 = 9 / 15 × 100
        ("5", "100"),  # on target
        ("2", "120"),  # 18 / 15 × 100 = 120, exactly the cap
        ("0", "120"),  # 20 / 15 × 100 = 133.3…, capped
        ("26", "0"),  # (20 − 26) / 15 × 100 = −40: worse than the baseline, clamped
        ("12.5", "50"),  # 7.5 / 15 × 100
    ],
)
def test_lower_with_baseline(actual: str, expected: str) -> None:
    assert attainment(lower("5", baseline="20"), D(actual), CAP) == D(expected)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("40", "75"),  # 30 / 40 × 100
        ("30", "100"),
        ("25", "120"),  # 30 / 25 × 100 = 120
        ("24", "120"),  # 125, capped
        ("60", "50"),  # 30 / 60 × 100
        ("0", "120"),  # no ratio: an actual of 0 is past any positive target, so the cap
        ("-1", "120"),  # likewise below 0
    ],
)
def test_lower_without_baseline(actual: str, expected: str) -> None:
    assert attainment(lower("30"), D(actual), CAP) == D(expected)


def test_results_are_exact_to_28_digits() -> None:
    # 1 / 3 × 100 and 3 / 7 × 100 each round once, at the 28th significant digit.
    assert attainment(higher("3"), D(1), CAP) == D("33.33333333333333333333333333")
    assert attainment(lower("3"), D(7), CAP) == D("42.85714285714285714285714286")
    # Decimal fractions stay exact: (0.2 − 0.1) / (0.3 − 0.1) × 100 is 50, not 49.99….
    assert attainment(higher("0.3", baseline="0.1"), D("0.2"), CAP) == D(50)


def test_the_callers_decimal_context_does_not_leak_in() -> None:
    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)):
        result = attainment(higher("3"), D(1), CAP)
    assert result == D("33.33333333333333333333333333")


# -- target equal to the baseline ------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "actual", "expected"),
    [
        (higher("95", baseline="95"), "95", "100"),  # on it: reached, not a division by 0
        (higher("95", baseline="95"), "99", "100"),  # past it: 100, never the cap
        (higher("95", baseline="95"), "94.99", "0"),
        (lower("0", baseline="0"), "0", "100"),  # keep complaints at zero
        (lower("0", baseline="0"), "-1", "100"),
        (lower("0", baseline="0"), "0.5", "0"),
        (lower("0"), "0", "100"),  # no baseline, target 0: the same rule
        (lower("0"), "3", "0"),
        (higher("0"), "0", "100"),  # a / t with t = 0: reached when not below it
        (higher("0"), "-1", "0"),
    ],
)
def test_target_equal_to_baseline(measure: Measure, actual: str, expected: str) -> None:
    assert attainment(measure, D(actual), CAP) == D(expected)


# -- the cap ---------------------------------------------------------------------------------


def test_the_cap_is_the_callers() -> None:
    measure = higher("80")
    assert attainment(measure, D(120), D(100)) == D(100)  # 150 with no over-achievement
    assert attainment(measure, D(120), D(150)) == D(150)
    assert attainment(measure, D(120), D(200)) == D(150)
    assert attainment(lower("30"), D(0), D(150)) == D(150)


@pytest.mark.parametrize(
    ("cap", "error"),
    [
        (D("99.99"), ValueError),
        (D("NaN"), ValueError),
        (D("Infinity"), ValueError),
        (120, TypeError),
    ],
)
def test_a_cap_must_be_a_decimal_of_at_least_100(cap: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        attainment(higher("80"), D(40), cap)  # type: ignore[arg-type]


# -- milestones and missing actuals ----------------------------------------------------------


def test_milestones() -> None:
    milestone = Measure(MILESTONE)
    assert attainment(milestone, True, CAP) == D(100)
    assert attainment(milestone, False, CAP) == D(0)
    assert attainment(milestone, None, CAP) is None
    with pytest.raises(TypeError):
        attainment(milestone, D(1), CAP)


def test_no_actual_yet_is_none_not_zero() -> None:
    assert attainment(higher("60", baseline="40"), None, CAP) is None
    assert attainment(lower("30"), None, CAP) is None


@pytest.mark.parametrize("actual", [True, 55, 55.0])
def test_a_numeric_actual_must_be_a_decimal(actual: object) -> None:
    with pytest.raises(TypeError):
        attainment(higher("60"), actual, CAP)  # type: ignore[arg-type]


@pytest.mark.parametrize("actual", ["NaN", "Infinity", "-Infinity"])
def test_a_numeric_actual_must_be_finite(actual: str) -> None:
    with pytest.raises(ValueError):
        attainment(higher("60"), D(actual), CAP)


# -- the measure itself ----------------------------------------------------------------------


def test_stored_strings_become_enums_and_floats_are_refused() -> None:
    measure = Measure("numeric", target=D(5), direction="lower")  # type: ignore[arg-type]
    assert measure.kind is NUMERIC and measure.direction is LOWER
    with pytest.raises(ValueError):
        Measure("percentage")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Measure(NUMERIC, target=0.3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measure", "codes"),
    [
        (higher("60", baseline="40"), []),
        (lower("5", baseline="20"), []),
        (higher("95", baseline="95"), []),
        (lower("0"), []),
        (Measure(MILESTONE), []),
        (Measure(NUMERIC, "件"), ["target.missing"]),
        (Measure(NUMERIC, baseline=D(3)), ["target.missing"]),
        (higher("30", baseline="40"), ["target.below_baseline"]),
        (lower("25", baseline="20"), ["target.above_baseline"]),
        (higher("-5"), ["target.negative"]),
        (lower("-5"), ["target.negative"]),
        (higher("NaN"), ["target.not_finite"]),
        (higher("60", baseline="Infinity"), ["baseline.not_finite"]),
        (Measure(NUMERIC, baseline=D("NaN")), ["baseline.not_finite", "target.missing"]),
        (
            Measure(MILESTONE, baseline=D(0), target=D(1), direction=LOWER),
            ["milestone.baseline", "milestone.target", "milestone.direction"],
        ),
    ],
)
def test_check_measure(measure: Measure, codes: list[str]) -> None:
    assert check_measure(measure) == codes


def test_attainment_refuses_an_unusable_measure_with_its_codes() -> None:
    with pytest.raises(MeasureError) as raised:
        attainment(lower("25", baseline="20"), D(22), CAP)
    assert raised.value.codes == ["target.above_baseline"]
    with pytest.raises(MeasureError):
        attainment(Measure(NUMERIC), None, CAP)  # even before anyone reports an actual
