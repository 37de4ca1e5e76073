"""The deployment-wide semaphore in a real Redis: a limit shared by every holder, slots given
back, a dead holder's slot freed in time, and "busy" when Redis cannot be asked."""

from __future__ import annotations

import secrets
import time

import pytest
from redis import Redis

from saas.semaphore import Busy, Semaphore


@pytest.fixture
def redis(settings):
    client = Redis.from_url(settings.redis_url)
    yield client
    client.close()


def _semaphore(redis, key: str, limit: int = 2, hold: float = 30.0) -> Semaphore:
    return Semaphore(redis, key, limit, hold)


def test_no_more_than_the_limit_hold_slots_whoever_asks(redis):
    key = f"kaohe-test:slots:{secrets.token_hex(4)}"
    # Two objects on one key stand for two web processes.
    first, second = _semaphore(redis, key), _semaphore(redis, key)
    with first.slot(), second.slot():
        with pytest.raises(Busy), first.slot():
            pass
        assert redis.zcard(key) == 2
    with first.slot(), second.slot():  # both were given back
        pass


def test_a_slot_is_given_back_when_the_work_fails(redis):
    semaphore = _semaphore(redis, f"kaohe-test:slots:{secrets.token_hex(4)}", limit=1)
    with pytest.raises(ValueError), semaphore.slot():
        raise ValueError("the work failed")
    with semaphore.slot():
        pass


def test_a_slot_whose_holder_died_frees_itself(redis):
    key = f"kaohe-test:slots:{secrets.token_hex(4)}"
    semaphore = _semaphore(redis, key, limit=1, hold=0.5)
    held = semaphore.slot()
    held.__enter__()  # a holder that never gives the slot back (its process was killed)
    with pytest.raises(Busy), semaphore.slot():
        pass
    time.sleep(0.6)
    with semaphore.slot():
        pass


def test_without_redis_everyone_is_told_busy():
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    with pytest.raises(Busy), _semaphore(unreachable, "kaohe-test:slots:none").slot():
        pass
