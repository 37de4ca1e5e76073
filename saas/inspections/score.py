"""An inspection's score: the checklist scored by the engine as one subject, with the
inspection's values as the ratings of the checklist's first source. Pure: no session.

**Not applicable.** An item marked not applicable (``NOT_APPLICABLE``) is not rated: the
engine adds nothing for it. The score is then rescaled so that the items that applied weigh
what the whole checklist weighs:

    score = points × full ÷ attainable

where ``points`` is the engine's total for the source, ``full`` what the whole checklist can
give (each section's maximum, or the sum of its items' maxima when that is lower) and
``attainable`` the same over the applicable items only. With nothing marked not applicable,
``attainable`` is ``full`` and the score is the engine's own final score. The score is rounded
half-up to the checklist's precision and kept within its scale; the band is the highest whose
threshold it reaches. A failed critical item acts as the engine says (its section scores zero,
or the result is disqualified); its section still counts as applicable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from saas.inspections.findings import NOT_APPLICABLE, applicable, failed_items
from saas.rating.stored import converter
from saas.scoring.engine import Engine
from saas.scoring.inputs import Rating, SubjectInput
from saas.scoring.period import Period, label_of
from saas.scoring.scheme import Scheme, SectionScoring

ZERO = Decimal(0)
RATER = "inspector"


class NothingApplies(ValueError):
    """Every item was marked not applicable: there is nothing to score."""


@dataclass(frozen=True)
class Scored:
    score: Decimal
    band: str | None
    breakdown: dict[str, Any]  # JSON-ready: decimals as strings


def ratings(checklist: Scheme, values: Mapping[str, Any]) -> list[Rating]:
    """The inspection's applicable values as the engine's ratings of the first source."""
    source = checklist.sources[0].kind.value
    rated = applicable(values)
    return [
        Rating(item.key, source, RATER, converter(item.mode)(rated[item.key]))
        for _s, item in checklist.rated()
        if item.key in rated
    ]


def _maxima(checklist: Scheme, keep) -> tuple[Decimal, dict[str, Decimal]]:
    """What the sections can give, over the items ``keep(key)`` accepts: the total and each
    section's share (a section's maximum, or its items' maxima when they add up to less)."""
    per_section: dict[str, Decimal] = {}
    for section in checklist.sections:
        if section.scoring is SectionScoring.SECTION:
            per_section[section.key] = section.max if keep(section.key) else ZERO
            continue
        items = sum((item.max or ZERO for item in section.items if keep(item.key)), ZERO)
        per_section[section.key] = min(section.max, items)
    return sum(per_section.values(), ZERO), per_section


def score(checklist: Scheme, values: Mapping[str, Any], planned_on) -> Scored:
    """Score an inspection whose every item is rated or not applicable."""
    skipped = {key for key, value in values.items() if value == NOT_APPLICABLE}
    full, _sections = _maxima(checklist, lambda key: True)
    attainable, section_tops = _maxima(checklist, lambda key: key not in skipped)
    if attainable <= 0:
        raise NothingApplies()
    period = Period.parse(label_of(checklist.period, planned_on))
    source = checklist.sources[0].kind.value
    result = Engine(checklist).score(
        SubjectInput("inspection", tuple(ratings(checklist, values))), period
    )
    points = result.sources.get(source, ZERO)
    quantum = Decimal(1).scaleb(-checklist.precision)
    final = (points * full / attainable).quantize(quantum, ROUND_HALF_UP)
    if checklist.cap_at_scale and final > checklist.scale:
        final = checklist.scale.quantize(quantum)
    band = next(
        (
            b
            for b in sorted(checklist.bands, key=lambda b: b.threshold, reverse=True)
            if b.threshold <= final
        ),
        None,
    )
    sections = result.sections.get(source, {})
    items = result.items.get(source, {})
    breakdown = {
        "source": source,
        "points": str(points),
        "full": str(full),
        "attainable": str(attainable),
        "score": str(final),
        "band": None if band is None else band.label,
        "engine_final": str(result.final),
        "sections": {
            key: {
                "points": str(sections[key].subtotal) if key in sections else "0",
                "attainable": str(top),
                "zeroed_by": sections[key].zeroed_by if key in sections else None,
            }
            for key, top in section_tops.items()
        },
        "items": {key: str(found.score) for key, found in items.items()},
        "not_applicable": sorted(skipped, key=_order(checklist)),
        "failed": [finding.key for finding in failed_items(checklist, values)],
        "disqualified": [
            step.params.get("item") for step in result.disqualified if step.code == "critical"
        ],
    }
    return Scored(final, None if band is None else band.label, breakdown)


def _order(checklist: Scheme):
    position = {item.key: n for n, (_s, item) in enumerate(checklist.rated())}
    return lambda key: position.get(key, len(position))
