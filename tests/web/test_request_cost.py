"""What a tenant page costs in database work beyond its own queries.

The request path (tenant from the per-process cache, the principal with roles and scope in
one statement, one pooled connection without a pre-ping) must add at most four statements
to a page, whatever the page; each page's own queries stay within a fixed budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, select

from saas.demo import seed_demo
from saas.models.scheme import SchemeVersion
from tenants.resolver import TenantResolver
from tests.conftest import login

HTMX = {"HX-Request": "true"}


@dataclass
class RequestLog:
    statements: list[str] = field(default_factory=list)
    transaction_control: int = 0
    checkouts: int = 0

    def registry(self) -> list[str]:
        return [s for s in self.statements if "public.tenant" in s]

    def principal(self) -> list[str]:
        return [s for s in self.statements if "FROM tenant_" in s and "user_role.role" in s]

    def own(self) -> list[str]:
        overhead = set(self.registry()) | set(self.principal())
        return [s for s in self.statements if s not in overhead]

    @property
    def overhead(self) -> int:
        return len(self.registry()) + len(self.principal()) + self.transaction_control


def logged(app, client, url: str, headers: dict | None = None) -> RequestLog:
    engine = app.extensions["kaohe.db"].engine
    log = RequestLog()

    def statement(_conn, _cursor, sql, *_args):
        log.statements.append(sql)

    def control(*_args):
        log.transaction_control += 1

    def checkout(*_args):
        log.checkouts += 1

    listeners = [
        (engine, "before_cursor_execute", statement),
        (engine, "begin", control),
        (engine, "commit", control),
        (engine, "rollback", control),
        (engine.pool, "checkout", checkout),
    ]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    assert response.status_code == 200, url
    return log


@pytest.fixture(scope="module")
def demo(app, db, make_tenant_module):
    tenant = make_tenant_module()
    with db.tenant(f"tenant_{tenant.slug.replace('-', '_')}") as session:
        seed_demo(session)
        # The published functional scheme, then the front-line draft.
        versions = session.scalars(select(SchemeVersion.id).order_by(SchemeVersion.id)).all()
    return tenant, versions


@pytest.fixture(scope="module")
def make_tenant_module(db, settings):
    from saas.platform.onboarding import create_tenant
    from tests.conftest import ADMIN_PASSWORD, unique_slug

    def make():
        slug = unique_slug("cost")
        return create_tenant(
            db, settings, slug, "压测单位", f"admin@{slug}.example.com", ADMIN_PASSWORD
        )

    return make


# Each page's own statements: what the page itself needs to show its data.
PAGES = [
    # The set-up checklist, then one statement per area with to-dos: goals, ratings,
    # rectification notices, inspections due, customer feedback to handle.
    ("home page", "/", None, 6),
    ("people list", "/people/", None, 3),
    ("people list, HTMX partial", "/people/?q=王", HTMX, 3),
    ("org tree", "/org/", None, 3),
    ("goal tree", "/goals/", None, 6),
    ("scheme editor", "/schemes/v/{version}", None, 1),
    # A draft's check also reads the tenant's levels, categories and forms: one statement.
    ("scheme draft", "/schemes/v/{draft}", None, 2),
]


@pytest.mark.parametrize(
    ("label", "path", "headers", "own_budget"), PAGES, ids=[p[0] for p in PAGES]
)
def test_a_page_adds_at_most_four_statements_to_its_own(
    app, db, demo, monkeypatch, label, path, headers, own_budget
):
    tenant, (version, draft) = demo
    # A long cache, so a slow machine cannot let the row expire between the two requests.
    monkeypatch.setitem(app.extensions, "kaohe.tenants", TenantResolver(db, cache_seconds=600))
    client = app.test_client()
    login(client, tenant)
    url = f"/t/{tenant.slug}" + path.format(version=version, draft=draft)
    client.get(url, headers=headers or {})  # the tenant's registry row is now cached
    log = logged(app, client, url, headers)
    assert log.checkouts == 1, "one pooled connection per request"
    assert len(log.principal()) == 1, "user, roles and scope are read in one statement"
    assert log.registry() == [], "the registry row comes from the process cache"
    assert log.overhead <= 4, log.statements
    assert len(log.own()) <= own_budget, log.own()


def test_an_expired_registry_entry_costs_one_statement_and_stays_within_four(app, demo):
    tenant, _ = demo
    client = app.test_client()
    login(client, tenant)
    app.extensions["kaohe.tenants"].forget(tenant.slug)
    log = logged(app, client, f"/t/{tenant.slug}/people/")
    assert len(log.registry()) == 1
    assert log.overhead <= 4, log.statements
