"""What every job starts with: settings, a database, and the tenant it works for.

Each job receives a tenant slug, never a schema name or a session: it resolves the tenant
itself and refuses to run for one that is missing or suspended.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import saas.audit  # noqa: F401  (the append-only guard on audit rows, in workers too)
from saas.config import Settings, load_settings
from tenants.db import Database
from tenants.resolver import TenantNotFound, TenantRecord, TenantResolver, TenantSuspended


class TenantUnavailable(RuntimeError):
    """The job's tenant does not exist or is suspended; the job must not touch its data."""


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    tenant: TenantRecord

    @property
    def schema(self) -> str:
        return self.tenant.schema


@cache
def _database(pid: int, url: str, pooler: str | None) -> Database:
    # Keyed by pid: a forked work horse must never reuse its parent's pooled connections.
    return Database(url, pooler=pooler, pool_size=2, max_overflow=2)


@cache
def _resolver(pid: int, url: str, pooler: str | None) -> TenantResolver:
    return TenantResolver(_database(pid, url, pooler))


def process_database(settings: Settings) -> Database:
    """This process's engine for the configured database."""
    return _database(os.getpid(), settings.database_url, settings.db_pooler)


def tenant_context(slug: str, settings: Settings | None = None) -> JobContext:
    """Resolve the job's tenant, or raise TenantUnavailable saying why."""
    settings = settings or load_settings()
    try:
        tenant = _resolver(os.getpid(), settings.database_url, settings.db_pooler).resolve(slug)
    except TenantNotFound as exc:
        raise TenantUnavailable(f"tenant {slug!r} does not exist") from exc
    except TenantSuspended as exc:
        raise TenantUnavailable(f"tenant {slug!r} is suspended") from exc
    return JobContext(settings, process_database(settings), tenant)
