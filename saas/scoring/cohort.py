"""Scoring a cohort: every subject of a cycle (or of a `kaohe scheme try` file) at once.

The scheme's own eligibility rules are applied to each subject's facts (position level, unit
category, employment form), subjects they exclude are scored as excluded with the reasons,
everyone else is scored by the engine, and the band quotas are applied across the cohort.
The scoring run of a cycle and `kaohe scheme try` both call ``score_cohort``, so a scheme
tried on a file scores exactly as it will in a cycle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from saas.scoring.engine import Engine
from saas.scoring.inputs import SubjectInput
from saas.scoring.period import Period
from saas.scoring.quotas import apply_quotas
from saas.scoring.result import Result
from saas.scoring.scheme import EligibilityKind, Scheme


@dataclass(frozen=True)
class SubjectFacts:
    """What a scheme's eligibility rules look at. ``level_rank`` orders position levels
    (a higher rank is more senior); without it, a level rule matches the level's name only."""

    level: str | None = None
    level_rank: int | None = None
    unit_category: str | None = None
    employment_form: str | None = None


def name_key(text: str | None) -> str:
    """A level, category or form name as eligibility compares it: spaces collapsed, any case."""
    return " ".join((text or "").split()).casefold()


def scheme_exclusions(
    scheme: Scheme, facts: SubjectFacts, level_ranks: Mapping[str, int] | None = None
) -> tuple[str, ...]:
    """Why the scheme's eligibility rules leave this subject out, one code per rule:
    ``level_at_least:<level>``, ``unit_category:<category>``, ``employment_form:<form>``."""
    ranks = {name_key(name): rank for name, rank in (level_ranks or {}).items()}
    reasons = []
    for rule in scheme.eligibility:
        if rule.kind is EligibilityKind.LEVEL_AT_LEAST:
            threshold = ranks.get(name_key(rule.value))
            if facts.level_rank is not None and threshold is not None:
                hit = facts.level_rank >= threshold
            else:
                hit = bool(facts.level) and name_key(facts.level) == name_key(rule.value)
        elif rule.kind is EligibilityKind.UNIT_CATEGORY:
            hit = bool(facts.unit_category) and name_key(facts.unit_category) == name_key(
                rule.value
            )
        else:
            hit = bool(facts.employment_form) and name_key(facts.employment_form) == name_key(
                rule.value
            )
        if hit:
            reasons.append(f"{rule.kind.value}:{rule.value}")
    return tuple(reasons)


def score_cohort(
    engine: Engine,
    subjects: Sequence[SubjectInput],
    period: Period,
    facts: Mapping[str, SubjectFacts] | None = None,
    level_ranks: Mapping[str, int] | None = None,
) -> list[Result]:
    """Every subject's result, in the order given, with the scheme's eligibility applied to
    ``facts`` (by subject key) and the band quotas applied over the whole cohort."""
    scheme = engine.scheme
    if facts and scheme.eligibility:
        subjects = [_with_exclusions(scheme, s, facts.get(s.key), level_ranks) for s in subjects]
    return apply_quotas(scheme, engine.score_many(subjects, period))


def _with_exclusions(
    scheme: Scheme,
    subject: SubjectInput,
    facts: SubjectFacts | None,
    level_ranks: Mapping[str, int] | None,
) -> SubjectInput:
    if facts is None:
        return subject
    reasons = scheme_exclusions(scheme, facts, level_ranks)
    if not reasons:
        return subject
    return dataclasses.replace(subject, excluded_because=(*subject.excluded_because, *reasons))
