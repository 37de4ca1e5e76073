import dataclasses
import secrets

from saas.app import create_app
from tests.conftest import csrf_token


def test_login_attempts_are_rate_limited_per_tenant(settings, db, make_tenant):
    strict = dataclasses.replace(
        settings, login_rate_limit="3 per minute", queue_name=f"limits-{secrets.token_hex(4)}"
    )
    app = create_app(strict)
    alpha, beta = make_tenant(), make_tenant()
    browser = app.test_client()

    def attempt(tenant, password="wrong-password"):
        token = csrf_token(browser, f"/t/{tenant.slug}/login")
        return browser.post(
            f"/t/{tenant.slug}/login",
            data={"identifier": tenant.admin_email, "password": password, "csrf_token": token},
        )

    assert [attempt(alpha).status_code for _ in range(3)] == [400, 400, 400]
    blocked = attempt(alpha, password="correct-horse-battery")
    assert blocked.status_code == 429
    assert browser.get(f"/t/{alpha.slug}/").status_code == 302  # even the right password waits
    assert attempt(beta, password="correct-horse-battery").status_code == 302


def test_login_attempts_are_also_limited_per_identifier_whatever_the_client(
    settings, db, make_tenant
):
    """Guessing one person's password from many addresses is as slow as from one; a mobile
    number counts as one identifier however it is written."""
    strict = dataclasses.replace(
        settings, login_rate_limit="3 per minute", queue_name=f"limits-{secrets.token_hex(4)}"
    )
    app = create_app(strict)
    tenant = make_tenant()

    def attempt(identifier, client_address, password="wrong-password"):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = client_address
        token = csrf_token(browser, f"/t/{tenant.slug}/login")
        return browser.post(
            f"/t/{tenant.slug}/login",
            data={"identifier": identifier, "password": password, "csrf_token": token},
        ).status_code

    written = ["13800138000", "138 0013 8000", "+86 138-0013-8000"]
    assert [attempt(w, f"10.0.0.{i}") for i, w in enumerate(written)] == [400, 400, 400]
    assert attempt("13800138000", "10.0.0.9") == 429
    # Another identifier from the same client is not held up.
    assert attempt(tenant.admin_email, "10.0.0.9", password="correct-horse-battery") == 302
