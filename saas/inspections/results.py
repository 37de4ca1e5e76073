"""An inspection's items as its pages and its report show them: by section, each with its
value, the points it got, whether it failed and its note. Pure: codes and numbers, worded by
the templates in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from saas.inspections.findings import NOT_APPLICABLE, failed_items
from saas.scoring.scheme import Mode, Scheme, SectionScoring


@dataclass(frozen=True)
class Row:
    key: str
    text: str
    mode: str  # points, yes_no, scale, deduction, critical (a section rated whole: points)
    max: Decimal | None
    value: Any  # as stored; None when not rated
    not_applicable: bool
    points: Decimal | None  # what it scored (done inspections), None when not applicable
    failed: bool
    note: str | None
    standards: tuple[str, ...] = ()  # a section rated as a whole: what its items ask

    @property
    def rated(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class SectionRows:
    key: str
    title: str
    max: Decimal
    points: Decimal | None
    attainable: Decimal | None
    zeroed_by: str | None
    rows: list[Row] = field(default_factory=list)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def sections(
    checklist: Scheme,
    values: Mapping[str, Any],
    notes: Mapping[str, str],
    breakdown: Mapping[str, Any] | None = None,
) -> list[SectionRows]:
    failed = {finding.key for finding in failed_items(checklist, values)}
    scored = (breakdown or {}).get("items", {})
    per_section = (breakdown or {}).get("sections", {})
    shown = []
    for section in checklist.sections:
        if section.scoring is SectionScoring.SECTION:
            items = [(section.as_item(), tuple(item.text for item in section.items))]
        else:
            items = [(item, ()) for item in section.items]
        rows = []
        for item, standards in items:
            value = values.get(item.key)
            rows.append(
                Row(
                    key=item.key,
                    text=item.text,
                    mode=item.mode.value if not standards else Mode.POINTS.value,
                    max=item.max,
                    value=None if value == NOT_APPLICABLE else value,
                    not_applicable=value == NOT_APPLICABLE,
                    points=_decimal(scored.get(item.key)) if breakdown else None,
                    failed=item.key in failed,
                    note=notes.get(item.key),
                    standards=standards,
                )
            )
        totals = per_section.get(section.key, {})
        shown.append(
            SectionRows(
                key=section.key,
                title=section.title,
                max=section.max,
                points=_decimal(totals.get("points")),
                attainable=_decimal(totals.get("attainable")),
                zeroed_by=totals.get("zeroed_by"),
                rows=rows,
            )
        )
    return shown


def progress(checklist: Scheme, values: Mapping[str, Any]) -> tuple[int, int]:
    """(items rated or marked not applicable, items in all)."""
    keys = [item.key for _s, item in checklist.rated()]
    return sum(1 for key in keys if values.get(key) is not None), len(keys)
