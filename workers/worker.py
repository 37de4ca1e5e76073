"""The worker entry point behind `kaohe worker`."""

from __future__ import annotations

import logging

from rq import Worker

from saas.config import Settings
from workers.queues import job_queue, redis_connection

# An idle RQ worker renews its heartbeat about every (ttl - 15) s; a short ttl lets /healthz
# tell a live idle worker from a dead one within two minutes.
WORKER_TTL_SECONDS = 60


def _preload() -> None:
    # Imported once in the parent: each forked job then starts with WeasyPrint, its fonts
    # and pyHanko already loaded instead of paying for them per job.
    import saas.models
    import saas.signing.pdf  # noqa: F401
    import workers.demo
    import workers.statements  # noqa: F401


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _preload()
    connection = redis_connection(settings)
    worker = Worker(
        [job_queue(settings, connection)], connection=connection, worker_ttl=WORKER_TTL_SECONDS
    )
    return worker.work(burst=burst, with_scheduler=True)
