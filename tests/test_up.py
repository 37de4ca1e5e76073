"""`kaohe up` on a machine with nothing configured: embedded servers, web, worker, demo."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            status, body = fetch(url)
        except OSError:
            time.sleep(0.5)
            continue
        if status == 200:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200:\n{log.read_text()}")


def run_up(workdir: Path, port: int) -> tuple[subprocess.Popen, Path]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["KAOHE_INSTANCE"] = str(workdir / "instance")
    log = workdir / f"up-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "saas.cli", "up", "--bind", f"127.0.0.1:{port}"],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, log


def stop(process: subprocess.Popen, log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def workdir():
    # Not pytest's tmp_path: see the note in conftest.servers.
    path = Path(tempfile.mkdtemp(prefix="kaohe-up-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_up_serves_login_and_health_then_stops_cleanly_and_keeps_data(workdir):
    port = free_port()
    process, log = run_up(workdir, port)
    try:
        login_page = wait_for(f"http://127.0.0.1:{port}/t/demo/login", process, log)
        assert "csrf_token" in login_page
        health = json.loads(wait_for(f"http://127.0.0.1:{port}/healthz", process, log))
        assert health["database"]["ok"] and health["redis"]["ok"] and health["worker"]["ok"]
        output = log.read_text()
        assert "admin@demo.kaohe.local" in output and "/t/demo/login" in output
    finally:
        stop(process, log)
    instance = workdir / "instance"
    pids = [int(p.read_text().split()[0]) for p in instance.rglob("*.pid") if p.read_text().strip()]
    assert not [pid for pid in pids if pid_alive(pid)], "embedded servers left running"
    password = json.loads((instance / "demo-admin.json").read_text())["password"]

    again, log = run_up(workdir, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/t/demo/login", again, log)
        assert password in log.read_text()  # the same demo tenant and login, not a new one
        assert "Created tenant" not in log.read_text()
    finally:
        stop(again, log)
