"""The embedded PostgreSQL and Redis behind `kaohe up`, and the process supervisor.

The embedded tests start real servers in a temporary instance folder and check that data
survives a restart and that nothing is left running afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import redis

from saas.embedded import EmbeddedError, start_postgres, start_redis
from saas.supervisor import run_processes


@pytest.fixture
def instance() -> Iterator[Path]:
    # Not tmp_path: every pytest session resets /tmp/pytest-of-<user> to 0700, so as root a
    # parallel session could lock the PostgreSQL user out of the data directory mid-test.
    root = Path(tempfile.mkdtemp(prefix="kaohe-embedded-"))
    yield root / "instance"
    shutil.rmtree(root, ignore_errors=True)


def _gone(pid: int) -> bool:
    # A zombie waiting for init to reap it counts as gone.
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pgrep(pattern: str) -> str:
    done = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, check=False)
    return done.stdout.strip()


@pytest.mark.slow
def test_postgres_keeps_data_across_restarts(instance: Path) -> None:
    first = start_postgres(instance)
    try:
        assert first.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        assert first.url.endswith("/kaohe")
        with psycopg.connect(_psycopg_url(first.url), autocommit=True) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            conn.execute("create table kept (note text)")
            conn.execute("insert into kept values ('考核 survives a restart')")
        with pytest.raises(EmbeddedError, match="already running"):
            start_postgres(instance)
    finally:
        first.stop()
    first.stop()  # stopping twice is harmless
    assert _gone(first.pid)
    assert not _listening(first.port)

    second = start_postgres(instance)
    try:
        assert second.port == first.port  # the persisted port was free, so it is reused
        with psycopg.connect(_psycopg_url(second.url)) as conn:
            assert conn.execute("select note from kept").fetchall() == [
                ("考核 survives a restart",)
            ]
    finally:
        second.stop()
    assert _gone(second.pid)
    assert _pgrep(str(instance / "pgdata")) == ""
    assert "database system is shut down" in (instance / "logs" / "postgres.log").read_text()


@pytest.mark.slow
def test_postgres_stops_a_server_orphaned_by_a_killed_run(instance: Path) -> None:
    # A child that starts the server and is then SIGKILLed, as `kill -9 kaohe up` would be.
    script = (
        "import os, sys; from pathlib import Path; from saas.embedded import start_postgres; "
        "s = start_postgres(Path(sys.argv[1])); print(s.pid, flush=True); os._exit(0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(instance)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    orphan = int(done.stdout.split()[-1])
    assert not _gone(orphan)
    service = start_postgres(instance)
    try:
        assert _gone(orphan)
        with psycopg.connect(_psycopg_url(service.url)) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        service.stop()
    assert _pgrep(str(instance / "pgdata")) == ""


@pytest.mark.slow
def test_redis_keeps_data_across_restarts(instance: Path) -> None:
    first = start_redis(instance)
    try:
        assert first.url == f"redis://127.0.0.1:{first.port}/0"
        client = redis.Redis.from_url(first.url)
        client.set("kaohe:test", "kept")
        client.close()
        with pytest.raises(EmbeddedError, match="already running"):
            start_redis(instance)
    finally:
        first.stop()
    assert _gone(first.pid)
    assert not _listening(first.port)

    second = start_redis(instance)
    try:
        assert second.port == first.port
        client = redis.Redis.from_url(second.url)
        assert client.get("kaohe:test") == b"kept"
        client.close()
    finally:
        second.stop()
    assert _gone(second.pid)
    assert not (instance / "run" / "redis.pid").exists()
    assert "ready to exit" in (instance / "logs" / "redis.log").read_text()


# --- supervisor: fast, plain Python children -------------------------------------------------

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_supervisor_stops_the_others_when_one_dies() -> None:
    started = time.monotonic()
    status = run_processes(
        [("web", SLEEPER), ("worker", [sys.executable, "-c", "raise SystemExit(3)"])],
        env=dict(os.environ),
    )
    assert status == 3
    assert time.monotonic() - started < 10


def test_supervisor_reports_a_clean_exit_as_failure() -> None:
    assert run_processes([("worker", [sys.executable, "-c", "pass"])], env=dict(os.environ)) == 1


def test_supervisor_forwards_sigterm_and_returns_zero(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (open(sys.argv[1], 'w').close(), sys.exit(0)))\n"
        "open(sys.argv[1] + '.ready', 'w').close()\n"
        "time.sleep(60)\n"
    )
    marker = tmp_path / "got-sigterm"

    def on_ready() -> None:
        _wait_for(Path(str(marker) + ".ready"))
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    status = run_processes(
        [("web", [sys.executable, "-c", script, str(marker)])],
        env=dict(os.environ),
        on_ready=on_ready,
    )
    assert status == 0
    assert marker.exists()
    assert signal.getsignal(signal.SIGTERM) is previous


def test_supervisor_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "open(sys.argv[1], 'w').close()\n"
        "time.sleep(60)\n"
    )

    def on_ready() -> None:
        _wait_for(ready)
        os.kill(os.getpid(), signal.SIGINT)

    started = time.monotonic()
    status = run_processes(
        [("stubborn", [sys.executable, "-c", script, str(ready)])],
        env=dict(os.environ),
        on_ready=on_ready,
        stop_timeout=0.5,
    )
    assert status == 0
    assert time.monotonic() - started < 10
    assert _pgrep(str(ready)) == ""


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux-only")
def test_supervisor_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = "import os, sys, time\nopen(sys.argv[1], 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    parent = (
        "import os, sys; from saas.supervisor import run_processes\n"
        "command = [sys.executable, '-c', sys.argv[1], sys.argv[2]]\n"
        "run_processes([('web', command)], dict(os.environ))\n"
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-c", parent, child, str(ready)], cwd=Path(__file__).resolve().parents[1]
    )
    try:
        _wait_for(ready)
        _wait_for_text(ready)
        pid = int(ready.read_text())
    finally:
        supervisor.kill()
        supervisor.wait()
    deadline = time.monotonic() + 10
    while not _gone(pid):
        assert time.monotonic() < deadline, "child outlived its killed supervisor"
        time.sleep(0.05)


def _wait_for_text(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.02)
