"""Test-only job functions, imported by the real worker process by their dotted path.

They run in the same runtime as Kaohe's jobs (``tenant_job``: tenant resolved through the
shared resolver, progress in ``job.meta``) and leave evidence in Redis for the tests to read.
"""

from __future__ import annotations

import os
import sys
import time

from redis import Redis
from sqlalchemy import func, select

from saas.models.user import User
from workers.enqueue import JobKind
from workers.progress import report
from workers.runtime import JobContext, tenant_job


def _redis(ctx: JobContext) -> Redis:
    return Redis.from_url(ctx.settings.redis_url)


@tenant_job
def where_am_i(ctx: JobContext) -> dict[str, object]:
    """What the worker process holds: no Flask app, no web layer; and the tenant's own rows."""
    with ctx.db.tenant(ctx.schema) as session:
        users = session.scalar(select(func.count()).select_from(User))
    loaded = sys.modules
    return {
        "saas.app": "saas.app" in loaded,
        "flask": "flask" in loaded,
        "saas.web": any(name.startswith("saas.web") for name in loaded),
        "pid": os.getpid(),
        "tenant": ctx.tenant.slug,
        "users": users,
    }


@tenant_job
def count_and_wait(ctx: JobContext, counter: str, gate: str) -> int:
    """Count this run, report 50 %, then wait until the test opens ``gate``."""
    redis = _redis(ctx)
    runs = redis.incr(counter)
    report(50, "waiting")
    deadline = time.monotonic() + 30
    while not redis.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    return int(runs)


@tenant_job
def fail_first_time(ctx: JobContext, counter: str) -> int:
    runs = int(_redis(ctx).incr(counter))
    if runs == 1:
        raise RuntimeError("a transient fault on the first attempt")
    return runs


@tenant_job
def sleep_for(ctx: JobContext, seconds: int) -> None:
    time.sleep(seconds)


WHERE_AM_I = JobKind("probe_where", "tests.job_probes.where_am_i")
COUNT_AND_WAIT = JobKind("probe_count", "tests.job_probes.count_and_wait")
