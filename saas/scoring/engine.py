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
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from saas.scoring.inputs import Event, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.result import Layout, Mean, Result, Scored, Step
from saas.scoring.scheme import (
    CriticalEffect,
    Disqualify,
    MissingSources,
    Mode,
    Rule,
    Scheme,
    SectionScoring,
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


# Rating shapes remembered per engine: enough for a cohort's few ways of being rated, bounded
# for a cohort where every subject is rated differently.
_SHAPES_KEPT = 512


@dataclass(frozen=True, slots=True)
class _Shape:
    """How one sequence of (source, item) ratings lays out in a grid of one row of items per
    source that rated, in scheme order."""

    sources: tuple[str, ...]  # the sources that rated, one row each
    pick: list[int]  # per cell, the index of the rating it takes (past the end: not rated)
    kept: list[dict]  # per cell, its item's table of what a value adds
    sections: tuple[tuple[int, int], ...]  # per row and section, its cells' slice
    several: tuple[tuple[int, int, tuple[int, ...]], ...]  # (cell, item, ratings' indexes)
    averaged: tuple[tuple[int, int, int], ...]  # (grid cell, cell, item) of those


def _converter(item) -> dict | Callable[[object], Decimal] | None:
    """How a rating becomes points: None (it is the points), a lookup table or a function."""
    mode, top = item.mode, item.max
    if mode is Mode.POINTS:
        return None
    if mode in (Mode.YES_NO, Mode.CRITICAL):
        return {True: top, False: ZERO}
    if mode is Mode.SCALE:
        return {level.label: level.points for level in item.scale}
    per, floor = item.per_occurrence, item.floor
    return lambda count: max(top - per * count, floor)


class Engine:
    """A scheme compiled for scoring many subjects."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self._sources = [source.kind.value for source in scheme.sources]
        self._source_index = {source: j for j, source in enumerate(self._sources)}
        self._weights = {source.kind.value: source.weight for source in scheme.sources}
        self._missing_policy = scheme.missing_sources.value
        # A section rated as a whole is one item here (its key, title and maximum), so it is
        # averaged, kept within its range and capped like any other.
        items = scheme.rated()
        self._items = [item for _, item in items]
        self._section_of = [s for s, _ in items]
        self._convert = [_converter(item) for item in self._items]
        # Per item: rating value → what it adds to its section, and → its points. Keys are
        # only values of the item's own kind (bool, label, number), as inputs.py types them.
        # None (not rated) adds nothing.
        self._kept: list[dict] = [{None: ZERO} for _ in self._items]
        self._points_seen: list[dict] = [{} for _ in self._items]
        # The ratings of a subject are laid out in one flat grid, a row of items per source.
        width = self._width = len(self._items)
        self._where = {
            (source, item.key): j * width + i
            for j, source in enumerate(self._sources)
            for i, item in enumerate(self._items)
        }
        self._shapes: dict[tuple, _Shape] = {}
        # Each section's items are consecutive in the row: its slice of it.
        self._section_spans = [
            (self._section_of.index(s), len(self._section_of) - self._section_of[::-1].index(s))
            if s in self._section_of
            else (0, 0)
            for s in range(len(scheme.sections))
        ]
        self._critical = {
            i: item.on_fail for i, item in enumerate(self._items) if item.mode is Mode.CRITICAL
        }
        self.layout = Layout(
            item_keys=tuple(item.key for item in self._items),
            item_max=tuple(item.max for item in self._items),
            item_low=tuple(
                item.floor if item.mode is Mode.DEDUCTION else ZERO for item in self._items
            ),
            section_keys=tuple(section.key for section in scheme.sections),
            section_max=tuple(section.max for section in scheme.sections),
            points_of=self._points_of,
        )
        self._range = list(zip(self.layout.item_low, self.layout.item_max, strict=True))
        self._section_max = self.layout.section_max
        self._rules = {rule.event: rule for rule in scheme.rules}
        self._bands = sorted(scheme.bands, key=lambda band: band.threshold, reverse=True)
        self._quantum = Decimal(1).scaleb(-scheme.precision)
        self._goal_share = scheme.goals.share
        self._scale = scheme.scale if scheme.cap_at_scale else None  # None: not capped
        self._tally_limits = scheme.tally_limits
        self._renormalise = scheme.missing_sources is MissingSources.RENORMALISE

    def score(self, subject: SubjectInput, period: Period) -> Result:
        with decimal.localcontext(CONTEXT):
            return self._one(subject, period)

    def score_many(self, subjects: Iterable[SubjectInput], period: Period) -> list[Result]:
        """Score a cohort. The cyclic garbage collector is paused meanwhile: results hold no
        reference cycles, and collections walking thousands of them cost more than scoring."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            with decimal.localcontext(CONTEXT):
                return [self._one(subject, period) for subject in subjects]
        finally:
            if collecting:
                gc.enable()

    def _one(self, subject: SubjectInput, period: Period) -> Result:
        if subject.excluded_because:
            reasons = tuple(subject.excluded_because)
            return Result(
                subject.key,
                period.label,
                reasons,
                layout=self.layout,
                notes=(Step("excluded", {"reasons": list(reasons)}),),
            )
        return self._score(subject, period)

    # -- the steps ---------------------------------------------------------------------------

    def _score(self, subject: SubjectInput, period: Period) -> Result:
        notes: list[Step] = []
        disqualified: list[Step] = []
        scored, totals = self._checklist(subject, disqualified)
        weights, checklist = self._weigh(totals, notes)
        goals, base = self._blend(subject, checklist, notes)
        if subject.events:
            events = _Ledger(self._rules, period, notes, disqualified)
            events.read(subject.events)
            events.apply_tally_limits(self._tally_limits)
            points, fines = events.points, events.fines
            tallies, disqualified_next = events.tally_labels(), tuple(events.disqualified_next)
        else:  # what an empty ledger adds up to
            points, fines, tallies, disqualified_next = ZERO, ZERO, {}, ()
        unrounded = base + points
        if unrounded < ZERO:
            notes.append(Step("floor", {"score": unrounded}))
            unrounded = ZERO
        scale = self._scale
        if scale is not None and unrounded > scale:
            notes.append(Step("cap", {"score": unrounded, "scale": scale}))
            unrounded = scale
        final = unrounded.quantize(self._quantum, ROUND_HALF_UP)
        if scale is not None and final > scale:
            # A scale with more decimals than the precision (92.5 shown as a whole number):
            # rounding up must not lift a capped score above the scale.
            final = scale.quantize(self._quantum, ROUND_DOWN)
        notes.append(
            Step(
                "final",
                {
                    "base": base,
                    "adjustments": points,
                    "unrounded": unrounded,
                    "final": final,
                },
            )
        )
        for band in self._bands:
            if band.threshold <= final:
                break
        else:
            band = None
        award = self._award(band, disqualified, notes)
        return Result.made(
            subject=subject.key,
            period=period.label,
            excluded_because=(),
            scored=scored,
            sources=totals,
            weights=weights,
            checklist=checklist,
            goals=goals,
            base=base,
            adjustments=points,
            monthly_tallies=tallies,
            fines=fines,
            disqualified=tuple(disqualified),
            disqualified_next=disqualified_next,
            unrounded=unrounded,
            final=final,
            band=band,
            award=award,
            notes=tuple(notes),
            layout=self.layout,
        )

    def _checklist(self, subject: SubjectInput, disqualified: list[Step]):
        """Each rating source's row of item values and its total.

        This is the hot path: a subject has a hundred ratings or more, a cycle thousands of
        subjects. The subjects of a cohort are mostly rated alike (the same items by the same
        sources in the same order), so where each rating goes is worked out once per such
        ``_Shape``; then the sources' rows are one grid, filled and looked up by ``map`` and
        summed by ``sum``, which run in C. The additions are the same, in the same order."""
        scored: dict[str, Scored] = {}
        totals: dict[str, Decimal] = {}
        ratings = subject.ratings
        if not ratings:
            return scored, totals
        shape = self._shape(ratings)
        values = [rating.value for rating in ratings]
        values.append(None)  # what an unrated cell picks
        grid = list(map(values.__getitem__, shape.pick))
        # What each cell adds to its section, for values met before; an unrated cell's None
        # is in every item's table and adds 0 (a sum starts at 0, exponent 0, so adding 0
        # again changes neither its digits nor its exponent).
        adds = list(map(dict.get, shape.kept, grid))
        if shape.several:
            ranges = self._range
            means = {p: self._mean(i, [values[k] for k in ks]) for p, i, ks in shape.several}
            for c, p, i in shape.averaged:
                mean = grid[c] = means[p]
                adds[c] = _within(mean.points, *ranges[i])
        try:
            sums = [sum(adds[a:b], ZERO) for a, b in shape.sections]
        except TypeError:  # a None in ``adds``: values not met before, worked out in order
            width = self._width
            for c, added in enumerate(adds):
                if added is None:
                    adds[c] = self._learn(c % width, grid[c])[1]
            sums = [sum(adds[a:b], ZERO) for a, b in shape.sections]
        width, count, section_max = self._width, len(self._section_max), self._section_max
        for n, source in enumerate(shape.sources):
            row = grid[n * width : (n + 1) * width]
            source_sums = sums[n * count : (n + 1) * count]
            zeroed = self._criticals(row, source, disqualified) if self._critical else None
            if zeroed:
                total = ZERO
                for s, (sum_, top) in enumerate(zip(source_sums, section_max, strict=True)):
                    if s not in zeroed:
                        total += min(sum_, top)
                totals[source] = total
            else:  # each section's sum capped at its maximum (min keeps the sum when equal)
                totals[source] = sum(map(min, source_sums, section_max), ZERO)
            scored[source] = Scored(row, source_sums, zeroed)
        return scored, totals

    def _shape(self, ratings) -> _Shape:
        """Where this subject's ratings go, from the shapes seen before when it is one."""
        key = (tuple([r.source for r in ratings]), tuple([r.item for r in ratings]))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._new_shape(ratings)
            if len(self._shapes) < _SHAPES_KEPT:
                self._shapes[key] = shape
        return shape

    def _new_shape(self, ratings) -> _Shape:
        where, width = self._where, self._width
        # Source j, item i: cell j × width + i of a grid with a row for every source.
        positions = [where.get((rating.source, rating.item)) for rating in ratings]
        if None in positions:
            raise self._unknown(ratings[positions.index(None)])
        last: dict[int, int] = {}  # cell → the index of its (last) rating
        firsts: dict[int, int] = {}
        several: dict[int, list[int]] = {}  # cell → the indexes of its several ratings
        for k, p in enumerate(positions):
            if p in several:
                several[p].append(k)
            elif p in firsts:
                several[p] = [firsts[p], k]
            else:
                firsts[p] = k
            last[p] = k
        unrated = len(positions)  # the None after the values
        sources: list[str] = []
        pick: list[int] = []
        averaged: list[tuple[int, int, int]] = []
        sections: list[tuple[int, int]] = []
        for j, source in enumerate(self._sources):
            cells = range(j * width, (j + 1) * width)
            if not any(p in last for p in cells):
                continue  # this source did not rate: it has no row
            start = len(pick)  # where its row starts in the grid of the sources that rated
            sources.append(source)
            pick.extend(last.get(p, unrated) for p in cells)
            averaged.extend(
                (start + p - cells.start, p, p - cells.start) for p in several if p in cells
            )
            sections.extend((start + a, start + b) for a, b in self._section_spans)
        return _Shape(
            tuple(sources),
            pick,
            self._kept * len(sources),
            tuple(sections),
            tuple((p, p % width, tuple(ks)) for p, ks in several.items()),
            tuple(averaged),
        )

    def _unknown(self, rating) -> ScoringInputError:
        if rating.source not in self._source_index:
            return ScoringInputError("input.unknown_source", source=rating.source)
        for section in self.scheme.sections:
            if section.scoring is SectionScoring.SECTION and any(
                item.key == rating.item for item in section.items
            ):
                return ScoringInputError(
                    "input.rate_the_section", item=rating.item, section=section.key
                )
        return ScoringInputError("input.unknown_item", item=rating.item)

    def _mean(self, i: int, values: list) -> Mean:
        seen = self._points_seen[i]
        total = ZERO
        for value in values:
            points = seen.get(value)
            total += points if points is not None else self._learn(i, value)[0]
        return Mean(total / len(values), len(values), i in self._critical and False in values)

    def _learn(self, i: int, value) -> tuple[Decimal, Decimal]:
        """The points of one rating value of item i and what it adds to its section, checked
        and remembered: ratings take few distinct values, so most are looked up."""
        if type(value) is Mean:
            return value.points, _within(value.points, *self._range[i])
        how = self._convert[i]
        if how is None:
            mean = _number(value)
            if mean is None:
                raise ScoringInputError("input.not_points", item=self._items[i].key, value=value)
        else:
            mean = self._points(i, how, value)
        learned = mean, _within(mean, *self._range[i])
        if len(self._kept[i]) < 10_000:
            self._kept[i][value] = learned[1]
            self._points_seen[i][value] = mean
        return learned

    def _points_of(self, i: int, value) -> Decimal:
        known = self._points_seen[i].get(value)
        return known if known is not None else self._learn(i, value)[0]

    def _criticals(self, row: list, source: str, disqualified: list[Step]) -> dict[int, str] | None:
        zeroed = None
        for i in self._critical:
            cell = row[i]
            if cell is False or (type(cell) is Mean and cell.failed):
                zeroed = self._critical_failed(i, source, zeroed, disqualified)
        return zeroed

    def _points(self, i: int, how, value) -> Decimal:
        if type(how) is dict:
            points = how.get(value) if type(value) in (bool, str) else None
            if points is None:
                item = self._items[i]
                if item.mode is Mode.SCALE:
                    raise ScoringInputError(
                        "input.unknown_level", item=item.key, value=value, levels=list(how)
                    )
                raise ScoringInputError("input.not_yes_no", item=item.key, value=value)
            return points
        return how(value)

    def _critical_failed(
        self, i: int, source: str, zeroed: dict[int, str] | None, disqualified: list[Step]
    ) -> dict[int, str] | None:
        key = self._items[i].key
        if self._critical[i] is CriticalEffect.ZERO_SECTION:
            zeroed = zeroed or {}
            zeroed[self._section_of[i]] = key
        elif not any(step.params.get("item") == key for step in disqualified):
            disqualified.append(Step("critical", {"item": key, "source": source}))
        return zeroed

    def _weigh(self, totals: dict[str, Decimal], notes: list[Step]):
        if not totals:
            notes.append(Step("no_ratings"))
            return {}, None
        missing = (
            []
            if len(totals) == len(self._sources)
            else [source for source in self._sources if source not in totals]
        )
        if missing and self._renormalise:
            rated_weight = sum((self._weights[source] for source in totals), ZERO)
            weights = {
                source: self._weights[source] * HUNDRED / rated_weight if rated_weight else ZERO
                for source in totals
            }
        else:
            weights = dict(self._weights)  # in the scheme's order of sources
        weighted = ZERO
        for source, weight in weights.items():
            weighted += weight * totals.get(source, ZERO)
        checklist = weighted / HUNDRED
        notes.append(
            Step(
                "checklist",
                {
                    "weights": weights,
                    "missing": missing,
                    "policy": self._missing_policy,
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
            Step(
                "band",
                {
                    "label": band.label,
                    "threshold": band.threshold,
                    "award": band.award,
                    "consequence": band.consequence.value,
                },
            )
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

    def read(self, events: tuple[Event, ...]) -> None:
        if len(events) > 1:  # in date order, whatever order they were given in
            events = sorted(events, key=lambda e: (e.on, e.event, e.validity or "", e.ref))
        for event in events:
            self._read(event)

    def _read(self, event: Event) -> None:
        about = {"event": event.event, "on": event.on, "ref": event.ref}
        rule = self.rules.get(event.event)
        if rule is None:
            self.notes.append(Step("event_unknown", about))
            return
        about["label"] = rule.label
        period = self.period
        this_period = period.start <= event.on <= period.end
        if not this_period and not period.previous_start <= event.on < period.start:
            self.notes.append(Step("event_outside", about))
            return
        if not _counted(rule, event.validity):
            if event.validity == Validity.INVALID:
                self.notes.append(Step("event_invalid", about))
            else:  # pending: waiting for a decision, or for the one its rule needs
                self.notes.append(Step("event_pending", {**about, "undecided": not event.validity}))
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
        effects = {
            "points": rule.points,
            "monthly_points": rule.monthly_points,
            "fine": rule.fine,
            "disqualify": rule.disqualify.value,
        }
        self.notes.append(Step("event", about | effects))
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
        if not (self.tallies or self.previous_tallies):
            return
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
        if not self.tallies:
            return {}
        return {_month(month): value for month, value in sorted(self.tallies.items())}


def _number(value) -> Decimal | None:
    """A points rating as an exact decimal: a Decimal, an int or a numeric string (never a
    float, whose binary value is not the number written, nor a bool)."""
    if type(value) in (bool, float):
        return None
    try:
        number = Decimal(value)
    except (decimal.InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _within(value: Decimal, low: Decimal, top: Decimal) -> Decimal:
    return top if value > top else low if value < low else value


def _counted(rule: Rule, validity: Validity | None) -> bool:
    """A valid event counts; a pending or invalid one counts for nothing. An event without a
    decision counts unless its rule needs one (有效投诉), in which case it is pending; a
    WeChat complaint, say, disqualifies without a 有效 ruling."""
    if validity is None:
        return not rule.needs_validity
    return validity == Validity.VALID


def _month(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def score(scheme: Scheme, subject: SubjectInput, period: Period) -> Result:
    """Score one subject; to score many with one scheme, make one ``Engine`` and reuse it."""
    return Engine(scheme).score(subject, period)
