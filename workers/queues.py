"""The Redis connection and the RQ queue Kaohe's jobs go through."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from saas.config import Settings


def redis_connection(settings: Settings) -> Redis:
    return Redis.from_url(settings.redis_url)


def job_queue(settings: Settings, connection: Redis | None = None) -> Queue:
    return Queue(settings.queue_name, connection=connection or redis_connection(settings))
