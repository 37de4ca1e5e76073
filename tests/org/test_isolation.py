"""Tenant isolation for every org route: tenant A's unit ids reach nothing through tenant B,
and B's login opens nothing at A."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from tenants.slugs import schema_for
from tests.org.conftest import HTMX, Org, add_employee, log_in, make_org, token

ROUTES = [
    ("GET", "units/{id}"),
    ("GET", "units/{id}/row"),
    ("GET", "units/{id}/children"),
    ("GET", "units/{id}/new"),
    ("POST", "units/{id}/new"),
    ("GET", "units/{id}/rename"),
    ("POST", "units/{id}/rename"),
    ("GET", "units/{id}/edit"),
    ("POST", "units/{id}/edit"),
    ("GET", "units/{id}/move"),
    ("POST", "units/{id}/move"),
    ("POST", "units/{id}/archive"),
    ("POST", "units/{id}/restore"),
]
FORM = {"name": "入侵", "code": "X1", "kind": "team", "parent": "top"}


@pytest.fixture
def alpha_beta(db, make_tenant) -> tuple[Org, Org]:
    """A with the 27-unit example org and a person; B with one unit of its own (id 1)."""
    alpha = make_org(db, make_tenant)
    with db.tenant(alpha.schema) as session:
        add_employee(session, alpha.ids["BJ-1"], "A-001", "甲方员工")
    beta_tenant = make_tenant(locale="en")
    beta = Org(beta_tenant, schema_for(beta_tenant.slug), {})
    with db.tenant(beta.schema) as session:
        unit = OrgUnit(name="乙公司", code="B", kind="company", path="", position=1)
        session.add(unit)
        session.flush()
        unit.path = f"{unit.id}/"
        beta.ids["B"] = unit.id
    return alpha, beta


def state(db, org: Org) -> tuple:
    with db.tenant(org.schema) as session:
        return (
            sorted(session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.path)).all()),
            sorted(session.execute(select(OrgUnit.id, OrgUnit.archived_at)).all()),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def request(client, org: Org, method: str, path: str, csrf: str, htmx: bool):
    headers = HTMX if htmx else {}
    if method == "GET":
        return client.get(org.url(path), headers=headers)
    return client.post(org.url(path), data={"csrf_token": csrf, **FORM}, headers=headers)


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_tenant_a_ids_through_tenant_b_urls_are_404(client, db, alpha_beta, method, route):
    alpha, beta = alpha_beta
    before = state(db, alpha), state(db, beta)
    log_in(client, beta)
    csrf = token(client, beta)
    for code in ("GC", "WB-BA", "ZX-XL"):
        path = route.format(id=alpha.ids[code])
        for htmx in (False, True):
            response = request(client, beta, method, path, csrf, htmx)
            assert response.status_code == 404, (path, htmx)
            assert "工程维修部" not in response.get_data(as_text=True)
    assert (state(db, alpha), state(db, beta)) == before


@pytest.mark.parametrize(("method", "route"), [*ROUTES, ("GET", ""), ("GET", "managers")])
def test_tenant_b_login_opens_nothing_at_tenant_a(client, db, alpha_beta, method, route):
    alpha, beta = alpha_beta
    before = state(db, alpha)
    log_in(client, beta)
    csrf = token(client, beta)
    response = request(client, alpha, method, route.format(id=alpha.ids["GC"]), csrf, False)
    assert response.status_code in (302, 400)  # to A's login page, or B's CSRF token refused
    if response.status_code == 302:
        assert f"/t/{alpha.slug}/login" in response.headers["Location"]
    assert "工程维修部" not in response.get_data(as_text=True)
    assert state(db, alpha) == before


def test_tenant_b_cannot_move_its_unit_under_a_tenant_a_unit(client, db, alpha_beta):
    alpha, beta = alpha_beta
    before = state(db, alpha), state(db, beta)
    log_in(client, beta)
    response = client.post(
        beta.url(f"units/{beta.ids['B']}/move"),
        data={"csrf_token": token(client, beta), "parent": str(alpha.ids["GC"])},
    )
    assert response.status_code == 400
    assert "Choose a unit from the list." in response.get_data(as_text=True)
    assert (state(db, alpha), state(db, beta)) == before


def test_tenant_b_sees_only_its_own_tree_and_people(client, alpha_beta):
    _alpha, beta = alpha_beta
    log_in(client, beta)
    tree = client.get(beta.url()).get_data(as_text=True)
    assert "乙公司" in tree and "某某物业服务有限公司" not in tree
    people = client.get(beta.url("managers?manager=A-0")).get_data(as_text=True)
    assert "甲方员工" not in people and "A-001" not in people
