"""Enqueue a job for the current tenant user, and find it again only for that user.

Every job records its tenant and user in ``job.meta``; a job id from another tenant or
another user is treated as unknown, so guessing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from workers.queues import job_queue


def _settings():
    return current_app.extensions["kaohe.settings"]


def enqueue_for(slug: str, user_id: int, kind: str, func: Callable, *args) -> Job:
    queue = job_queue(_settings(), current_app.extensions["kaohe.redis"])
    return queue.enqueue(
        func,
        slug,
        *args,
        meta={"tenant": slug, "user_id": user_id, "kind": kind, "progress": 0},
        retry=Retry(max=2, interval=[1, 5]),
        job_timeout=600,
        result_ttl=24 * 3600,
        failure_ttl=24 * 3600,
    )


def find_job(job_id: str, slug: str, user_id: int) -> Job | None:
    try:
        job = Job.fetch(job_id, connection=current_app.extensions["kaohe.redis"])
    except (NoSuchJobError, ValueError):
        return None
    if job.meta.get("tenant") != slug or job.meta.get("user_id") != user_id:
        return None
    return job
