"""The one way work is queued: a job kind, a tenant slug and ids, through :func:`enqueue`.

Every caller (pages, the CLI, other jobs) names a :class:`JobKind`; the kind says which
function runs (by dotted path, so queueing imports no job module and no job code runs in the
web process) and which policy of workers/defaults.py sets its timeout, retries and TTLs.

Idempotency key: the job id is derived from (queue, kind, tenant slug, key ids). While a job
with that id is queued, running or waiting for a retry, queueing the same work again returns
that job instead of a second one. Once it has finished or failed, the same work may be queued
afresh (a re-check, a re-sent link). RQ's ``unique=True`` makes the write itself atomic (it
refuses an id that exists); the short Redis lock around look-up, clean-up and write keeps two
web processes from replacing each other's job at the same instant.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from saas.config import Settings
from workers import defaults
from workers.defaults import JobPolicy
from workers.queues import job_queue, redis_connection


@dataclass(frozen=True)
class JobKind:
    name: str  # stored in job.meta["kind"]; the progress fragment words its result by it
    function: str  # dotted path of the job function, imported by the worker only
    policy: JobPolicy = defaults.STANDARD


IMPORT_CHECK = JobKind("import_check", "workers.jobs.imports.check_import")
IMPORT_COMMIT = JobKind("import_commit", "workers.jobs.imports.commit_import")
SAMPLE_STATEMENT = JobKind("sample_statement", "workers.jobs.statements.generate_sample_statement")
ACCOUNT_MAIL = JobKind("account_mail", "workers.jobs.mail.send_account_mail", defaults.MAIL)
SETUP_SHEET = JobKind("setup_sheet", "workers.jobs.accounts.print_setup_sheet")
SCORING_RUN = JobKind("scoring_run", "workers.jobs.scoring.score_cycle", defaults.SCORING)
FEEDBACK_CARDS = JobKind("feedback_cards", "workers.jobs.feedback.print_feedback_cards")
INSPECTION_REPORT = JobKind(
    "inspection_report", "workers.jobs.inspections.render_inspection_report"
)

KINDS = (
    IMPORT_CHECK,
    IMPORT_COMMIT,
    SAMPLE_STATEMENT,
    ACCOUNT_MAIL,
    SETUP_SHEET,
    SCORING_RUN,
    FEEDBACK_CARDS,
    INSPECTION_REPORT,
)

# States in which the work is still to happen: queueing it again would run it twice.
PENDING = frozenset({JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED})
_LOCK_SECONDS = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def job_id(queue_name: str, kind: JobKind, slug: str, key: Sequence[int | str]) -> str:
    """The idempotency key as an RQ job id: readable kind and slug, then a digest of the whole
    key (so slugs with dashes can never make two different keys collide)."""
    exact = json.dumps([queue_name, kind.name, slug, [str(part) for part in key]])
    digest = hashlib.sha256(exact.encode()).hexdigest()[:24]
    return f"{kind.name}-{_UNSAFE.sub('', slug)[:40]}-{digest}"


def _fetch(job_id: str, connection: Redis) -> Job | None:
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None


def enqueue(
    kind: JobKind,
    slug: str,
    *args: int | str,
    settings: Settings,
    connection: Redis | None = None,
    key: Sequence[int | str] | None = None,
    user_id: int | None = None,
) -> Job:
    """Queue ``kind`` for tenant ``slug`` with ``args``, or return the same work already pending.

    ``key`` is the ids that identify the work (default: all of ``args``); ``user_id`` is who
    asked, the only user who may follow the job's progress.
    """
    connection = connection or redis_connection(settings)
    identity = job_id(settings.queue_name, kind, slug, args if key is None else key)
    policy = kind.policy
    with connection.lock(f"kaohe:enqueue:{identity}", timeout=_LOCK_SECONDS):
        existing = _fetch(identity, connection)
        if existing is not None:
            if existing.get_status(refresh=False) in PENDING:
                return existing
            existing.delete()  # done or failed earlier: this is a new request for the work
        try:
            return job_queue(settings, connection).enqueue(
                kind.function,
                slug,
                *args,
                job_id=identity,
                unique=True,
                description=f"{kind.name} {slug} {list(args)}",
                meta={"tenant": slug, "user_id": user_id, "kind": kind.name, "progress": 0},
                job_timeout=policy.timeout,
                retry=Retry(max=policy.retries, interval=list(policy.retry_intervals))
                if policy.retries
                else None,
                result_ttl=policy.result_ttl,
                failure_ttl=policy.failure_ttl,
            )
        except DuplicateJobError:  # queued by a caller that did not take the lock
            return Job.fetch(identity, connection=connection)
