"""The bounded child process: whatever a function does with its input, the caller gets an
answer or SandboxFailed, and the caller's own memory does not grow."""

from __future__ import annotations

import pytest

from saas.signing.sandbox import Limits, SandboxFailed, run_limited
from tests import sandbox_probes as probes
from tests.memory import peak_growth

LIMITS = Limits(memory_bytes=128 * 1024 * 1024, cpu_seconds=1, wall_seconds=5)


def test_an_answer_comes_back():
    assert run_limited(probes.add, 2, 3, limits=LIMITS) == 5


def test_memory_past_the_limit_fails_in_the_child_not_here():
    with peak_growth() as grown, pytest.raises(SandboxFailed) as failed:
        run_limited(probes.allocate, 1024 * 1024 * 1024, limits=LIMITS)
    assert failed.value.reason == "memory"
    assert grown[0] < 32, f"the caller grew by {grown[0]:.0f} MB"
    # Below the limit the same function works: the limit, not the function, stopped it.
    assert run_limited(probes.allocate, 16 * 1024 * 1024, limits=LIMITS) == 16 * 1024 * 1024


def test_a_cpu_bound_loop_is_killed_at_the_cpu_limit():
    with pytest.raises(SandboxFailed) as failed:
        run_limited(probes.spin, limits=LIMITS)
    assert failed.value.reason == "killed"


def test_a_child_that_does_not_answer_is_killed_at_the_wall_clock_limit():
    # Sleeping costs no CPU, so only the wall clock can stop it.
    limits = Limits(memory_bytes=LIMITS.memory_bytes, cpu_seconds=60, wall_seconds=0.5)
    with pytest.raises(SandboxFailed) as failed:
        run_limited(probes.sleep, 60, limits=limits)
    assert failed.value.reason == "time"


def test_an_exception_in_the_child_is_a_failure_not_a_crash_here():
    with pytest.raises(SandboxFailed) as failed:
        run_limited(probes.fail, limits=LIMITS)
    assert failed.value.reason == "error"
