"""One rating value, as a rater types it, as a sheet stores it and as the engine reads it.

Every item is rated in its scheme's mode (saas/scoring/scheme.py ``Mode``); a section rated
as a whole is rated like a points item with the section's maximum. A value is stored in a
rating sheet's ``values`` as JSON that reads back exactly:

- points: a string of digits with at most two decimals ("8.5"), between 0 and the maximum;
- deduction: a whole number of occurrences as a string ("2"), 0 to 1,000;
- yes/no and critical: true or false;
- scale: the level's label.

``parse`` reads what a form, a grid cell or a spreadsheet holds and refuses anything else
with a message in the user's language; ``engine_value`` turns a stored value into what
``saas.scoring.inputs.Rating`` holds. The form, the grid, the Excel upload and the scoring
run all use these two, so a value the rater could save is a value the engine can score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from saas.rating.stored import converter
from saas.scoring.inputs import Rating
from saas.scoring.scheme import Item, Mode, Scheme
from saas.validation import Invalid, finite_decimal, whole_number

MAX_OCCURRENCES = 1000
_YES = frozenset({"yes", "y", "true", "1", "是", "√", "✓", "合格", "符合"})
_NO = frozenset({"no", "n", "false", "0", "否", "×", "✗", "x", "不合格", "不符合"})

Stored = str | bool | None


def rated_items(scheme: Scheme) -> list[Item]:
    """What raters rate, in scheme order: items, and each section rated as a whole as one."""
    return [item for _s, item in scheme.rated()]


def parse(item: Item, raw: Any) -> Stored:
    """The stored value of what a rater entered for ``item``; None when left empty.
    Raises ``Invalid`` (field = the item's key) for anything the item cannot take."""
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    mode = item.mode
    if mode in (Mode.YES_NO, Mode.CRITICAL):
        word = text.casefold()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise Invalid(_l("Answer yes or no."), item.key)
    if mode is Mode.SCALE:
        for level in item.scale:
            if level.label == text or level.label.casefold() == text.casefold():
                return level.label
        labels = "、".join(level.label for level in item.scale)
        raise Invalid(_l("Choose one of: %(levels)s.", levels=labels), item.key)
    if mode is Mode.DEDUCTION:
        count = whole_number(text, 0, MAX_OCCURRENCES)
        if count is None:
            raise Invalid(
                _l(
                    "Enter how many times, a whole number from 0 to %(most)d.", most=MAX_OCCURRENCES
                ),
                item.key,
            )
        return str(count)
    return _points(item, text)


def _points(item: Item, text: str) -> str:
    number = finite_decimal(text)
    top = item.max or Decimal(0)
    if number is None or number < 0 or number > top:
        raise Invalid(_l("Enter a number from 0 to %(max)s.", max=_plain(top)), item.key)
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid(_l("At most two decimals."), item.key)
    return _plain(number)


def _plain(number: Decimal) -> str:
    """8.50 → "8.5", 10 → "10", without an exponent."""
    text = format(number.normalize(), "f")
    return text


def engine_value(item: Item, stored: Stored) -> Decimal | int | bool | str:
    """What the engine reads for a stored value (never None: callers skip empty values)."""
    return converter(item.mode)(stored)


def shown(item: Item, stored: Stored) -> str:
    """A stored value as a form field or a spreadsheet cell shows it."""
    if stored is None:
        return ""
    if stored is True:
        return "yes"
    if stored is False:
        return "no"
    return str(stored)


def parse_all(items: Iterable[Item], raw: Mapping[str, Any]) -> dict[str, Stored]:
    """Every given item's stored value; all problems at once (``Invalid.many``)."""
    values: dict[str, Stored] = {}
    errors: dict[str, list[Any]] = {}
    for item in items:
        if item.key not in raw:
            continue
        try:
            values[item.key] = parse(item, raw[item.key])
        except Invalid as problem:
            errors.setdefault(item.key, []).append(problem.message)
    if errors:
        raise Invalid.many(errors)
    return values


def sheet_ratings(
    items: Mapping[str, Item], source: str, rater: str, values: Mapping[str, Any]
) -> list[Rating]:
    """A sheet's values as the engine's ratings; keys the scheme no longer rates are skipped
    (a sheet keeps what was typed, the version decides what counts)."""
    ratings = []
    for key, stored in values.items():
        item = items.get(key)
        if item is not None and stored is not None:
            ratings.append(Rating(key, source, rater, engine_value(item, stored)))
    return ratings
