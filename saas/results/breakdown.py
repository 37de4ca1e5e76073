"""One stored result as its page shows it: the headline and the breakdown table.

Pure apart from words: it reads a ``CycleResult`` (its columns, and its breakdown JSON =
``Result.to_dict()`` without the trace, decimals as strings) with the scheme of its cycle.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _

from saas.results.trace import exclusion, reason
from saas.schemes.explain import CONSEQUENCE_LABELS, SOURCE_LABELS
from saas.scoring.scheme import Consequence, Scheme, SectionScoring


def number(value: Any) -> Decimal | None:
    """A stored number (a string, an int or a Decimal) as a Decimal; None if it is none."""
    if value is None or isinstance(value, bool):
        return None
    try:
        found = Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    return found if found.is_finite() else None


def shown_final(value: Decimal | None, scheme: Scheme) -> str | None:
    """The final score at the scheme's precision, as the trace gives it: 87.50."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-scheme.precision), ROUND_HALF_UP), "f")


def _two_places(value: Decimal) -> str:
    """87.3333… as 87.33, 96.00 as 96: as the trace's sentences show numbers."""
    shown = value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    if shown == shown.to_integral_value():
        return str(shown.to_integral_value())
    return format(shown.normalize(), "f")


@dataclass
class Headline:
    final: str | None
    band: str | None
    award: Decimal
    award_withheld: Decimal | None  # the band's award a disqualification took away
    fines: Decimal
    pay_coefficient: Decimal | None
    consequence: str | None
    disqualified: list[str]  # reasons, this period
    disqualified_next: list[str]  # reasons, next period
    excluded: list[str]  # why the subject is not assessed


def _steps(value: Any) -> list[dict[str, Any]]:
    return [step for step in value if isinstance(step, dict)] if isinstance(value, list) else []


def headline(result: Any, scheme: Scheme, refs: Mapping[str, str] | None = None) -> Headline:
    data = result.breakdown or {}
    band = next((b for b in scheme.bands if b.label == result.band), None)
    withheld = None
    if result.disqualified and band is not None and band.award and not result.award:
        withheld = band.award
    consequence = result.consequence
    try:
        kind = Consequence(consequence) if consequence else Consequence.NONE
    except ValueError:
        kind = None
    if kind is Consequence.NONE:
        consequence_text = None
    elif kind is None:
        consequence_text = consequence
    else:
        consequence_text = str(CONSEQUENCE_LABELS[kind])
    excluded = data.get("excluded_because") or []
    return Headline(
        final=None if result.excluded else shown_final(result.final, scheme),
        band=result.band,
        award=result.award or Decimal(0),
        award_withheld=withheld,
        fines=result.fines or Decimal(0),
        pay_coefficient=result.pay_coefficient,
        consequence=consequence_text,
        disqualified=[reason(step, scheme, refs) for step in _steps(data.get("disqualified"))],
        disqualified_next=[
            reason(step, scheme, refs) for step in _steps(data.get("disqualified_next_period"))
        ],
        excluded=[exclusion(code) for code in excluded] if isinstance(excluded, list) else [],
    )


@dataclass
class Line:
    kind: str  # "section" or "item"
    key: str
    label: str
    max: Decimal | None
    scores: list[Decimal | None]  # per source, in the table's order


@dataclass
class BreakdownTable:
    sources: list[tuple[str, str]]  # (kind, label)
    lines: list[Line] = field(default_factory=list)
    totals: list[Decimal | None] = field(default_factory=list)
    weights: list[Decimal | None] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (what, value as shown)
    tallies: list[tuple[str, Decimal]] = field(default_factory=list)  # (month, deducted)

    @property
    def empty(self) -> bool:
        return not self.sources


def _source_label(kind: str) -> str:
    label = SOURCE_LABELS.get(kind)
    text = str(label) if label is not None else kind
    return text[:1].upper() + text[1:]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def breakdown_table(data: dict[str, Any], scheme: Scheme) -> BreakdownTable:
    """Per section and item (rows) and per source that rated (columns), the scores; then
    each source's total and weight as applied."""
    totals = _mapping(data.get("sources"))
    order = [source.kind.value for source in scheme.sources]
    kinds = [kind for kind in order if kind in totals] + [k for k in totals if k not in order]
    sections = _mapping(data.get("sections"))
    items = _mapping(data.get("items"))
    table = BreakdownTable(sources=[(kind, _source_label(kind)) for kind in kinds])

    def per_source(values: dict[str, Any], key: str) -> list[Decimal | None]:
        return [number(_mapping(values.get(kind)).get(key)) for kind in kinds]

    for section in scheme.sections:
        table.lines.append(
            Line(
                "section",
                section.key,
                section.title,
                section.max,
                per_source(sections, section.key),
            )
        )
        if section.scoring is SectionScoring.ITEMS:
            for item in section.items:
                table.lines.append(
                    Line("item", item.key, item.text, item.max, per_source(items, item.key))
                )
    table.totals = [number(totals.get(kind)) for kind in kinds]
    weights = _mapping(data.get("weights"))
    table.weights = [number(weights.get(kind)) for kind in kinds]
    for key, label in (
        ("checklist", _("Checklist score")),
        ("goals", _("Goals component")),
        ("base", _("Base score")),
        ("adjustments", _("Adjustments")),
    ):
        value = number(data.get(key))
        if value is None or (key == "adjustments" and not value):
            continue
        shown = _two_places(value)
        if key == "adjustments" and value > 0:
            shown = f"+{shown}"
        table.summary.append((label, shown))
    table.tallies = [
        (str(month), value)
        for month, raw in _mapping(data.get("monthly_tallies")).items()
        if (value := number(raw)) is not None
    ]
    return table
