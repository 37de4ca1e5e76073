"""How a goal's attainment follows from its measure and its latest actual.

A goal is measured either by a number (a unit, an optional baseline, a target and a direction:
higher or lower is better) or as a milestone (done or not done). Attainment is a percentage of
the target reached, written below with a = the actual, b = the baseline, t = the target:

Numeric, higher is better
    with a baseline:     (a − b) / (t − b) × 100
    without a baseline:  a / t × 100                (the baseline is taken as 0)
Numeric, lower is better
    with a baseline:     (b − a) / (b − t) × 100
    without a baseline:  t / a × 100                (a ≤ 0 with t > 0: the cap)
Target equal to the baseline (including t = 0 without a baseline, in either direction)
    100 when the actual is on the right side of the target (a ≥ t if higher is better,
    a ≤ t if lower is better), else 0; the ratios above have no meaning there.
Milestone
    done → 100, not done → 0.

Every numeric result is then kept within [0, cap]: progress in the wrong direction counts 0
and over-achievement counts up to the cap (a scheme's goals cap, e.g. 120). No actual yet
gives None, not 0, so a goal nobody has reported on is told apart from one that went nowhere.

Arithmetic is Decimal in a local context of 28 significant digits (half-even), as the scoring
engine's: the subtraction and the product by 100 are exact for the values a goal holds, and
the one division rounds at the 28th digit. Nothing is quantized here: callers that show an
attainment round it to two decimals, half-up, at display.

A measure that cannot give a meaningful attainment (a numeric measure without a target, a
lower-is-better target above its baseline, …) is reported by ``check_measure`` as codes and
refused by ``attainment`` with a ``MeasureError`` carrying the same codes.
"""

from __future__ import annotations

import decimal
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import cast

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CONTEXT = decimal.Context(prec=28, rounding=ROUND_HALF_EVEN)


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better (sales, satisfaction, first-time fix rate)
    LOWER = "lower"  # lower is better (complaints, response time, cost)


class MeasureKind(enum.StrEnum):
    NUMERIC = "numeric"
    MILESTONE = "milestone"


@dataclass(frozen=True, slots=True)
class Measure:
    kind: MeasureKind
    unit: str | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: Direction = Direction.HIGHER

    def __post_init__(self) -> None:
        # Stored values arrive as plain strings; floats would make attainment inexact.
        object.__setattr__(self, "kind", MeasureKind(self.kind))
        object.__setattr__(self, "direction", Direction(self.direction))
        for name in ("baseline", "target"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                raise TypeError(f"Measure.{name} must be a Decimal or None, not {value!r}")


class MeasureError(ValueError):
    """A measure ``check_measure`` finds unusable; ``codes`` says why."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def check_measure(measure: Measure) -> list[str]:
    """Codes for what keeps the measure from giving an attainment; empty when it is usable."""
    if measure.kind is MeasureKind.MILESTONE:
        return _milestone_problems(measure)
    return _numeric_problems(measure)


def _milestone_problems(measure: Measure) -> list[str]:
    # A milestone is done or not: numbers or a direction on it mean it was meant as numeric.
    codes = []
    if measure.baseline is not None:
        codes.append("milestone.baseline")
    if measure.target is not None:
        codes.append("milestone.target")
    if measure.direction is Direction.LOWER:
        codes.append("milestone.direction")
    return codes


def _numeric_problems(measure: Measure) -> list[str]:
    baseline, target = measure.baseline, measure.target
    codes = []
    if baseline is not None and not baseline.is_finite():
        codes.append("baseline.not_finite")
    if target is None:
        return [*codes, "target.missing"]
    if not target.is_finite():
        return [*codes, "target.not_finite"]
    if codes:
        return codes
    higher = measure.direction is Direction.HIGHER
    if baseline is None:
        # Both formulas without a baseline are ratios to zero: a negative target inverts them.
        if target < 0:
            codes.append("target.negative")
    elif higher and target < baseline:
        codes.append("target.below_baseline")
    elif not higher and target > baseline:
        codes.append("target.above_baseline")
    return codes


def check_cap(cap: Decimal) -> None:
    """Refuse a cap that is not a finite Decimal of at least 100 (a goal met counts 100)."""
    if not isinstance(cap, Decimal):
        raise TypeError(f"the cap must be a Decimal, not {cap!r}")
    if not cap.is_finite() or cap < HUNDRED:
        raise ValueError(f"the cap must be at least 100, not {cap}")


def attainment(measure: Measure, actual: Decimal | bool | None, cap: Decimal) -> Decimal | None:
    """The percentage of the target the actual reaches, within [0, cap]; None without actual.

    ``actual`` is a Decimal for a numeric measure and a bool (done) for a milestone.
    """
    check_cap(cap)
    codes = check_measure(measure)
    if codes:
        raise MeasureError(codes)
    if actual is None:
        return None
    if measure.kind is MeasureKind.MILESTONE:
        if not isinstance(actual, bool):
            raise TypeError(f"a milestone's actual is done or not (a bool), not {actual!r}")
        return HUNDRED if actual else ZERO
    if isinstance(actual, bool) or not isinstance(actual, Decimal):
        raise TypeError(f"a numeric actual must be a Decimal, not {actual!r}")
    if not actual.is_finite():
        raise ValueError(f"a numeric actual must be finite, not {actual}")
    with decimal.localcontext(CONTEXT):
        return min(max(_percent(measure, actual, cap), ZERO), cap)


def _percent(measure: Measure, actual: Decimal, cap: Decimal) -> Decimal:
    """The unclamped formula of the module docstring for a usable numeric measure."""
    target = cast(Decimal, measure.target)  # check_measure refused a missing one
    higher = measure.direction is Direction.HIGHER
    baseline = measure.baseline
    if baseline is None:
        if higher or target == 0:
            baseline = ZERO  # a / t is (a − 0) / (t − 0); t = 0 is "target equals baseline"
        elif actual <= 0:
            return cap  # at or past any positive target: t / a grows without bound
        else:
            return target * HUNDRED / actual
    if target == baseline:
        reached = actual >= target if higher else actual <= target
        return HUNDRED if reached else ZERO
    if higher:
        return (actual - baseline) * HUNDRED / (target - baseline)
    return (baseline - actual) * HUNDRED / (baseline - target)
