"""One page of a long list: its rows, the total and which page it is. Every list that pages
(people, cycles, raters, results, the ledger) returns a ``Page``, and the one pager
template (templates/partials) reads it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PER_PAGE = 50


def page_within(total: int, page: int, per_page: int = PER_PAGE) -> int:
    """The page actually shown: the one asked for, within the pages there are."""
    return max(1, min(page, max(1, math.ceil(total / per_page))))


@dataclass(frozen=True)
class Page:
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
        """Page numbers to link: first, last and a few around the current one; None is a gap."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for number in numbers:
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result
