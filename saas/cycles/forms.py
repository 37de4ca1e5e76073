"""What the cycle forms send, read into the values the services take. The forms are plain
HTML (CSRF is checked for every POST by the app); the services check the rules and their
``Invalid`` messages go back beside these fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from saas.validation import Invalid, Problems, record_id, whole_number

TEXT_LIMIT = 1000


def _date(value: str | None, name: str) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(_l("Give a date such as 2026-10-10."), name) from None
    if not 2000 <= day.year <= 2100:
        raise Invalid(_l("Give a date such as 2026-10-10."), name)
    return day


def _count(value: str | None, name: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    number = whole_number(text, 0, 1000)
    if number is None:
        raise Invalid(_l("Give a whole number."), name)
    return number


@dataclass(frozen=True)
class NewCycle:
    version_id: int | None
    period: str
    name: str
    rating_due: dt.date | None
    peer_count: int | None

    @classmethod
    def read(cls, form: Mapping[str, str]) -> NewCycle:
        """The form's values; raises Invalid naming every field that is not even well-formed."""
        problems = Problems()
        due = problems.check(_date, form.get("rating_due"), "rating_due")
        peers = problems.check(_count, form.get("peer_count"), "peer_count")
        problems.raise_any()
        return cls(
            version_id=record_id(form.get("version_id")),
            period=(form.get("period") or "")[:40],
            name=(form.get("name") or "")[:TEXT_LIMIT],
            rating_due=due,
            peer_count=peers,
        )


@dataclass(frozen=True)
class CycleSettings:
    name: str
    rating_due: dt.date | None
    peer_count: int | None

    @classmethod
    def read(cls, form: Mapping[str, str]) -> CycleSettings:
        """The settings form's values; raises Invalid naming every field not well-formed."""
        problems = Problems()
        due = problems.check(_date, form.get("rating_due"), "rating_due")
        peers = problems.check(_count, form.get("peer_count"), "peer_count")
        problems.raise_any()
        return cls(name=(form.get("name") or "")[:TEXT_LIMIT], rating_due=due, peer_count=peers)


def text(form: Mapping[str, str], name: str) -> str:
    """A text field, cut to a length no field of the area accepts (the service says so)."""
    return (form.get(name) or "")[: TEXT_LIMIT + 1]


def values_of(form: Mapping[str, Any]) -> dict[str, str]:
    """What was typed, to show again beside the errors."""
    return {key: str(value)[:TEXT_LIMIT] for key, value in form.items() if key != "csrf_token"}
