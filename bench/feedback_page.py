"""The customer's feedback page under load, against a bare Flask endpoint doing one query.

The harness of bench/pages.py: a scratch database, two gunicorn servers (2 workers each), the
bare app and Kaohe, and wrk with 16 connections. Measured, each as requests/s, p99 and its
share of the bare rate:

- GET of the log-in page, Kaohe's lightest public page, for comparison;
- GET of a working link's form (what a customer's phone opens after scanning);
- GET of a revoked link (the 410 page);
- a POST flood of garbage without a session (refused by the CSRF check, 400);
- a POST flood of garbage with a session and its CSRF token (refused by the per-client
  attempts limit in Redis, 429, before any database work).

Kaohe's worker memory (RSS) is printed before and after the floods: it must stay bounded.
Needs `wrk` (Debian package) and the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/feedback_page.py
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import tempfile
import textwrap
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import BARE_APP, PASSWORD, free_port, serve  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.config import load_settings, normalise_database_url  # noqa: E402
from saas.database_setup import ensure_database  # noqa: E402
from saas.feedback import tokens  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.migrate import upgrade_all  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402

GARBAGE = textwrap.dedent(
    """
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    {cookie}
    wrk.body = "csrf_token={csrf}&kind=%00&category=x&form_token=zz&text=" .. string.rep("%3C", 600)
    """
)


def seed(db: Database, settings, slug: str) -> tuple[str, str]:
    """A tenant with the example organisation, a person's working link and a revoked one."""
    create_tenant(db, settings, slug, "压测单位", "admin@bench.example.com", PASSWORD)
    with db.tenant(schema_for(slug)) as session:
        seed_example_org(session, Actor.system("bench"))
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "KF"))
        people = [Employee(number=f"B-{n}", name=f"客服{n}号", unit_id=unit.id) for n in (1, 2)]
        session.add_all(people)
        session.flush()
        _link, working = tokens.add_link(
            session, "bench", None, employee_id=people[0].id, unit_id=unit.id
        )
        gone, revoked = tokens.add_link(
            session, "bench", None, employee_id=people[1].id, unit_id=unit.id
        )
        tokens.revoke_link(session, "bench", None, gone)
    return working, revoked


def wrk(url: str, *headers: str, script: Path | None = None) -> tuple[float, float, str]:
    """Requests/s, p99 (ms) and the status line wrk prints for non-2xx answers."""
    args = ["wrk", "-t2", "-c16", "-d8s", "--latency", url]
    for header in headers:
        args += ["-H", header]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, f"{errors.group(1)} non-2xx" if errors else "all 2xx"


def status_of(url: str, data: bytes | None = None, headers: dict | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, data, headers or {})).status
    except urllib.error.HTTPError as error:
        return error.code


def session_and_token(url: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser holds them after opening the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def worker_rss(master: subprocess.Popen) -> list[int]:
    """The resident memory (KB) of each gunicorn worker of ``master``."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)))
    return sizes


def report(label: str, rate: float, p99: float, bare: float, statuses: str) -> None:
    print(
        f"{label:<44} {rate:8.0f} req/s  p99 {p99:6.1f} ms  {100 * rate / bare:5.1f} % of bare"
        f"  ({statuses})"
    )


def run(workdir: Path, rendered: str, settings, db: Database, processes: list) -> None:
    slug = f"bench-{secrets.token_hex(3)}"
    working, revoked = seed(db, settings, slug)
    (workdir / "bare.py").write_text(
        textwrap.dedent(BARE_APP.format(url=rendered, schema=schema_for(slug)))
    )
    env = dict(
        os.environ,
        DATABASE_URL=rendered,
        KAOHE_INSTANCE=str(settings.instance),
        KAOHE_QUEUE=settings.queue_name,
        PYTHONPATH=str(ROOT),
    )
    bare_port, kaohe_port = free_port(), free_port()
    processes.append(serve("bare:app", bare_port, env, workdir))
    kaohe = serve("saas.wsgi:app", kaohe_port, env, ROOT)
    processes.append(kaohe)
    base = f"http://127.0.0.1:{kaohe_port}/t/{slug}/feedback"
    form, gone = f"{base}/{working}", f"{base}/{revoked}"
    assert status_of(form) == 200 and status_of(gone) == 410
    bare, bare_p99, _ = wrk(f"http://127.0.0.1:{bare_port}/")
    print(f"{'bare Flask, one query':<44} {bare:8.0f} req/s  p99 {bare_p99:6.1f} ms")
    login = f"http://127.0.0.1:{kaohe_port}/t/{slug}/login"
    report("log-in page (GET, for comparison)", *wrk(login)[:2], bare, "200")
    report("feedback form (GET, working link)", *wrk(form)[:2], bare, "200")
    report("revoked link (GET, 410 page)", *wrk(gone)[:2], bare, "410")
    before = worker_rss(kaohe)
    anonymous = workdir / "anonymous.lua"
    anonymous.write_text(GARBAGE.format(cookie="", csrf="nope"))
    rate, p99, statuses = wrk(form, script=anonymous)
    report("POST flood, garbage, no session (400)", rate, p99, bare, statuses)
    cookie, csrf = session_and_token(form)
    with_session = workdir / "session.lua"
    with_session.write_text(
        GARBAGE.format(cookie=f'wrk.headers["Cookie"] = "{cookie}"', csrf=urllib.parse.quote(csrf))
    )
    sample = status_of(
        form,
        f"csrf_token={urllib.parse.quote(csrf)}&kind=x".encode(),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    rate, p99, statuses = wrk(form, script=with_session)
    report(f"POST flood, garbage, session ({sample}, then 429)", rate, p99, bare, statuses)
    after = worker_rss(kaohe)
    print(
        f"Kaohe worker RSS before the floods: {', '.join(f'{kb / 1024:.0f} MB' for kb in before)}"
    )
    print(f"Kaohe worker RSS after the floods:  {', '.join(f'{kb / 1024:.0f} MB' for kb in after)}")


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
        database_url=rendered,
        instance=workdir / "instance",
        queue_name=f"kaohe-bench-{secrets.token_hex(3)}",
    )
    db = Database(rendered)
    processes: list[subprocess.Popen] = []
    try:
        upgrade_all(db)
        run(workdir, rendered, settings, db, processes)
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
