"""The editor's live preview: sample ratings, a goal attainment and a few events typed by the
author, scored with the scheme as it stands, never saved.

Form fields: ``r.<source>.<key>`` (one rater per source and item, or per section rated as a
whole), ``goal`` (attainment %), ``period`` (e.g. 2026-Q3), and ``ev<n>.event`` / ``ev<n>.on``
/ ``ev<n>.validity`` per event row (no validity: no decision yet).

A value the scheme cannot take (a word where points go) is a problem: nothing is scored until
it is fixed, so no score is shown that the author did not ask for. A value outside the item's
range is scored as the engine keeps it (at the maximum, or at the floor of a deduction item),
and the preview says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from saas.schemes.explain import CONSEQUENCE_LABELS, explain, explain_reason
from saas.scoring.engine import Engine, ScoringInputError
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period, PeriodError, label_of
from saas.scoring.scheme import Consequence, Item, Mode, Scheme, SectionScoring
from saas.validation import finite_decimal
from saas.web.numbers import plain

EVENT_ROWS = 3
# Far above any item's points (at most 10,000) or attainment: larger is a typing accident.
PREVIEW_LIMIT = Decimal(1_000_000)


@dataclass
class Sample:
    values: dict[str, str]
    period: Period
    subject: SubjectInput
    problems: list[str] = field(default_factory=list)  # inputs that cannot be scored
    clamped: list[str] = field(default_factory=list)  # inputs kept within their item's range


def current_period(scheme: Scheme, today: dt.date | None = None) -> str:
    return label_of(scheme.period, today or dt.date.today())


def empty(scheme: Scheme) -> Sample:
    return read(scheme, {})


def read(scheme: Scheme, form: Mapping[str, str]) -> Sample:
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    problems: list[str] = []
    label = values.get("period") or current_period(scheme)
    try:
        period = Period.parse(label)
    except PeriodError:
        problems.append(
            _("%(period)s is not a period such as 2026-Q3, 2026-H2, 2026-07 or 2026.", period=label)
        )
        period = Period.parse(current_period(scheme))
    values["period"] = period.label
    clamped: list[str] = []
    ratings = _ratings(scheme, values, problems, clamped)
    goals = _goals(values, problems)
    events = _events(values, period, problems)
    subject = SubjectInput("preview", tuple(ratings), goals, tuple(events))
    return Sample(values, period, subject, problems, clamped)


def _ratings(
    scheme: Scheme, values: dict[str, str], problems: list[str], clamped: list[str]
) -> list[Rating]:
    ratings = []
    whole = {s.key for s in scheme.sections if s.scoring is SectionScoring.SECTION}
    for source in scheme.sources:
        for _section, item in scheme.rated():
            raw = values.get(f"r.{source.kind.value}.{item.key}", "").strip()
            if not raw:
                continue
            # A section rated as a whole is known by its title; an item by its key.
            name = item.text if item.key in whole else item.key
            value = _value(item, raw)
            if value is None:
                problems.append(
                    _("%(item)s: %(value)s is not a rating this item takes.", item=name, value=raw)
                )
                continue
            note = _kept(item, value, name)
            if note is not None:
                clamped.append(note)
            ratings.append(Rating(item.key, source.kind.value, "preview", value))
    return ratings


def _kept(item: Item, value: Any, name: str) -> str | None:
    """What the engine makes of a value outside the item's range, said; None if it is in."""
    if item.mode is Mode.POINTS and value > item.max:
        return _(
            "%(item)s: %(value)s is above the maximum of %(max)s and counts as %(max)s.",
            item=name,
            value=plain(value),
            max=plain(item.max),
        )
    if item.mode is Mode.DEDUCTION and item.max - item.per_occurrence * value < item.floor:
        return _(
            "%(item)s: %(count)s occurrences deduct more than the item holds; it counts as "
            "its lowest score, %(floor)s.",
            item=name,
            count=value,
            floor=plain(item.floor),
        )
    return None


def _value(item, raw: str) -> Any:
    if item.mode in (Mode.YES_NO, Mode.CRITICAL):
        return {"yes": True, "no": False}.get(raw)
    if item.mode is Mode.SCALE:
        return raw if any(level.label == raw for level in item.scale) else None
    number = finite_decimal(raw, below=PREVIEW_LIMIT)
    if number is None or number < 0:
        return None
    if item.mode is Mode.DEDUCTION:
        return int(number) if number == number.to_integral_value() else None
    return number


def _goals(values: dict[str, str], problems: list[str]) -> tuple[GoalAttainment, ...]:
    raw = values.get("goal", "").strip()
    if not raw:
        return ()
    attainment = finite_decimal(raw, below=PREVIEW_LIMIT)
    if attainment is None or attainment < 0:
        problems.append(_("Goal attainment must be a percentage such as 95."))
        return ()
    return (GoalAttainment("preview", Decimal(1), attainment),)


def _events(values: dict[str, str], period: Period, problems: list[str]) -> list[Event]:
    events = []
    for row in range(EVENT_ROWS):
        kind = values.get(f"ev{row}.event", "")
        if not kind:
            continue
        raw_day = values.get(f"ev{row}.on", "").strip()
        try:
            day = dt.date.fromisoformat(raw_day) if raw_day else period.start
        except ValueError:
            problems.append(_("%(date)s is not a date such as 2026-08-03.", date=raw_day))
            continue
        raw = values.get(f"ev{row}.validity", "")
        validity = Validity(raw) if raw in set(Validity) else None
        events.append(Event(kind, day, validity, f"#{row + 1}"))
    return events


def outcome(scheme: Scheme, sample: Sample) -> dict[str, Any]:
    """The preview's result and its explanation, or why it cannot be scored: while an input
    has a problem, there is no score."""
    unscored = {"result": None, "explained": [], "reasons": [], "problems": sample.problems}
    if sample.problems:
        return {**unscored, "clamped": []}
    try:
        result = Engine(scheme).score(sample.subject, sample.period)
    except ScoringInputError:
        return {**unscored, "clamped": []}
    return {
        "result": result,
        "explained": [explain(step, scheme) for step in result.trace()],
        "reasons": [explain_reason(step, scheme) for step in result.disqualified],
        "problems": [],
        "clamped": sample.clamped,
        "consequence": _consequence(result),
    }


def _consequence(result: Any) -> str | None:
    band = result.band
    if band is None or band.consequence is Consequence.NONE:
        return None
    return str(CONSEQUENCE_LABELS[band.consequence])
