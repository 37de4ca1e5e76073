"""What one area tells the audit log about the rows it writes: the words for its actions, its
record types, their fields and their values, and how to find a record's name.

Each area declares one ``Words`` in ``saas/<area>/audit_words.py``; ``saas/audit/labels.py``
joins them into the one registry the log pages read, and a test checks that every action the
code writes has its words there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.validation import record_ids

# How a stored value is shown, beyond the words of ``Record.values`` and ``Record.references``.
DATE = "date"  # an ISO date, in the reader's language
MOMENT = "moment"  # an ISO timestamp, in the tenant's time zone
HASH = "hash"  # a long digest, shortened
COUNT = "count"  # a list of ids, as how many there are

# (session, ids as stored in the log) -> {id: name}; one query for every id of a page.
NameLoader = Callable[[Session, Collection[str]], Mapping[str, str]]
# (value, the row's other fields) -> text; the fields tell what a value means where it varies.
Formatter = Callable[[Any, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Record:
    """How the log shows one record type and the fields its rows hold."""

    label: Any
    fields: Mapping[str, Any] = field(default_factory=dict)
    # field -> stored value -> its word (statuses, kinds, roles, …)
    values: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    # field -> the record type whose id it holds, shown by that record's name
    references: Mapping[str, str] = field(default_factory=dict)
    # field -> DATE, MOMENT, HASH, COUNT or a function of the value
    formats: Mapping[str, str | Formatter] = field(default_factory=dict)
    # bookkeeping a reader does not need (paths, sort positions, ids beside their names)
    hidden: frozenset[str] = frozenset()
    # a record's name from its id, so "Unit #12" reads "Unit 综合办公室"
    names: NameLoader | None = None


@dataclass(frozen=True)
class Words:
    """One area's contribution: its actions and its record types."""

    actions: Mapping[str, Any] = field(default_factory=dict)
    records: Mapping[str, Record] = field(default_factory=dict)


def numeric_ids(ids: Collection[str]) -> set[int]:
    """The ids among ``ids`` that can be a row's integer key (the log stores ids as text)."""
    return set(record_ids(ids))


def names_by_id(session: Session, column_id, column_name, ids: Collection[str]) -> dict[str, str]:
    """``{id: name}`` read in one query; the loader most record types need."""
    wanted = numeric_ids(ids)
    if not wanted:
        return {}
    rows = session.execute(select(column_id, column_name).where(column_id.in_(wanted)))
    return {str(row[0]): str(row[1]) for row in rows}
