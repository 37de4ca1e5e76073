"""Reading the tenant's audit log: filters, pages, and the fields each entry changed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from saas.models.audit import AuditEntry, PlatformAuditEntry

PAGE_SIZE = 50
# The tenant's log (in its schema) or the platform's (in the public schema): the same columns.
Log = type[AuditEntry] | type[PlatformAuditEntry]


@dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    action: str | None = None
    date_from: dt.date | None = None  # inclusive, in the tenant's time zone
    date_to: dt.date | None = None  # inclusive, in the tenant's time zone
    page: int = 1


def day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Midnight at the start of ``day`` in ``zone``, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def clauses(query: AuditQuery, zone: ZoneInfo, log: Log = AuditEntry) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.actor:
        where.append(log.actor == query.actor)
    if query.record_type:
        where.append(log.record_type == query.record_type)
    if query.record_id:
        where.append(log.record_id == query.record_id)
    if query.action:
        where.append(log.action == query.action)
    if query.date_from:
        where.append(log.at >= day_start(query.date_from, zone))
    if query.date_to:
        where.append(log.at < day_start(query.date_to + dt.timedelta(days=1), zone))
    return where


_MISSING = object()


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any

    @property
    def added(self) -> bool:
        return self.before is _MISSING

    @property
    def removed(self) -> bool:
        return self.after is _MISSING


def _same(old: Any, new: Any) -> bool:
    """Equal, or both nothing (absent or empty), or the same number written two ways
    ("100.00" and "100")."""
    nothing = (None, "", _MISSING)
    if old == new or (old in nothing and new in nothing):
        return True
    # Only decimals: "0012" and "12" are two different codes.
    if isinstance(old, str) and isinstance(new, str) and "." in old + new:
        try:
            return Decimal(old) == Decimal(new)
        except (InvalidOperation, ValueError):
            return False
    return False


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields whose value differs between ``before`` and ``after``, in a stable order."""
    before, after = before or {}, after or {}
    fields = list(dict.fromkeys([*before, *after]))
    result = []
    for field in fields:
        old, new = before.get(field, _MISSING), after.get(field, _MISSING)
        if not _same(old, new):
            result.append(Change(field, old, new))
    return result


@dataclass(frozen=True)
class Row:
    entry: AuditEntry | PlatformAuditEntry
    changes: list[Change]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def has_older(self) -> bool:
        return self.number < self.pages


def search(session: Session, query: AuditQuery, zone: ZoneInfo, log: Log = AuditEntry) -> Page:
    """One page of matching entries, newest first."""
    where = clauses(query, zone, log)
    total = session.scalar(select(func.count()).select_from(log).where(*where))
    number = max(1, min(query.page, max(1, math.ceil(total / PAGE_SIZE))))
    entries = session.scalars(
        select(log)
        .where(*where)
        .order_by(log.at.desc(), log.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    )
    rows = [Row(entry, changes(entry.before, entry.after)) for entry in entries]
    return Page(rows, total, number)


@dataclass(frozen=True)
class Facets:
    """The values the filters offer: everyone who acted, every record type and action."""

    actors: list[str]
    record_types: list[str]
    actions: list[str]


def facets(session: Session, log: Log = AuditEntry) -> Facets:
    def distinct(column) -> list[str]:
        return list(session.scalars(select(column).distinct().order_by(column)))

    return Facets(distinct(log.actor), distinct(log.record_type), distinct(log.action))
