"""The worker entry point behind `kaohe worker`: RQ's worker on Kaohe's queue, no Flask app."""

from __future__ import annotations

import logging

from rq import Worker

from saas.config import Settings
from workers.defaults import WORKER_TTL_SECONDS
from workers.queues import job_queue, redis_connection


def _preload() -> None:
    # Imported once in the parent: each forked job then starts with WeasyPrint, its fonts,
    # pyHanko and the job modules already loaded instead of paying for them per job.
    import saas.models
    import saas.signing.pdf  # noqa: F401
    import workers.jobs.imports
    import workers.jobs.mail
    import workers.jobs.scoring
    import workers.jobs.statements  # noqa: F401


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _preload()
    connection = redis_connection(settings)
    worker = Worker(
        [job_queue(settings, connection)], connection=connection, worker_ttl=WORKER_TTL_SECONDS
    )
    return worker.work(burst=burst, with_scheduler=True)
