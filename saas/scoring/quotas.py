"""Forced distribution (强制分布): at most N % of a cohort in a band.

Scores are computed one subject at a time; quotas need the whole cohort, so they are applied
afterwards to the list of results. Bands are filled from the top. When a band holds more
subjects than its quota allows, the lowest-ranked ones move down one band (where that band's
own quota applies in turn). The lowest band takes everyone left.

Rank: the higher final score first; on a tie, the higher checklist score, then the higher goals
component, then the subject key in alphabetical order, so the outcome never depends on the
order of the list. The committee may override a placement with a recorded reason (cycles).
Capacity: ``floor(quota × cohort / 100)``, the cohort being every subject that is not excluded
and has a band. Rounded down always, so a quota is a ceiling: in a small cohort where it gives
less than one place (3 subjects, 10 %) the band takes nobody (docs/scoring.md, "Quotas"). Ties
never stretch it: the rank above decides who stays.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_FLOOR, Decimal

from saas.scoring.result import Result, Step
from saas.scoring.scheme import Band, Scheme

ZERO = Decimal(0)


def rank_key(result: Result) -> tuple:
    return (-result.final, -(result.checklist or ZERO), -(result.goals or ZERO), result.subject)


def capacity(quota: Decimal, cohort: int) -> int:
    return int((quota * cohort / 100).to_integral_value(rounding=ROUND_FLOOR))


def apply_quotas(scheme: Scheme, results: list[Result]) -> list[Result]:
    """The results with bands (and awards) moved down where a band is over its quota, in the
    order given. Results of excluded subjects and schemes without quotas are left as they are."""
    bands = sorted(scheme.bands, key=lambda band: band.threshold, reverse=True)
    if not any(band.quota is not None for band in bands):
        return list(results)
    cohort = sorted((r for r in results if not r.excluded and r.band is not None), key=rank_key)
    placed: dict[str, tuple[Band, Band]] = {}  # subject → (new band, band it was scored in)
    waiting = list(cohort)
    for index, band in enumerate(bands):
        here = [r for r in waiting if _band_of(r, placed) == band]
        limit = len(here) if band.quota is None else capacity(band.quota, len(cohort))
        if index == len(bands) - 1:
            limit = len(here)
        for result in here[limit:]:
            placed[result.subject] = (bands[index + 1], result.band)
    return [
        _moved(result, *placed[result.subject]) if result.subject in placed else result
        for result in results
    ]


def _band_of(result: Result, placed: dict[str, tuple[Band, Band]]) -> Band | None:
    return placed[result.subject][0] if result.subject in placed else result.band


def _moved(result: Result, band: Band, scored_in: Band) -> Result:
    award = ZERO if result.is_disqualified else band.award
    step = Step(
        "quota",
        {"from": scored_in.label, "to": band.label, "quota": scored_in.quota, "award": award},
    )
    return dataclasses.replace(result, band=band, award=award, notes=(*result.notes, step))
