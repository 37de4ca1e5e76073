"""A login belongs to one tenant; URLs cannot reach another tenant; suspended means closed."""

import pytest

from saas.platform.onboarding import resume_tenant, suspend_tenant
from tests.conftest import csrf_token, login


@pytest.fixture
def two_tenants(make_tenant):
    return make_tenant(name="甲单位 Alpha"), make_tenant(name="乙单位 Beta")


def test_unknown_and_malformed_slugs_are_404(client):
    assert client.get("/t/no-such-org/login").status_code == 404
    assert client.get("/t/Upper/login").status_code == 404
    assert client.get("/t/a%22%3B%20drop%20schema%20public%3B%20--/login").status_code == 404


def test_wrong_password_is_refused(client, tenant):
    response = login(client, tenant, password="wrong-password")
    assert response.status_code == 400
    assert client.get(f"/t/{tenant.slug}/").status_code == 302


def test_session_cookie_of_tenant_a_opens_nothing_at_tenant_b(app, two_tenants):
    alpha, beta = two_tenants
    browser = app.test_client()
    assert login(browser, alpha).status_code == 302
    assert browser.get(f"/t/{alpha.slug}/").status_code == 200
    cookie = browser.get_cookie("kaohe_session")
    # Replay the same signed cookie in a fresh client, at tenant B.
    intruder = app.test_client()
    intruder.set_cookie("kaohe_session", cookie.value)
    assert intruder.get(f"/t/{alpha.slug}/").status_code == 200  # the cookie is real
    at_beta = intruder.get(f"/t/{beta.slug}/")
    assert at_beta.status_code == 302
    assert f"/t/{beta.slug}/login" in at_beta.headers["Location"]
    assert beta.name not in at_beta.get_data(as_text=True)


def test_tenant_login_does_not_open_the_platform_area(client, tenant):
    login(client, tenant)
    response = client.get("/platform/")
    assert response.status_code == 302
    assert "/platform/login" in response.headers["Location"]


def test_same_email_in_two_tenants_logs_in_only_where_the_password_matches(make_tenant, client):
    alpha = make_tenant(admin_email="same@example.com", admin_password="alpha-password")
    beta = make_tenant(admin_email="same@example.com", admin_password="beta-password")
    assert login(client, beta, password="alpha-password").status_code == 400
    assert login(client, alpha, password="alpha-password").status_code == 302


def test_statement_of_tenant_a_cannot_be_fetched_through_tenant_b(app, db, two_tenants):
    """URL tampering: swap the slug in a statement URL; the id belongs to the other schema."""
    from saas.models.statement import Statement
    from tenants.slugs import schema_for

    alpha, beta = two_tenants
    with db.tenant(schema_for(alpha.slug)) as session:
        statement = Statement(serial=f"A-{alpha.slug}", user_id=1, sha256="0" * 64, pdf=b"%PDF-a")
        session.add(statement)
        session.flush()
        statement_id = statement.id
    browser = app.test_client()
    login(browser, beta)
    assert browser.get(f"/t/{beta.slug}/statements/{statement_id}.pdf").status_code == 404
    assert browser.get(f"/t/{alpha.slug}/statements/{statement_id}.pdf").status_code == 302
    owner = app.test_client()
    login(owner, alpha)
    assert owner.get(f"/t/{alpha.slug}/statements/{statement_id}.pdf").data == b"%PDF-a"


def test_suspended_tenant_gets_a_clear_403_without_tenant_data(app, db, tenant):
    browser = app.test_client()
    login(browser, tenant)
    suspend_tenant(db, tenant.slug, "unpaid invoice")
    try:
        for path in ("/", "/login"):
            response = browser.get(f"/t/{tenant.slug}{path}")
            body = response.get_data(as_text=True)
            assert response.status_code == 403
            assert tenant.name not in body and tenant.admin_email not in body
            assert "suspended" in body or "停用" in body or "暂停" in body
        assert browser.post(f"/t/{tenant.slug}/login", data={}).status_code == 403
    finally:
        resume_tenant(db, tenant.slug)
    assert browser.get(f"/t/{tenant.slug}/").status_code == 200


def test_post_without_csrf_token_is_refused(app, tenant):
    browser = app.test_client()
    response = browser.post(
        f"/t/{tenant.slug}/login",
        data={"identifier": tenant.admin_email, "password": "correct-horse-battery"},
    )
    assert response.status_code == 400
    assert browser.get(f"/t/{tenant.slug}/").status_code == 302


def test_htmx_post_needs_the_csrf_header(app, tenant):
    browser = app.test_client()
    login(browser, tenant)
    htmx = {"HX-Request": "true"}
    assert browser.post(f"/t/{tenant.slug}/statements/sample", headers=htmx).status_code == 400
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    with_token = browser.post(
        f"/t/{tenant.slug}/statements/sample", headers={**htmx, "X-CSRFToken": token}
    )
    assert with_token.status_code == 200
    assert "progress" in with_token.get_data(as_text=True)


def test_logout_needs_a_post_with_token(app, tenant):
    browser = app.test_client()
    login(browser, tenant)
    assert browser.post(f"/t/{tenant.slug}/logout").status_code == 400
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    assert browser.post(f"/t/{tenant.slug}/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get(f"/t/{tenant.slug}/").status_code == 302


def test_security_headers_are_set(client, tenant):
    headers = client.get(f"/t/{tenant.slug}/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    login(client, tenant)
    cookie = client.get_cookie("kaohe_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_open_redirect_after_login_is_ignored(client, tenant):
    token = csrf_token(client, f"/t/{tenant.slug}/login")
    response = client.post(
        f"/t/{tenant.slug}/login?next=https://evil.example.com/",
        data={
            "identifier": tenant.admin_email,
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"].endswith(f"/t/{tenant.slug}/")
