"""/verify under load: a genuine statement, hostile uploads, and both at once.

Starts Kaohe under gunicorn (2 workers, as `kaohe web` does) on a scratch database, makes a
signed sample statement, and sends uploads from a few client threads for a few seconds each:

- the serial behind the QR code (GET, no upload): the baseline every other rate is a share of;
- a real statement (~190 KB), read in the bounded child process;
- a 20 KB cross-reference-stream bomb (inflating to 20 MB), refused by the screening;
- a deep-nesting file and an object-stream bomb, which pass the screening and are read (and
  refused) in the child;
- an attack: hostile files from most threads while the rest verify the real statement, which
  shows how many honest uploads still get an answer and how many are told "busy" (503);
- the serial page while that attack goes on.

It prints requests/s, each rate as a share of the serial baseline, the answers' status codes,
and the web workers' largest resident size after each run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/verify.py
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import free_port, serve  # noqa: E402
from bench.screenshots import sample_statement, scratch_database  # noqa: E402
from saas.config import load_settings  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tests.statements import hostile_pdfs  # noqa: E402

THREADS = 6
SECONDS = 6.0
BOUNDARY = "kaohe-bench-boundary"


class Client:
    """One keep-alive connection with its own session cookie and CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", "/verify")
        response = self.connection.getresponse()
        page = response.read().decode()
        self.cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def body(self, data: bytes) -> bytes:
        return (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{self.token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="statement"; filename="statement.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )

    def send(self, method: str, path: str, body: bytes | None = None) -> int:
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0


@dataclass
class Load:
    """What one kind of request got during a run."""

    statuses: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


def _drive(client: Client, request: tuple, load: Load, until: float, lock) -> None:
    method, path, data = request
    body = None if data is None else client.body(data)
    while time.monotonic() < until:
        status = client.send(method, path, body)
        with lock:
            load.statuses[status] += 1


def run(clients: list[Client], requests: list[tuple]) -> list[Load]:
    """Each client sends its request (requests[i % len]) for SECONDS; one Load per request."""
    loads = [Load() for _ in requests]
    lock = threading.Lock()
    until = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=_drive,
            args=(client, requests[i % len(requests)], loads[i % len(requests)], until, lock),
        )
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return loads


def workers_rss_mb(server: subprocess.Popen) -> float:
    """The largest resident size among gunicorn's workers (not their verification children)."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == server.pid:
                status = (stat.parent / "status").read_text()
                sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
        except (OSError, AttributeError):
            continue  # a process that ended meanwhile
    return max(sizes, default=0) / 1024


def _line(label: str, load: Load, baseline: float) -> None:
    rate = load.count / SECONDS
    codes = " ".join(f"{code}×{n}" for code, n in sorted(load.statuses.items()))
    print(f"{label:<44} {rate:7.1f} req/s  {100 * rate / baseline:6.1f} % of serial   {codes}")


def main() -> int:
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        raise SystemExit("set DATABASE_URL and REDIS_URL (a scratch database is made and dropped)")
    with (
        tempfile.TemporaryDirectory(prefix="kaohe-bench-") as instance,
        scratch_database(database_url) as url,
    ):
        queue = f"kaohe-bench-{secrets.token_hex(4)}"
        settings = load_settings(
            database_url=url, redis_url=redis_url, instance=instance, queue_name=queue
        )
        db = Database(url)
        try:
            upgrade_all(db)
            tenant = create_tenant(
                db, settings, "bench-verify", "核验压测单位", "admin@bench.example.cn"
            )
            pdf, serial = sample_statement(settings, tenant)
        finally:
            db.dispose()
        env = dict(
            os.environ,
            DATABASE_URL=url,
            REDIS_URL=redis_url,
            KAOHE_INSTANCE=instance,
            KAOHE_QUEUE=queue,
            KAOHE_VERIFY_RATE_LIMIT="100000 per minute",
            PYTHONPATH=str(ROOT),
        )
        port = free_port()
        server = serve("saas.wsgi:app", port, env, ROOT)
        try:
            return measure(server, port, pdf, serial)
        finally:
            server.terminate()
            server.wait()


def measure(server: subprocess.Popen, port: int, pdf: bytes, serial: str) -> int:
    clients = [Client(port) for _ in range(THREADS)]
    serial_get = ("GET", f"/verify?serial={serial}", None)
    genuine = ("POST", "/verify", pdf)
    bomb = ("POST", "/verify", hostile_pdfs.xref_stream_bomb())
    nesting = ("POST", "/verify", hostile_pdfs.deep_nesting())
    objstm = ("POST", "/verify", hostile_pdfs.object_stream_bomb())
    run(clients[:1], [genuine])  # warm-up: each worker starts its fork server
    print(f"gunicorn, 2 workers; {THREADS} client threads; {SECONDS:.0f} s a run\n")
    (baseline_load,) = run(clients, [serial_get])
    baseline = baseline_load.count / SECONDS
    _line("serial from the QR code (GET)", baseline_load, baseline)
    for label, request in (
        ("real statement, 190 KB", genuine),
        ("xref-stream bomb, 20 KB -> 20 MB", bomb),
        ("deep nesting, 400 KB (read in the child)", nesting),
        ("object-stream bomb (read in the child)", objstm),
    ):
        (load,) = run(clients, [request])
        _line(label, load, baseline)
        print(f"{'':<44} web workers' largest RSS {workers_rss_mb(server):.0f} MB")
    print("\nunder attack: 4 threads send hostile files, 2 send the real statement")
    loads = run(clients, [nesting, objstm, genuine, bomb, nesting, genuine])
    attack = Load(loads[0].statuses + loads[1].statuses + loads[3].statuses)
    _line("  hostile uploads", attack, baseline)
    _line("  real statement", loads[2], baseline)
    print(f"{'':<44} web workers' largest RSS {workers_rss_mb(server):.0f} MB")
    loads = run(clients, [nesting, objstm, serial_get, bomb, nesting, serial_get])
    _line("  serial (GET) meanwhile", loads[2], baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
