"""The scoring engine: a scheme, one subject's inputs and a period in; a result and its trace out.

Pure: no Flask, no SQL, no clock. Decimal arithmetic in the engine's own context (28
significant digits, so the mean of three raters is exact to 28 digits and the same every
time), and **one rounding point**: the final score is rounded half-up to the scheme's
``precision`` (two decimals by default), and the band is chosen from that rounded score.

The steps, as docs/scoring.md explains them:
1. item score per source = the mean of that source's raters, kept within the item's range;
2. section subtotal = the sum of its items, capped at the section maximum;
3. source total = the sum of its sections; checklist = Σ weight × source total over the sources
   that rated (missing sources renormalise or count zero, as the scheme says);
4. goals = weighted attainment of the subject's goals, each capped, on the same scale;
5. base = the scheme's blend of checklist and goals;
6. adjustments from counted ledger events in the period; the final score is never below 0 and,
   if the scheme caps it, never above the scale;
7. disqualifications (rules, monthly tallies, critical items, last period's forward rules)
   keep the score but withhold the award;
8. band = the highest band whose threshold ≤ the rounded final score.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from saas.scoring.inputs import Event, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import ItemScore, Result, SectionScore, Step
from saas.scoring.scheme import (
    CriticalEffect,
    Disqualify,
    MissingSources,
    Mode,
    Rule,
    Scheme,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CONTEXT = decimal.Context(prec=28, rounding=ROUND_HALF_EVEN)


class ScoringInputError(ValueError):
    """An input the scheme cannot score: an unknown item, source or scale level."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class _ItemPlan:
    key: str
    section: int
    max: Decimal
    low: Decimal
    to_points: Callable[[object], Decimal] | None  # None: the rating is the points
    critical: CriticalEffect | None


def _points_converter(item) -> Callable[[object], Decimal] | None:
    mode, top = item.mode, item.max
    if mode is Mode.POINTS:
        return None
    if mode in (Mode.YES_NO, Mode.CRITICAL):
        return lambda value: top if value else ZERO
    if mode is Mode.SCALE:
        levels = {level.label: level.points for level in item.scale}

        def from_level(value: object) -> Decimal:
            try:
                return levels[value]
            except KeyError:
                raise ScoringInputError(
                    "input.unknown_level", item=item.key, value=value, levels=list(levels)
                ) from None

        return from_level
    per, floor = item.per_occurrence, item.floor
    return lambda count: max(top - per * count, floor)


class Engine:
    """A scheme compiled for scoring many subjects."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self._sources = [source.kind.value for source in scheme.sources]
        self._weights = {source.kind.value: source.weight for source in scheme.sources}
        self._sections = [(section.key, section.max) for section in scheme.sections]
        self._items = [
            _ItemPlan(
                item.key,
                s,
                item.max,
                item.floor if item.mode is Mode.DEDUCTION else ZERO,
                _points_converter(item),
                item.on_fail if item.mode is Mode.CRITICAL else None,
            )
            for s, section in enumerate(scheme.sections)
            for item in section.items
        ]
        self._item_keys = {plan.key for plan in self._items}
        self._rules = {rule.event: rule for rule in scheme.rules}
        self._bands = sorted(scheme.bands, key=lambda band: band.threshold, reverse=True)
        self._quantum = Decimal(1).scaleb(-scheme.precision)
        self._goal_share = scheme.goals.share

    def score(self, subject: SubjectInput, period: Period) -> Result:
        with decimal.localcontext(CONTEXT):
            if subject.excluded_because:
                return Result(
                    subject.key,
                    period.label,
                    tuple(subject.excluded_because),
                    notes=(Step("excluded", {"reasons": list(subject.excluded_because)}),),
                )
            return self._score(subject, period)

    def score_many(self, subjects: Iterable[SubjectInput], period: Period) -> list[Result]:
        return [self.score(subject, period) for subject in subjects]

    # -- the steps ---------------------------------------------------------------------------

    def _score(self, subject: SubjectInput, period: Period) -> Result:
        notes: list[Step] = []
        disqualified: list[Step] = []
        items, sections, totals = self._checklist(subject, disqualified)
        weights, checklist = self._weigh(totals, notes)
        goals, base = self._blend(subject, checklist, notes)
        events = _Ledger(self._rules, period, notes, disqualified)
        events.read(subject.events)
        events.apply_tally_limits(self.scheme.tally_limits)
        unrounded = base + events.points
        if unrounded < 0:
            notes.append(Step("floor", {"score": unrounded}))
            unrounded = ZERO
        if self.scheme.cap_at_scale and unrounded > self.scheme.scale:
            notes.append(Step("cap", {"score": unrounded, "scale": self.scheme.scale}))
            unrounded = self.scheme.scale
        final = unrounded.quantize(self._quantum, ROUND_HALF_UP)
        if self.scheme.cap_at_scale and final > self.scheme.scale:
            # A scale with more decimals than the precision (92.5 shown as a whole number):
            # rounding up must not lift a capped score above the scale.
            final = self.scheme.scale.quantize(self._quantum, ROUND_DOWN)
        notes.append(
            Step(
                "final",
                {
                    "base": base,
                    "adjustments": events.points,
                    "unrounded": unrounded,
                    "final": final,
                },
            )
        )
        band = next((band for band in self._bands if band.threshold <= final), None)
        award = self._award(band, disqualified, notes)
        return Result(
            subject=subject.key,
            period=period.label,
            items=items,
            sections=sections,
            sources=totals,
            weights=weights,
            checklist=checklist,
            goals=goals,
            base=base,
            adjustments=events.points,
            monthly_tallies=events.tally_labels(),
            fines=events.fines,
            disqualified=tuple(disqualified),
            disqualified_next=tuple(events.disqualified_next),
            unrounded=unrounded,
            final=final,
            band=band,
            award=award,
            notes=tuple(notes),
        )

    def _checklist(self, subject: SubjectInput, disqualified: list[Step]):
        by_source: dict[str, dict[str, list]] = {}
        for rating in subject.ratings:
            per_item = by_source.get(rating.source)
            if per_item is None:
                if rating.source not in self._weights:
                    raise ScoringInputError("input.unknown_source", source=rating.source)
                per_item = by_source[rating.source] = {}
            values = per_item.get(rating.item)
            if values is None:
                if rating.item not in self._item_keys:
                    raise ScoringInputError("input.unknown_item", item=rating.item)
                per_item[rating.item] = [rating.value]
            else:
                values.append(rating.value)
        items: dict[str, dict[str, ItemScore]] = {}
        sections: dict[str, dict[str, SectionScore]] = {}
        totals: dict[str, Decimal] = {}
        for source in self._sources:
            rated = by_source.get(source)
            if rated is not None:
                items[source], sections[source], totals[source] = self._source(
                    source, rated, disqualified
                )
        return items, sections, totals

    def _source(self, source: str, rated: dict[str, list], disqualified: list[Step]):
        scores: dict[str, ItemScore] = {}
        sums = [ZERO] * len(self._sections)
        zeroed: dict[int, str] = {}
        for plan in self._items:
            values = rated.get(plan.key)
            if values is None:
                continue
            if plan.to_points is not None:
                if plan.critical is not None and not all(values):
                    self._critical_failed(plan, source, zeroed, disqualified)
                values = [plan.to_points(value) for value in values]
            count = len(values)
            # Decimal() so an int rating of a points item is reported as a decimal too.
            mean = Decimal(values[0]) if count == 1 else sum(values, ZERO) / count
            score = mean
            if score > plan.max:
                score = plan.max
            elif score < plan.low:
                score = plan.low
            scores[plan.key] = ItemScore(count, mean, score)
            sums[plan.section] += score
        subtotals: dict[str, SectionScore] = {}
        for index, (key, top) in enumerate(self._sections):
            total = sums[index]
            if index in zeroed:
                subtotals[key] = SectionScore(total, ZERO, zeroed[index])
            else:
                subtotals[key] = SectionScore(total, top if total > top else total)
        source_total = sum((s.subtotal for s in subtotals.values()), ZERO)
        return scores, subtotals, source_total

    def _critical_failed(
        self, plan: _ItemPlan, source: str, zeroed: dict[int, str], disqualified: list[Step]
    ) -> None:
        if plan.critical is CriticalEffect.ZERO_SECTION:
            zeroed[plan.section] = plan.key
        elif not any(step.params.get("item") == plan.key for step in disqualified):
            disqualified.append(Step("critical", {"item": plan.key, "source": source}))

    def _weigh(self, totals: dict[str, Decimal], notes: list[Step]):
        if not totals:
            notes.append(Step("no_ratings"))
            return {}, None
        missing = [source for source in self._sources if source not in totals]
        if missing and self.scheme.missing_sources is MissingSources.RENORMALISE:
            rated_weight = sum((self._weights[source] for source in totals), ZERO)
            weights = {
                source: self._weights[source] * HUNDRED / rated_weight if rated_weight else ZERO
                for source in totals
            }
        else:
            weights = {source: self._weights[source] for source in self._sources}
        checklist = (
            sum((weights[source] * totals.get(source, ZERO) for source in weights), ZERO) / HUNDRED
        )
        notes.append(
            Step(
                "checklist",
                {
                    "weights": weights,
                    "missing": missing,
                    "policy": self.scheme.missing_sources.value,
                    "checklist": checklist,
                },
            )
        )
        return weights, checklist

    def _blend(self, subject: SubjectInput, checklist: Decimal | None, notes: list[Step]):
        share = self._goal_share
        if not share:
            return None, checklist or ZERO
        goals = self._goals(subject, notes)
        if goals is None and self.scheme.goals.when_missing is MissingSources.RENORMALISE:
            notes.append(Step("goals_missing", {"policy": "renormalise"}))
            return None, checklist or ZERO
        if checklist is None and share < HUNDRED:
            notes.append(Step("checklist_missing"))
        base = ((checklist or ZERO) * (HUNDRED - share) + (goals or ZERO) * share) / HUNDRED
        notes.append(
            Step("blend", {"checklist": checklist, "goals": goals, "share": share, "base": base})
        )
        return goals, base

    def _goals(self, subject: SubjectInput, notes: list[Step]) -> Decimal | None:
        weight = sum((goal.weight for goal in subject.goals), ZERO)
        if not weight:
            return None
        cap = self.scheme.goals.attainment_cap
        attained = sum((goal.weight * min(goal.attainment, cap) for goal in subject.goals), ZERO)
        component = attained / weight * self.scheme.scale / HUNDRED
        notes.append(
            Step(
                "goals",
                {
                    "goals": len(subject.goals),
                    "cap": cap,
                    "attainment": attained / weight,
                    "component": component,
                },
            )
        )
        return component

    def _award(self, band, disqualified: list[Step], notes: list[Step]) -> Decimal:
        if band is None:
            notes.append(Step("no_band"))
            return ZERO
        notes.append(
            Step("band", {"label": band.label, "threshold": band.threshold, "award": band.award})
        )
        if disqualified and band.award:
            notes.append(Step("award_withheld", {"award": band.award}))
            return ZERO
        return band.award


class _Ledger:
    """Reads a subject's events in date order and keeps what they add up to."""

    def __init__(
        self, rules: dict[str, Rule], period: Period, notes: list[Step], disqualified: list[Step]
    ) -> None:
        self.rules, self.period, self.notes = rules, period, notes
        self.disqualified = disqualified
        self.disqualified_next: list[Step] = []
        self.points = ZERO
        self.fines = ZERO
        self.tallies: dict[tuple[int, int], Decimal] = {}
        self.previous_tallies: dict[tuple[int, int], Decimal] = {}

    def read(self, events: Iterable[Event]) -> None:
        for event in sorted(events, key=lambda e: (e.on, e.event, e.validity, e.ref)):
            self._read(event)

    def _read(self, event: Event) -> None:
        about = {"event": event.event, "on": event.on, "ref": event.ref}
        rule = self.rules.get(event.event)
        if rule is None:
            self.notes.append(Step("event_unknown", about))
            return
        about["label"] = rule.label
        this_period = self.period.contains(event.on)
        if not this_period and not self.period.in_previous(event.on):
            self.notes.append(Step("event_outside", about))
            return
        if not _counted(rule, event.validity):
            self.notes.append(Step(f"event_{event.validity}", about))
            return
        if this_period:
            self._apply(rule, event, about)
        else:
            self._carry_over(rule, event, about)

    def _apply(self, rule: Rule, event: Event, about: dict) -> None:
        self.points += rule.points
        self.fines += rule.fine
        if rule.monthly_points < 0:
            month = (event.on.year, event.on.month)
            self.tallies[month] = self.tallies.get(month, ZERO) - rule.monthly_points
        self.notes.append(
            Step(
                "event",
                {
                    **about,
                    "points": rule.points,
                    "monthly_points": rule.monthly_points,
                    "fine": rule.fine,
                    "disqualify": rule.disqualify.value,
                },
            )
        )
        if rule.disqualify is Disqualify.THIS_PERIOD:
            self.disqualified.append(Step("rule", about))
        elif rule.disqualify is Disqualify.NEXT_PERIOD:
            self.disqualified_next.append(Step("rule", about))

    def _carry_over(self, rule: Rule, event: Event, about: dict) -> None:
        """An event of the previous period counts here only through forward rules."""
        if rule.monthly_points < 0:
            month = (event.on.year, event.on.month)
            self.previous_tallies[month] = (
                self.previous_tallies.get(month, ZERO) - rule.monthly_points
            )
        if rule.disqualify is Disqualify.NEXT_PERIOD:
            self.notes.append(Step("event_previous", {**about, "disqualify": "this_period"}))
            self.disqualified.append(Step("previous_period", about))
        else:
            self.notes.append(Step("event_previous", {**about, "disqualify": "none"}))

    def apply_tally_limits(self, limits) -> None:
        for month, deducted in sorted(self.tallies.items()):
            self.notes.append(Step("tally", {"month": _month(month), "deducted": deducted}))
        for limit in limits:
            for month, deducted in sorted(self.tallies.items()):
                if deducted >= limit.deducted_at_least:
                    self._over_limit(limit, month, deducted, limit.disqualify)
            if limit.disqualify is Disqualify.NEXT_PERIOD:
                for month, deducted in sorted(self.previous_tallies.items()):
                    if deducted >= limit.deducted_at_least:
                        self._over_limit(limit, month, deducted, Disqualify.THIS_PERIOD)

    def _over_limit(self, limit, month, deducted: Decimal, effect: Disqualify) -> None:
        reason = Step(
            "tally_limit",
            {"month": _month(month), "deducted": deducted, "limit": limit.deducted_at_least},
        )
        self.notes.append(reason)
        if effect is Disqualify.THIS_PERIOD:
            self.disqualified.append(reason)
        elif effect is Disqualify.NEXT_PERIOD:
            self.disqualified_next.append(reason)

    def tally_labels(self) -> dict[str, Decimal]:
        return {_month(month): value for month, value in sorted(self.tallies.items())}


def _counted(rule: Rule, validity: Validity) -> bool:
    """An event that needs a validity decision counts once ruled valid; any other counts
    unless it was ruled invalid (a WeChat complaint disqualifies without a 有效 ruling)."""
    if rule.needs_validity:
        return validity == Validity.VALID
    return validity != Validity.INVALID


def _month(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def score(scheme: Scheme, subject: SubjectInput, period: Period) -> Result:
    """Score one subject; to score many with one scheme, make one ``Engine`` and reuse it."""
    return Engine(scheme).score(subject, period)
