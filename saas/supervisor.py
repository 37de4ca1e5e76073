"""Run Kaohe's web server and RQ worker side by side for `kaohe up`, and stop them together.

Each child runs in its own session, so Ctrl-C in the terminal reaches only `kaohe up`, which
forwards exactly one signal per child. Left in the terminal's process group, the RQ worker would
get the terminal's SIGINT and then ours, and read the second one as "cold shutdown: kill the job".
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

# Signals that mean "stop everything": Ctrl-C, `kill`, and the terminal closing.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_INTERVAL = 0.1
_PR_SET_PDEATHSIG = 1
# Looked up before forking: the child may only do async-signal-safe work until exec.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    # Children live in their own session, so if `kaohe up` is SIGKILLed nothing else would stop
    # them, and an orphaned gunicorn would keep the port the next `kaohe up` needs.
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def run_processes(
    commands: Sequence[tuple[str, list[str]]],
    env: Mapping[str, str],
    on_ready: Callable[[], object] | None = None,
    *,
    stop_timeout: float = 30.0,
    log_dir: Path | None = None,
) -> int:
    """Start `commands` (name, argv), wait until told to stop or one of them exits, stop the rest.

    Contract for `kaohe up`: call after the embedded services are up, with `env` holding
    DATABASE_URL/REDIS_URL; stop the services in a `finally` after this returns, since every
    child has exited by then. Must be called from the main thread (it installs handlers for
    SIGINT, SIGTERM and SIGHUP and restores the old ones on return). `on_ready()` is called once
    every child has been spawned (not necessarily serving yet).

    On the first stop signal each child gets SIGTERM (gunicorn: graceful; RQ: warm shutdown,
    finishing the current job); on a second one, SIGINT (gunicorn: quick; RQ: cold). Whatever
    still runs `stop_timeout` seconds after the first signal (or at a third signal) is SIGKILLed
    with its process group. On Linux, children also get SIGTERM if `kaohe up` itself dies.
    Returns 0 after a requested stop; if a child exits on its own, the others are stopped and
    its exit status (at least 1; 128+N for death by signal N) is returned. Children write to the
    terminal, or to `log_dir/<name>.log` if `log_dir` is given. Raises OSError if a command
    cannot be started (the ones already started are stopped first).
    """
    received: list[int] = []
    previous = {}
    for sig in STOP_SIGNALS:
        previous[sig] = signal.signal(sig, lambda signum, _frame: received.append(signum))
    children: dict[str, subprocess.Popen] = {}
    logs: list[IO] = []
    try:
        for name, argv in commands:
            output = None
            if log_dir is not None:
                log_dir.mkdir(parents=True, exist_ok=True)
                output = (log_dir / f"{name}.log").open("ab")
                logs.append(output)
            children[name] = subprocess.Popen(
                argv,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        if on_ready is not None:
            on_ready()
        status = 0
        while not received:
            exited = next((n for n, p in children.items() if p.poll() is not None), None)
            if exited is not None:
                code = children[exited].returncode
                status = 128 - code if code < 0 else max(code, 1)
                log.warning("%s exited with status %d; stopping the others", exited, code)
                break
            time.sleep(POLL_INTERVAL)
        else:
            log.info("received %s; stopping", signal.Signals(received[0]).name)
        return status
    finally:
        try:
            _stop_children(children, received, stop_timeout)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for fh in logs:
                fh.close()


def _stop_children(
    children: dict[str, subprocess.Popen], received: list[int], stop_timeout: float
) -> None:
    # Signal only the child itself: gunicorn's master and RQ's worker then stop their own
    # workers and work horses in order, rather than all of them dying at once.
    _signal_running(children, signal.SIGTERM)
    seen = len(received)
    escalated = False
    deadline = time.monotonic() + stop_timeout
    while any(p.poll() is None for p in children.values()):
        if not escalated and len(received) > seen:
            log.warning("second stop signal; asking for a quick shutdown")
            _signal_running(children, signal.SIGINT)
            escalated = True
        if time.monotonic() > deadline or len(received) > seen + 1:
            break
        time.sleep(POLL_INTERVAL)
    for name, proc in children.items():
        if proc.poll() is None:
            log.warning("%s is still running; killing it", name)
        # The group also holds gunicorn workers or an RQ work horse that outlived their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _signal_running(children: dict[str, subprocess.Popen], sig: int) -> None:
    for proc in children.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
