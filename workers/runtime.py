"""The job runtime: what every job starts with (settings, a database, the tenant it works
for) and the frame every job function runs in.

Each job receives a tenant slug and ids, never a schema name, a session or an app: it resolves
the tenant through the same resolver as web requests and refuses to run for one that is
missing or suspended, before touching any data.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Concatenate, ParamSpec, TypeVar

from rq import get_current_job

import saas.audit  # noqa: F401  (the append-only guard on audit rows, in workers too)
from saas.config import Settings, load_settings
from tenants.db import Database
from tenants.resolver import TenantNotFound, TenantRecord, TenantResolver, TenantSuspended
from workers.progress import report

P = ParamSpec("P")
R = TypeVar("R")


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


def tenant_job(func: Callable[Concatenate[JobContext, P], R]) -> Callable[Concatenate[str, P], R]:
    """Turn ``func(ctx, *ids)`` into the job ``job(slug, *ids)`` that RQ runs.

    The tenant is resolved first: a missing or suspended one fails the job at once, without
    the kind's retries (a retry seconds later finds it just as unavailable, and a resumed
    tenant's users queue the work again). Progress starts at 0 and ends at 100 in ``job.meta``.
    """

    @functools.wraps(func)
    def run(slug: str, *args: P.args, **kwargs: P.kwargs) -> R:
        report(0, "queued")
        try:
            ctx = tenant_context(slug)
        except TenantUnavailable:
            _give_up_without_retrying()
            raise
        result = func(ctx, *args, **kwargs)
        report(100, "done")
        return result

    return run


def _give_up_without_retrying() -> None:
    # RQ decides on a retry from the running Job object's retries_left, after the job raised;
    # get_current_job() is that very object inside the work horse.
    job = get_current_job()
    if job is not None:
        job.retries_left = 0
