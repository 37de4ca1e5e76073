"""Queue a job for the current tenant user, and find it again only for that user.

Pages queue through :func:`start_job`, a thin wrapper over the one enqueue path
(workers/enqueue.py) that fills in the tenant, the user, the settings and Redis of this app.
Every job records its tenant and user in ``job.meta``; a job id from another tenant or
another user is treated as unknown, so guessing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, g
from rq.exceptions import NoSuchJobError
from rq.job import Job

from workers.enqueue import JobKind, enqueue


def start_job(
    kind: JobKind,
    *args: int | str,
    key: Sequence[int | str] | None = None,
    user_id: int | None = None,
) -> Job:
    """Queue ``kind`` for this request's tenant. ``user_id`` is the user who may follow its
    progress; None when nobody may (a mail, a forgotten-password request)."""
    return enqueue(
        kind,
        g.tenant.slug,
        *args,
        key=key,
        user_id=user_id,
        settings=current_app.extensions["kaohe.settings"],
        connection=current_app.extensions["kaohe.redis"],
    )


def find_job(job_id: str, slug: str, user_id: int) -> Job | None:
    try:
        job = Job.fetch(job_id, connection=current_app.extensions["kaohe.redis"])
    except (NoSuchJobError, ValueError):
        return None
    if job.meta.get("tenant") != slug or job.meta.get("user_id") != user_id:
        return None
    return job
