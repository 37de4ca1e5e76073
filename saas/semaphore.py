"""A counting semaphore shared by every web process and host, kept in Redis.

It caps how many of one kind of costly work run at once across the whole deployment (two
gunicorn workers on each of several hosts still verify at most ``limit`` files together).
Whoever finds no free slot is told at once, so no request waits for another's work.

A slot is a member of a sorted set scored with the time it was taken. A holder that dies
without giving its slot back (a killed worker) loses it after ``hold_seconds``, which must
exceed the longest time a holder keeps one. Redis's own clock is used, so hosts whose clocks
differ agree. Taking a slot is one Lua script, so two processes never take the last one both.

Written by hand: the Redis semaphore packages on PyPI are small, rarely maintained, and most
are asyncio-only; this is the well-known sorted-set recipe in a dozen lines.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

_TAKE = """
redis.replicate_commands()
local now = redis.call('TIME')
local seconds = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', seconds - tonumber(ARGV[1]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], seconds, ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 1)
  return 1
end
return 0
"""


class Busy(Exception):
    """Every slot is taken (or Redis cannot be asked): try again shortly."""


@dataclass(frozen=True)
class Semaphore:
    redis: Redis
    key: str
    limit: int
    hold_seconds: float

    def _take(self, holder: str) -> bool:
        taken = self.redis.eval(_TAKE, 1, self.key, self.hold_seconds, self.limit, holder)
        return bool(taken)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the ``with`` block; raises ``Busy`` if none is free."""
        holder = secrets.token_hex(8)
        try:
            taken = self._take(holder)
        except RedisError as exc:
            raise Busy("the semaphore cannot be reached") from exc
        if not taken:
            raise Busy(self.key)
        try:
            yield
        finally:
            with suppress(RedisError):  # if Redis is gone, the slot frees itself in time
                self.redis.zrem(self.key, holder)
