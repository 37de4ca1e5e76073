"""Which tenant a slug names: the one lookup web requests and jobs both go through.

The registry row is cached in each process for at most ``CACHE_SECONDS``: a page does not pay
a registry query, yet a suspension, resumption or drop made by any process (the platform
pages, the CLI) takes effect on every web and worker process within a second.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tenants.db import Database
from tenants.registry import Tenant, TenantStatus, find_tenant
from tenants.slugs import InvalidSlug, schema_for, validate_slug

# Below one second, so that a status change is seen everywhere within one.
CACHE_SECONDS = 0.5

# Every resolver of this process, so that a change made here is seen here at once.
_RESOLVERS: weakref.WeakSet[TenantResolver] = weakref.WeakSet()


class TenantNotFound(LookupError):
    """No tenant has this slug (or the slug is not a valid one)."""


class TenantSuspended(RuntimeError):
    """The tenant exists but is suspended: nobody may use its data, web or job."""


@dataclass(frozen=True)
class TenantRecord:
    """A registry row as the rest of Kaohe sees it: a read-only value, safe to share."""

    id: int
    slug: str
    name: str
    status: str
    plan: str
    seat_limit: int
    locale: str
    time_zone: str

    @property
    def schema(self) -> str:
        return schema_for(self.slug)

    @property
    def is_suspended(self) -> bool:
        return self.status == TenantStatus.SUSPENDED

    @classmethod
    def of(cls, row: Tenant) -> TenantRecord:
        return cls(
            row.id,
            row.slug,
            row.name,
            row.status,
            row.plan,
            row.seat_limit,
            row.locale,
            row.time_zone,
        )


class TenantResolver:
    """Resolves slugs against one database, with the short-lived per-process cache."""

    def __init__(self, db: Database, cache_seconds: float = CACHE_SECONDS) -> None:
        self._db = db
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, TenantRecord | None]] = {}
        self._lock = threading.Lock()
        _RESOLVERS.add(self)

    def find(self, slug: str, session: Callable[[], Session] | None = None) -> TenantRecord | None:
        """The tenant with this slug, suspended or not; None if there is none.

        ``session`` gives the caller's session to read the registry with when the cache has
        no fresh row (a web request reads it in its own transaction: no second connection);
        without it, the resolver opens a short transaction of its own.
        """
        try:
            validate_slug(slug)
        except InvalidSlug:
            return None
        now = time.monotonic()
        cached = self._cache.get(slug)
        if cached is not None and cached[0] > now:
            return cached[1]
        if session is not None:
            record = self._read(session(), slug)
        else:
            with self._db.public() as own:
                record = self._read(own, slug)
        with self._lock:
            self._cache[slug] = (now + self._cache_seconds, record)
        return record

    @staticmethod
    def _read(session: Session, slug: str) -> TenantRecord | None:
        row = find_tenant(session, slug)
        return None if row is None else TenantRecord.of(row)

    def resolve(self, slug: str) -> TenantRecord:
        """The usable tenant with this slug, or TenantNotFound / TenantSuspended."""
        record = self.find(slug)
        if record is None:
            raise TenantNotFound(slug)
        if record.is_suspended:
            raise TenantSuspended(slug)
        return record

    def forget(self, slug: str | None = None) -> None:
        """Drop the cached row (or all rows): this process sees a change at once."""
        with self._lock:
            if slug is None:
                self._cache.clear()
            else:
                self._cache.pop(slug, None)


def forget_in_this_process(slug: str) -> None:
    """Called after a status change or a drop: this process stops using the old row now;
    the others do within ``CACHE_SECONDS``."""
    for resolver in list(_RESOLVERS):
        resolver.forget(slug)
