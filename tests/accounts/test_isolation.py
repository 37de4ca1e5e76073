"""Tenant isolation on every accounts route: tenant B's admin can neither read nor change
tenant A's accounts, through B's URLs (A's ids) or through A's URLs (B's login)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.models.tokens import AccountToken
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import add_user, invite, link_in, logged_in, post, user_by_email
from tests.conftest import csrf_token


@pytest.fixture
def alpha_beta(app, db, make_tenant):
    alpha, beta = make_tenant(name="甲单位"), make_tenant(name="乙单位")
    # A's extra accounts get ids that do not exist at B (B has only its admin).
    add_user(db, alpha, f"one@{alpha.slug}.example.com", [Role.EMPLOYEE])
    target = add_user(db, alpha, f"target@{alpha.slug}.example.com", [Role.MANAGER])
    off = add_user(db, alpha, f"off@{alpha.slug}.example.com", [Role.EMPLOYEE], active=False)
    return alpha, beta, target, off


def _state(db, tenant, email):
    user = user_by_email(db, tenant, email)
    return user.role_names, user.is_active_account, user.password_hash


def _writes(target: int, off: int) -> list[tuple[str, dict]]:
    return [
        (f"/accounts/{target}/roles", {"roles": ["tenant_admin"]}),
        (f"/accounts/{target}/disable", {}),
        (f"/accounts/{off}/enable", {}),
        (f"/accounts/{target}/invitation", {}),
        (f"/accounts/{target}/reset-link", {}),
    ]


def test_b_admin_cannot_reach_a_accounts_through_b_urls(app, db, alpha_beta):
    alpha, beta, target, off = alpha_beta
    before = _state(db, alpha, f"target@{alpha.slug}.example.com")
    client = logged_in(app, beta)
    listing = client.get(f"/t/{beta.slug}/accounts/").get_data(as_text=True)
    assert alpha.slug not in listing and "target@" not in listing
    for path, data in _writes(target, off):
        assert post(client, beta, path, data).status_code == 404, path
    assert _state(db, alpha, f"target@{alpha.slug}.example.com") == before
    assert not user_by_email(db, alpha, f"off@{alpha.slug}.example.com").is_active_account
    with db.tenant(schema_for(alpha.slug)) as session:
        assert session.scalar(select(AccountToken)) is None


def test_b_admin_cannot_reach_a_accounts_through_a_urls(app, db, alpha_beta):
    alpha, beta, target, off = alpha_beta
    before = _state(db, alpha, f"target@{alpha.slug}.example.com")
    client = logged_in(app, beta)
    for path in ("/accounts/", "/accounts/invite"):
        response = client.get(f"/t/{alpha.slug}{path}")
        assert (
            response.status_code == 302 and f"/t/{alpha.slug}/login" in response.headers["Location"]
        )
    token = csrf_token(client, f"/t/{beta.slug}/accounts/")
    writes = [*_writes(target, off), ("/accounts/invite", {"email": "evil@example.com"})]
    for path, data in writes:
        response = client.post(f"/t/{alpha.slug}{path}", data={**data, "csrf_token": token})
        assert response.status_code == 302, path
        assert f"/t/{alpha.slug}/login" in response.headers["Location"]
    assert _state(db, alpha, f"target@{alpha.slug}.example.com") == before
    assert user_by_email(db, alpha, "evil@example.com") is None
    assert not user_by_email(db, alpha, f"off@{alpha.slug}.example.com").is_active_account


def test_links_and_forgotten_passwords_stay_in_their_tenant(app, db, alpha_beta):
    alpha, beta, _target, _off = alpha_beta
    admin = logged_in(app, alpha)
    welcome = link_in(invite(admin, alpha, f"new@{alpha.slug}.example.com").get_data(as_text=True))
    target_id = user_by_email(db, alpha, f"target@{alpha.slug}.example.com").id
    reset = link_in(post(admin, alpha, f"/accounts/{target_id}/reset-link").get_data(as_text=True))
    visitor = app.test_client()
    for link in (welcome, reset):
        moved = link.replace(f"/t/{alpha.slug}/", f"/t/{beta.slug}/")
        assert visitor.get(moved).status_code == 404
        assert visitor.get(link).status_code == 200
    # Asking B for a reset of A's address creates nothing anywhere.
    token = csrf_token(visitor, f"/t/{beta.slug}/accounts/forgot")
    visitor.post(
        f"/t/{beta.slug}/accounts/forgot", data={"email": alpha.admin_email, "csrf_token": token}
    )
    with db.tenant(schema_for(beta.slug)) as session:
        assert session.scalar(select(AccountToken)) is None


def test_the_seat_count_is_per_tenant(app, db, make_tenant):
    alpha, beta = make_tenant(seat_limit=2), make_tenant(seat_limit=2)
    add_user(db, alpha, f"second@{alpha.slug}.example.com", [Role.EMPLOYEE])
    # A is full; B, with one seat used, can still invite.
    assert invite(logged_in(app, alpha), alpha, "x@example.com").status_code == 400
    assert invite(logged_in(app, beta), beta, "x@example.com").status_code == 200
