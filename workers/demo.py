"""A demonstration job: counts in steps, reporting progress, then reads the tenant's schema.

It shows the whole path a real job takes: enqueued with a tenant slug, resolved by the
worker, progress in ``job.meta`` polled by the page, and a result read from the right schema.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from saas.models.user import User
from workers.progress import report
from workers.runtime import tenant_context


def count_in_steps(slug: str, steps: int = 10, pause: float = 0.2) -> dict:
    ctx = tenant_context(slug)
    for step in range(steps):
        report(100 * step // steps, f"{step}/{steps}")
        time.sleep(pause)
    with ctx.db.tenant(ctx.schema) as session:
        users = session.scalar(select(func.count()).select_from(User))
    report(100, "done")
    return {"tenant": ctx.tenant.slug, "steps": steps, "users": users}
