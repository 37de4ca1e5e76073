"""Which items of a finished inspection failed: pure, shared by the notices it raises, the
ledger events it records and the report it prints.

An inspection stores each item's value as a rating sheet does (saas/rating/values.py), or
``NOT_APPLICABLE`` for an item that does not apply on the day (it is left out of the score).
An item fails when it did not get its full marks: "no" on a yes/no or critical item, fewer
points than the maximum, any occurrence of a deduction, a scale level below the top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from saas.scoring.scheme import Item, Mode, Scheme

NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Finding:
    key: str  # the item's key (or a section's, for a section rated as a whole)
    text: str  # what the item requires: printed on the notice as what to fix
    critical: bool  # a critical (一票否决) item


def applicable(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the engine scores: rated items, without those marked not applicable."""
    return {k: v for k, v in values.items() if v is not None and v != NOT_APPLICABLE}


def failed_items(checklist: Scheme, values: Mapping[str, Any]) -> list[Finding]:
    """The failed items of an inspection, in checklist order."""
    rated = applicable(values)
    found = []
    for _section, item in checklist.rated():
        if item.key in rated and _failed(item, rated[item.key]):
            found.append(Finding(item.key, item.text, item.mode is Mode.CRITICAL))
    return found


def _failed(item: Item, value: Any) -> bool:
    mode = item.mode
    if mode in (Mode.YES_NO, Mode.CRITICAL):
        return value is False
    if mode is Mode.DEDUCTION:
        return _number(value) > 0
    if mode is Mode.SCALE:
        top = max((level.points for level in item.scale), default=Decimal(0))
        points = next((lv.points for lv in item.scale if lv.label == value), top)
        return points < top
    return _number(value) < (item.max or Decimal(0))


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
