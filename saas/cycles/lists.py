"""Pieces every cycle list shares: one page of a list, and which subjects (and whose
sheets) a reader may see."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true

from saas.models.cycle import CycleSubject
from saas.models.org import OrgUnit
from saas.org.access import Scope

PER_PAGE = 50


def subject_clause(scope: Scope) -> ColumnElement[bool]:
    """The subjects this user may see: all, or those of the units they manage."""
    if scope.read_all:
        return true()
    return CycleSubject.unit_id.in_(select(OrgUnit.id).where(scope.unit_clause()))


def sheet_subject_clause(scope: Scope) -> ColumnElement[bool]:
    """The subjects whose sheets (who rates them) this user may see: as ``subject_clause``,
    but never the sheets about themself, unless they manage every record — peer and
    subordinate raters stay unknown to the person they rate."""
    seen = subject_clause(scope)
    if scope.write_all or scope.employee_id is None:
        return seen
    return and_(
        seen,
        or_(CycleSubject.employee_id.is_(None), CycleSubject.employee_id != scope.employee_id),
    )


@dataclass(frozen=True)
class Paged:
    """One page of a list: its rows, the total and the page number."""

    rows: list[Any]
    total: int
    page: int
    per_page: int = PER_PAGE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, math.ceil(self.total / self.per_page)))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def window(self, around: int = 2) -> list[int | None]:
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for number in numbers:
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


def paged(total: int, page: int, per_page: int = PER_PAGE) -> int:
    """The page actually shown: the one asked for, within the pages there are."""
    return max(1, min(page, max(1, math.ceil(total / per_page))))
