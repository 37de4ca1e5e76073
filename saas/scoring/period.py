"""Assessment periods: a month, quarter, half year or year, and the period before it.

The engine needs the period before because some rules reach forward: a lost award badge
disqualifies the *next* quarter, so an event dated in the previous period can disqualify this
one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from saas.scoring.scheme import PeriodKind

_FORMS = (
    (re.compile(r"^(\d{4})-Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-H([12])$"), PeriodKind.HALF_YEAR),
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)
_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}


_LABELS = {
    PeriodKind.MONTH: "{y}-{m:02d}",
    PeriodKind.QUARTER: "{y}-Q{q}",
    PeriodKind.HALF_YEAR: "{y}-H{h}",
    PeriodKind.YEAR: "{y}",
}


class PeriodError(ValueError):
    pass


def label_of(kind: PeriodKind | str, day: dt.date) -> str:
    """The label of the period of this kind that contains ``day``: 2026-Q3, 2026-07, …"""
    return _LABELS[PeriodKind(kind)].format(
        y=day.year, m=day.month, q=(day.month - 1) // 3 + 1, h=1 if day.month <= 6 else 2
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Dates from ``start`` to ``end``, both included; the previous period runs from
    ``previous_start`` to the day before ``start``."""

    label: str
    start: dt.date
    end: dt.date
    previous_start: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-Q3", "2026-H2", "2026-07" or "2026"."""
        text = text.strip()
        for pattern, kind in _FORMS:
            match = pattern.match(text)
            if not match:
                continue
            year = int(match.group(1))
            number = int(match.group(2)) if match.lastindex == 2 else 1
            length = _MONTHS[kind]
            if kind is PeriodKind.MONTH and not 1 <= number <= 12:
                break
            try:
                start = dt.date(year, (number - 1) * length + 1, 1)
                return cls.of(text, start, length)
            except ValueError:  # year 0, or a period whose neighbours leave the calendar
                break
        raise PeriodError(text)

    @classmethod
    def of(cls, label: str, start: dt.date, months: int) -> Period:
        end = _add_months(start, months) - dt.timedelta(days=1)
        return cls(label, start, end, _add_months(start, -months))

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """Any span; the previous period is a span of the same length just before it."""
        if end < start:
            raise PeriodError(f"{start}..{end}")
        return cls(f"{start}..{end}", start, end, start - (end - start) - dt.timedelta(days=1))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def in_previous(self, day: dt.date) -> bool:
        return self.previous_start <= day < self.start
