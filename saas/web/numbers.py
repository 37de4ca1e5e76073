"""Decimals as pages show them, never through float: 120, 33.33, 0.5; percentages to two
decimals, rounded half-up. Registered as the Jinja filters ``num`` and ``percent``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Flask


def plain(value: Any) -> str:
    """A decimal as people write it: no trailing zeros, no exponent."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return format(value.normalize(), "f")


def percent(value: Any) -> str:
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def init_numbers(app: Flask) -> None:
    app.jinja_env.filters["num"] = plain
    app.jinja_env.filters["percent"] = percent
