"""Functions the sandbox tests run in a bounded child (the child imports them by name)."""

from __future__ import annotations

import time


def add(a: int, b: int) -> int:
    return a + b


def allocate(size: int) -> int:
    return len(bytearray(size))


def spin() -> None:
    while True:
        pass


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def fail() -> None:
    raise ValueError("a probe that fails")
