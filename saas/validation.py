"""Input rules shared by forms, the CLI and services, and the one error a service raises for
input that breaks a rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# Deliberately loose: one @, no spaces, a dot in the domain. Delivery proves the rest.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
