"""A stored rating value as the engine reads it (saas/rating/values.py says how values are
stored). Kept apart from ``values`` because scoring runs read sheets in the worker, which
needs no words; a value that is not what a sheet can hold (a damaged row) raises ValueError.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from saas.scoring.scheme import Mode


def converter(mode: Mode) -> Callable[[Any], Decimal | int | bool | str]:
    """How a stored value of an item rated in ``mode`` becomes what ``Rating.value`` holds."""
    if mode is Mode.DEDUCTION:
        return _count
    if mode is Mode.POINTS:
        return _decimal
    return _as_stored


def _count(stored: Any) -> int:
    if not isinstance(stored, str) or not stored.isascii() or not stored.isdigit():
        raise ValueError(stored)
    return int(stored)


def _decimal(stored: Any) -> Decimal:
    if not isinstance(stored, str):
        raise ValueError(stored)
    number = Decimal(stored)
    if not number.is_finite():
        raise ValueError(stored)
    return number


def _as_stored(stored: Any) -> bool | str:
    if not isinstance(stored, bool | str):
        raise ValueError(stored)
    return stored
