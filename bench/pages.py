"""Pages and HTMX partials under load, against a bare Flask endpoint doing one query.

Starts two gunicorn servers (2 workers each) on a scratch database: a bare Flask app whose one
endpoint reads one row from a tenant table, and Kaohe. wrk drives each with 16 connections
and prints requests/s, p99 latency and Kaohe's share of the bare rate (target: >= 50 %,
p99 <= 25 ms). Needs `wrk` (Debian package).

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from saas.config import load_settings, normalise_database_url  # noqa: E402
from saas.database_setup import ensure_database  # noqa: E402
from saas.demo import seed_demo  # noqa: E402
from saas.models.scheme import SchemeVersion  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402

PASSWORD = "bench-password"
BARE_APP = """
from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine({url!r}, pool_size=5)

@app.get("/")
def one_query():
    with engine.connect() as connection:
        row = connection.execute(text('select name from "{schema}".employee limit 1')).one()
    return f"<p>{{row[0]}}</p>"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", app],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return process


def login_cookie(port: int, slug: str, email: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/t/{slug}/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"identifier": email, "password": PASSWORD, "csrf_token": token})
    opener.open(f"http://127.0.0.1:{port}/t/{slug}/login", data.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, *headers: str) -> tuple[float, float]:
    args = ["wrk", "-t2", "-c16", "-d8s", "--latency", url]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors:\n{out}")
    return rate, p99


def main() -> None:
    server = make_url(
        normalise_database_url(
            os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
    )
    url = server.set(database=f"kaohe_bench_{secrets.token_hex(4)}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    workdir = Path(tempfile.mkdtemp(prefix="kaohe-bench-"))
    settings = load_settings(
        database_url=rendered, instance=workdir / "instance", login_rate_limit="1000 per minute"
    )
    db = Database(rendered)
    processes = []
    try:
        upgrade_all(db)
        slug, email = f"bench-{secrets.token_hex(3)}", "admin@bench.example.com"
        create_tenant(db, settings, slug, "压测单位", email, PASSWORD)
        with db.tenant(schema_for(slug)) as session:
            seed_demo(session)
            version = session.scalar(select(SchemeVersion.id).order_by(SchemeVersion.id))
        (workdir / "bare.py").write_text(
            textwrap.dedent(BARE_APP.format(url=rendered, schema=schema_for(slug)))
        )
        env = dict(
            os.environ,
            DATABASE_URL=rendered,
            KAOHE_INSTANCE=str(settings.instance),
            KAOHE_LOGIN_RATE_LIMIT="1000 per minute",
            PYTHONPATH=str(ROOT),
        )
        bare_port, kaohe_port = free_port(), free_port()
        processes.append(serve("bare:app", bare_port, env, workdir))
        processes.append(serve("saas.wsgi:app", kaohe_port, env, ROOT))
        cookie = f"Cookie: {login_cookie(kaohe_port, slug, email)}"
        base = f"http://127.0.0.1:{kaohe_port}/t/{slug}"
        bare_rate, bare_p99 = wrk(f"http://127.0.0.1:{bare_port}/")
        print(f"{'bare Flask, one query':<36} {bare_rate:8.0f} req/s  p99 {bare_p99:6.1f} ms")
        for label, path, headers in (
            ("home page", "/", ()),
            ("people list (full page)", "/people/", ()),
            ("people list (HTMX partial)", "/people/?q=王", ("HX-Request: true",)),
            ("org tree (full page)", "/org/", ()),
            ("goal tree (full page)", "/goals/", ()),
            ("scheme editor (full page)", f"/schemes/v/{version}", ()),
        ):
            rate, p99 = wrk(base + urllib.parse.quote(path, safe="/?="), cookie, *headers)
            print(
                f"{label:<36} {rate:8.0f} req/s  p99 {p99:6.1f} ms  "
                f"{100 * rate / bare_rate:5.1f} % of bare"
            )
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        db.dispose()
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
