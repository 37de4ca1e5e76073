"""Several tenants at once through PgBouncer in transaction mode: their requests interleave on
the same server connections, and no row, schema binding or session state crosses over.

Each tenant's browser runs in its own thread and repeats every page and a write many more
times than psycopg's prepare threshold. A prepared statement or a ``search_path`` left on a
server connection would show up as an error, as another tenant's rows, or in the check of
every server connection at the end.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from saas.platform.onboarding import NewTenant
from tests.conftest import csrf_token, login
from tests.org.conftest import add_employee, make_org
from tests.pooler.conftest import POOL_SIZE

TENANTS = ("甲", "乙", "丙")  # each tenant's marker, in its people's and goals' names
ROUNDS = 6  # more than psycopg's prepare threshold (5)
PERIOD = "2026-Q3"
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Browser:
    marker: str
    tenant: NewTenant
    company: int


def seeded(db, make_tenant, marker: str) -> Browser:
    org = make_org(db, make_tenant)
    with db.tenant(org.schema) as session:
        add_employee(session, org.ids["BJ"], "E900", f"{marker}员工")
    return Browser(marker, org.tenant, org.ids["WY"])


def others(marker: str) -> list[str]:
    return [f"{other}{kind}" for other in TENANTS if other != marker for kind in ("员工", "目标")]


def browse(app, browser: Browser) -> int:
    """Log in, then draw every page and add a goal, ROUNDS times; returns the goals added."""
    client = app.test_client()
    base = f"/t/{browser.tenant.slug}"
    assert login(client, browser.tenant).status_code == 302
    csrf = csrf_token(client, f"{base}/")
    foreign = others(browser.marker)
    for round_ in range(ROUNDS):
        pages = {
            "home": client.get(f"{base}/"),
            "people": client.get(f"{base}/people/"),
            "people partial": client.get(f"{base}/people/?q=E900", headers=HTMX),
            "org tree": client.get(f"{base}/org/"),
        }
        added = client.post(
            f"{base}/goals/new",
            data={
                "csrf_token": csrf,
                "period": PERIOD,
                "owner": f"unit:{browser.company}",
                "title": f"{browser.marker}目标{round_}",
                "target": "100",
                "weight": "10",
            },
        )
        assert added.status_code == 302, added.get_data(as_text=True)[:300]
        pages["goals"] = client.get(f"{base}/goals/?period={PERIOD}")
        for name, page in pages.items():
            body = page.get_data(as_text=True)
            assert page.status_code == 200, (name, body[:300])
            assert not [text for text in foreign if text in body], (name, browser.marker)
        assert f"{browser.marker}员工" in pages["people partial"].get_data(as_text=True)
        assert f"{browser.marker}目标{round_}" in pages["goals"].get_data(as_text=True)
    return ROUNDS


def server_sessions(pgbouncer) -> list[tuple[int, str, int]]:
    """(backend pid, search_path, prepared statements) of every server connection: as many
    clients as the pool has connections each hold a transaction open, so each gets its own."""
    clients = [pgbouncer.admin() for _ in range(POOL_SIZE)]
    try:
        return [
            client.execute(
                "select pg_backend_pid(), current_setting('search_path'),"
                " (select count(*) from pg_prepared_statements)"
            ).fetchone()
            for client in clients
        ]
    finally:
        for client in clients:
            client.close()


def test_tenants_interleaved_through_the_pooler_see_only_their_own(app, db, make_tenant, pgbouncer):
    browsers = [seeded(db, make_tenant, marker) for marker in TENANTS]
    with ThreadPoolExecutor(len(browsers)) as pool:
        assert list(pool.map(lambda b: browse(app, b), browsers)) == [ROUNDS] * len(TENANTS)
    sessions = server_sessions(pgbouncer)
    assert len({pid for pid, _, _ in sessions}) == POOL_SIZE
    # No schema binding and no prepared statement stays behind on a server connection.
    assert {(path, prepared) for _, path, prepared in sessions} == {('"$user", public', 0)}
