"""The editor's live preview: sample ratings, a goal attainment and a few events typed by the
author, scored with the scheme as it stands, never saved.

Form fields: ``r.<source>.<item>`` (one rater per source and item), ``goal`` (attainment %),
``period`` (e.g. 2026-Q3), and ``ev<n>.event`` / ``ev<n>.on`` / ``ev<n>.validity`` per event row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from saas.schemes.explain import explain
from saas.scoring.engine import Engine, ScoringInputError
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period, PeriodError, label_of
from saas.scoring.scheme import Mode, Scheme
from saas.validation import finite_decimal

EVENT_ROWS = 3
# Far above any item's points (at most 10,000) or attainment: larger is a typing accident.
PREVIEW_LIMIT = Decimal(1_000_000)


@dataclass
class Sample:
    values: dict[str, str]
    period: Period
    subject: SubjectInput
    problems: list[str] = field(default_factory=list)


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
    ratings = _ratings(scheme, values, problems)
    goals = _goals(values, problems)
    events = _events(values, period, problems)
    subject = SubjectInput("preview", tuple(ratings), goals, tuple(events))
    return Sample(values, period, subject, problems)


def _ratings(scheme: Scheme, values: dict[str, str], problems: list[str]) -> list[Rating]:
    ratings = []
    for source in scheme.sources:
        for section in scheme.sections:
            for item in section.items:
                raw = values.get(f"r.{source.kind.value}.{item.key}", "").strip()
                if not raw:
                    continue
                value = _value(item, raw)
                if value is None:
                    problems.append(
                        _(
                            "%(item)s: %(value)s is not a rating this item takes.",
                            item=item.key,
                            value=raw,
                        )
                    )
                    continue
                ratings.append(Rating(item.key, source.kind.value, "preview", value))
    return ratings


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
        validity = values.get(f"ev{row}.validity") or Validity.VALID
        if validity not in set(Validity):
            validity = Validity.VALID
        events.append(Event(kind, day, Validity(validity), f"#{row + 1}"))
    return events


def outcome(scheme: Scheme, sample: Sample) -> dict[str, Any]:
    """The preview's result and its explanation, or why it cannot be scored."""
    try:
        result = Engine(scheme).score(sample.subject, sample.period)
    except ScoringInputError:
        return {"result": None, "explained": [], "reasons": [], "problems": sample.problems}
    return {
        "result": result,
        "explained": [explain(step, scheme) for step in result.trace()],
        "reasons": [explain(step, scheme) for step in result.disqualified],
        "problems": sample.problems,
    }
