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
