"""What the engine scores for one subject: ratings, goal attainments and ledger events.

Values are already typed: a points item's rating is a ``Decimal`` (or ``int``), a yes/no or
critical item's a ``bool``, a scale item's the level's label, a deduction item's the number
of occurrences. ``saas.scoring.tryout`` reads the same shapes from a file.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple


class Validity(enum.StrEnum):
    """The decision on a ledger entry such as a complaint (有效 or not)."""

    VALID = "valid"
    INVALID = "invalid"
    PENDING = "pending"


class Rating(NamedTuple):
    """One rater's value for one item. A named tuple, not a dataclass: a cycle's scoring run
    makes one per item per sheet (900,000 for 10,000 people rated by three sources on 30
    items), and a tuple is made in one step."""

    item: str
    source: str
    rater: str
    value: Decimal | int | bool | str


@dataclass(frozen=True, slots=True)
class GoalAttainment:
    goal: str
    weight: Decimal
    attainment: Decimal  # percent of the target reached


@dataclass(frozen=True, slots=True)
class Event:
    event: str  # the rule's event type
    on: dt.date
    validity: Validity | None = None  # None: no decision was recorded
    ref: str = ""  # the ledger entry it comes from


@dataclass(frozen=True)
class SubjectInput:
    key: str
    ratings: tuple[Rating, ...] = ()
    goals: tuple[GoalAttainment, ...] = ()
    events: tuple[Event, ...] = ()
    # Why eligibility rules leave the subject out (empty: assessed).
    excluded_because: tuple[str, ...] = ()
