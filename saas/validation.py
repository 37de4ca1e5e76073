"""Input rules shared by forms, the CLI and services, and the one error a service raises for
input that breaks a rule.

Numbers typed or sent by people are read here and nowhere else:

- ``whole_number`` / ``record_id`` / ``page_number``: ASCII digits only, within PostgreSQL's
  ``integer``. ``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or
  reads as 3; an id past 2³¹−1 makes PostgreSQL refuse the whole query.
- ``finite_decimal``: ``Decimal()`` reads "NaN", "Infinity", "1e999999999" and
  "1e-999999999"; the first arithmetic on the last two overflows (so does PostgreSQL's
  ``numeric``), so the size is judged from the exponent alone, before any arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# Deliberately loose: one @, no spaces, a dot in the domain. Delivery proves the rest.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# PostgreSQL's ``integer``, the type of every id.
MAX_ID = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
# Pages of a list: far past any real list, well inside ``integer`` once multiplied by a page.
MAX_PAGE = 100_000
# The text of a number someone types; longer is not a number anyone means.
_DECIMAL_TEXT_LIMIT = 50
# Numbers people type lie between 10^-30 and 10^30 (or are zero), as in scheme files.
_DECIMAL_EXPONENT_LIMIT = 30


class Invalid(ValueError):
    """Input a service refuses (the form shows it again, 400). ``message`` is translatable
    (lazily, or already in the user's language) and ``field`` names the form field concerned
    (None: the whole form). ``errors`` maps every field at fault to its messages, when a
    service reports several at once (``Invalid.many``)."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message, self.field = message, field
        self.errors: dict[str, list[Any]] = {field or "": [message]}

    def __str__(self) -> str:
        return str(self.message)

    @classmethod
    def many(cls, errors: Mapping[str, list[Any]]) -> Invalid:
        field, messages = next(iter(errors.items()))
        invalid = cls(messages[0], field or None)
        invalid.errors = {name: list(found) for name, found in errors.items()}
        return invalid


class Problems:
    """Every input error of a form gathered by field, so the form shows them all at once
    rather than the first one only."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Any]] = {}

    def add(self, field: str | None, message: Any) -> None:
        self.errors.setdefault(field or "", []).append(message)

    def check(self, parse: Callable[..., Any], *args: Any) -> Any:
        """``parse(*args)``, or None with its ``Invalid`` kept when it raises one."""
        try:
            return parse(*args)
        except Invalid as error:
            for field, messages in error.errors.items():
                self.errors.setdefault(field, []).extend(messages)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise Invalid.many(self.errors)


def whole_number(value: Any, low: int = 0, high: int = MAX_ID) -> int | None:
    """``value`` as an integer from ``low`` to ``high`` written in ASCII digits (spaces
    around it aside), else None."""
    if value is None:
        return None
    text = str(value).strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def record_id(value: Any) -> int | None:
    """A database id (1 … 2³¹−1) from a URL, a form or a file, else None: a record no id
    names is simply not found."""
    return whole_number(value, low=1)


def record_ids(values: Iterable[Any]) -> list[int]:
    """The database ids among ``values``; anything else is left out."""
    return [found for found in map(record_id, values) if found is not None]


def page_number(value: Any) -> int:
    """A list's page from the query string: the first page for anything but a page number."""
    return whole_number(value, low=1, high=MAX_PAGE) or 1


def finite_decimal(value: Any, below: Decimal | None = None) -> Decimal | None:
    """``value`` as a finite Decimal between 10^-30 and 10^30 in size (or zero), and smaller
    than ``below`` in size when given; else None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > _DECIMAL_TEXT_LIMIT:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if not number:
        return Decimal(0)  # "0e-999999999" is zero, without its exponent
    if abs(number.adjusted()) > _DECIMAL_EXPONENT_LIMIT:
        return None
    if below is not None and abs(number) >= below:
        return None
    return number


def calendar_day(value: Any) -> dt.date | None:
    """A date typed in a form or a query (YYYY-MM-DD), or None: empty, not a date, or not
    a date of this century."""
    text = str(value or "").strip()[:20]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None
