"""Run a function on untrusted input in a child process bounded in memory, CPU and time.

A hostile file can make a parser allocate gigabytes or loop for minutes. Run in the web
worker, that takes the worker (and the requests it serves) down with it; run here, it only
costs a child that the kernel stops at its limits:

- memory: ``RLIMIT_AS`` at the child's size when it starts plus ``Limits.memory_bytes``, so an
  allocation past it fails (``MemoryError``) instead of growing the machine's memory use;
- CPU: ``RLIMIT_CPU``, after which the kernel kills the child (SIGXCPU, then SIGKILL);
- time: the parent waits ``Limits.wall_seconds`` for the answer, then kills the child.

The child is a fork of the calling process (multiprocessing's "fork" start method): it starts
with everything already imported, in about 30 ms, and its allocations are its own, gone when
it ends. Nothing is pickled on the way in. The child only runs ``function`` and leaves through
``os._exit``, so it never touches the parent's database or Redis connections. (A fork server
was tried: its children re-import the parent's ``__main__`` script, which costs seconds and
runs whatever that script does.)
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

_FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Limits:
    memory_bytes: int  # what the child may allocate beyond what it starts with
    cpu_seconds: int
    wall_seconds: float


class SandboxFailed(RuntimeError):
    """The child was stopped at a limit, or died, before it answered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _address_space() -> int:
    """The calling process's virtual memory size, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_self(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed child leaves no core file
    memory = _address_space() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))


def _child(answer: Connection, limits: Limits, function: Callable[..., Any], args: tuple) -> None:
    _limit_self(limits)
    try:
        answer.send(("done", function(*args)))
    except MemoryError:
        answer.send(("memory", None))
    except Exception:
        answer.send(("error", None))
    finally:
        answer.close()


def run_limited(function: Callable[..., T], *args: Any, limits: Limits) -> T:
    """``function(*args)`` in a bounded child; its return value must pickle.

    Raises ``SandboxFailed`` when the child ran out of memory, CPU or time, or died.
    """
    receive, send = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_child, args=(send, limits, function, args), daemon=True)
    try:
        child.start()
    except BaseException:
        receive.close()
        raise
    finally:
        send.close()  # the child holds its own copy: EOF here once it is gone
    try:
        if not receive.poll(limits.wall_seconds):
            raise SandboxFailed("time")
        try:
            outcome, value = receive.recv()
        except EOFError:
            raise SandboxFailed("killed") from None  # CPU limit, or a crash
        if outcome != "done":
            raise SandboxFailed(outcome)
        return value
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receive.close()
