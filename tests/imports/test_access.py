"""Only tenant admins import and export; a tenant's batches are invisible to another tenant."""

from __future__ import annotations

import pytest

from saas.models.user import Role
from tests.conftest import csrf_token, login
from tests.imports.conftest import (
    add_user,
    admin_client,
    batch_id_of,
    count_rows,
    employees_sheet,
    person,
    unit,
    units_sheet,
    upload,
    xlsx,
)

CONTENT = xlsx(
    {
        "部门": units_sheet(unit("HQ", "总部", kind="公司")),
        "人员": employees_sheet(person("E1", "张三", "HQ")),
    }
)


def routes(slug: str, batch_id: int) -> list[tuple[str, str]]:
    base = f"/t/{slug}/imports"
    return [
        ("GET", f"{base}/"),
        ("POST", f"{base}/"),
        ("GET", f"{base}/{batch_id}"),
        ("POST", f"{base}/{batch_id}/check"),
        ("POST", f"{base}/{batch_id}/commit"),
        ("POST", f"{base}/{batch_id}/discard"),
        ("GET", f"{base}/template.xlsx"),
        ("GET", f"{base}/export.xlsx"),
        ("GET", f"{base}/export.csv?kind=units"),
    ]


def call(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.MANAGER, Role.INSPECTOR, Role.EMPLOYEE])
def test_other_roles_are_refused_everywhere(app, db, tenant, role):
    batch_id = batch_id_of(upload(admin_client(app, tenant), tenant, CONTENT, "org.xlsx"))
    email = f"{role}@{tenant.slug}.example.com"
    add_user(db, tenant.slug, email, str(role))
    client = app.test_client()
    login(client, tenant, email=email)
    token = csrf_token(client, f"/t/{tenant.slug}/")
    for method, url in routes(tenant.slug, batch_id):
        assert call(client, method, url, token).status_code == 403, (role, method, url)
    assert count_rows(db, tenant.slug)["units"] == 0


def test_anonymous_visitors_are_sent_to_log_in(app, tenant):
    client = app.test_client()
    for method, url in routes(tenant.slug, 1):
        if method == "GET":
            assert client.get(url).status_code == 302, url


def test_a_batch_of_tenant_a_is_not_found_at_tenant_b(app, db, make_tenant):
    alpha, beta = make_tenant(), make_tenant()
    owner, other = admin_client(app, alpha), admin_client(app, beta)
    batch_id = batch_id_of(upload(owner, alpha, CONTENT, "org.xlsx"))
    token = csrf_token(other, f"/t/{beta.slug}/imports/")
    # Through B's URLs: A's batch id is simply not there.
    for method, url in routes(beta.slug, batch_id)[2:6]:
        assert call(other, method, url, token).status_code == 404, url
    # Through A's URLs: B's login opens nothing at A.
    for method, url in routes(alpha.slug, batch_id):
        assert call(other, method, url, token).status_code in (302, 400), url
    assert other.get(f"/t/{alpha.slug}/imports/{batch_id}").status_code == 302
    # A commits; B's schema stays empty and B's export holds nothing of A.
    owner_token = csrf_token(owner, f"/t/{alpha.slug}/imports/{batch_id}")
    owner.post(f"/t/{alpha.slug}/imports/{batch_id}/commit", data={"csrf_token": owner_token})
    assert count_rows(db, alpha.slug)["employees"] == 1
    assert count_rows(db, beta.slug)["employees"] == 0 and count_rows(db, beta.slug)["units"] == 0
    exported = other.get(f"/t/{beta.slug}/imports/export.csv?kind=employees").data
    assert "张三".encode() not in exported
