"""Ending logins: a session cookie copied before a logout, a password change or reset, or
"log out everywhere" opens nothing afterwards, for GET and POST alike; other users' sessions
go on. The same for platform admins."""

from __future__ import annotations

import re
import secrets

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from saas.models.audit import AuditEntry, PlatformAuditEntry
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import (
    NEW_PASSWORD,
    USER_PASSWORD,
    add_user,
    english,
    link_in,
    logged_in,
    post,
    set_password,
)
from tests.conftest import (
    PLATFORM_PASSWORD,
    add_platform_admin,
    csrf_token,
    login,
    platform_login,
)

COOKIE = "kaohe_session"


class Copy:
    """A second browser holding a copy of another's session cookie, and the CSRF token the
    copied session carries (so a POST of it fails only on the login, never on CSRF)."""

    def __init__(self, app, original, page: str) -> None:
        self.client = app.test_client()
        self.client.set_cookie(COOKIE, original.get_cookie(COOKIE).value)
        self.token = csrf_token(self.client, page)

    def opens(self, path: str) -> bool:
        return self.client.get(path).status_code == 200

    def post(self, path: str, data: dict | None = None):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token})


def _refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def users(app, db, tenant):
    """Two employees, each logged in, with a copy of the first one's cookie."""
    first = f"first-{secrets.token_hex(3)}@{tenant.slug}.example.com"
    second = f"second-{secrets.token_hex(3)}@{tenant.slug}.example.com"
    ids = [add_user(db, tenant, email, [Role.EMPLOYEE]) for email in (first, second)]
    browser = logged_in(app, tenant, first)
    other = logged_in(app, tenant, second)
    home = f"/t/{tenant.slug}/"
    copy = Copy(app, browser, f"/t/{tenant.slug}/account")
    assert copy.opens(home) and other.get(home).status_code == 200
    return browser, copy, other, ids, first


def _copy_is_refused(tenant, copy: Copy) -> None:
    base = f"/t/{tenant.slug}"
    assert _refused(copy.client.get(base + "/"))
    assert _refused(copy.client.get(base + "/account"))
    # A state-changing POST with the copied session's own CSRF token: refused on the login.
    change = {
        "current": USER_PASSWORD,
        "password": "hijacked-password",
        "confirm": "hijacked-password",
    }
    assert _refused(copy.post(base + "/account/password", change))
    assert _refused(copy.post(base + "/account/logout-everywhere"))


def _still_works(tenant, other) -> None:
    assert other.get(f"/t/{tenant.slug}/account").status_code == 200


def test_logout_ends_a_copied_cookie(app, tenant, users):
    browser, copy, other, _, email = users
    assert _refused(post(browser, tenant, "/logout"))
    _copy_is_refused(tenant, copy)
    _still_works(tenant, other)
    # The hijack attempts above changed nothing: the old password still logs in.
    assert login(app.test_client(), tenant, email=email, password=USER_PASSWORD).status_code == 302


def test_a_password_change_ends_other_logins_and_keeps_this_one(app, db, tenant, users):
    browser, copy, other, ids, email = users
    response = post(
        browser,
        tenant,
        "/account/password",
        {"current": USER_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        form_path=f"/t/{tenant.slug}/account",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    page = browser.get(f"/t/{tenant.slug}/account").get_data(as_text=True)
    assert "logged out on every other device" in page
    _copy_is_refused(tenant, copy)
    _still_works(tenant, other)
    assert login(app.test_client(), tenant, email=email, password=NEW_PASSWORD).status_code == 302
    with db.tenant(schema_for(tenant.slug)) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == str(ids[0]))
        ).all()
    assert "user.password_changed" in actions


def test_a_wrong_current_password_changes_nothing(app, tenant, users):
    browser, copy, _, _, email = users
    response = post(
        browser,
        tenant,
        "/account/password",
        {"current": "not-my-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        form_path=f"/t/{tenant.slug}/account",
    )
    assert response.status_code == 400
    field = re.search(
        r'<label class="field has-error">.*?</label>', response.get_data(as_text=True), re.S
    )
    assert field and 'name="current"' in field.group(0)
    assert "This is not your current password." in field.group(0)
    assert copy.opens(f"/t/{tenant.slug}/")  # nothing ended
    assert login(app.test_client(), tenant, email=email, password=USER_PASSWORD).status_code == 302


def test_a_password_reset_ends_every_earlier_login(app, admin, tenant, users):
    _, copy, other, ids, _ = users
    link = link_in(post(admin, tenant, f"/accounts/{ids[0]}/reset-link").get_data(as_text=True))
    assert copy.opens(f"/t/{tenant.slug}/")  # issuing a link ends nothing yet
    assert set_password(english(app.test_client()), link).status_code == 302
    _copy_is_refused(tenant, copy)
    _still_works(tenant, other)


def test_log_out_everywhere_ends_this_login_and_every_copy(app, db, tenant, users):
    browser, copy, other, ids, _ = users
    account = f"/t/{tenant.slug}/account"
    page = browser.get(account).get_data(as_text=True)
    assert f'action="{account}/logout-everywhere"' in page
    response = post(browser, tenant, "/account/logout-everywhere", form_path=account)
    assert _refused(response)
    assert _refused(browser.get(account))
    _copy_is_refused(tenant, copy)
    _still_works(tenant, other)
    with db.tenant(schema_for(tenant.slug)) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == str(ids[0]))
        ).all()
    assert "user.logged_out_everywhere" in actions
    # Logging in again works, and only the new login.
    again = logged_in(app, tenant, users[4])
    assert again.get(account).status_code == 200


def test_a_cookie_of_the_old_shape_is_logged_out(app, tenant, users):
    browser, *_ = users
    with browser.session_transaction() as session:
        user_id = session["_user_id"]
        assert re.fullmatch(rf"t:{tenant.slug}:\d+:\d+", user_id)
        session["_user_id"] = user_id.rsplit(":", 1)[0]  # t:<slug>:<id>, as issued before
    assert _refused(browser.get(f"/t/{tenant.slug}/"))


def test_a_remember_cookie_is_ended_like_the_session(app, tenant, users):
    browser, *_ = users
    with browser.session_transaction() as session:
        user_id = session["_user_id"]
    with app.test_request_context():
        remember = encode_cookie(user_id)
    keeper = app.test_client()
    keeper.set_cookie("remember_token", remember)
    home = f"/t/{tenant.slug}/"
    assert keeper.get(home).status_code == 200
    post(browser, tenant, "/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert _refused(fresh.get(home))


def test_a_cookie_of_one_tenant_ends_nothing_at_another(app, make_tenant, tenant, users):
    other_tenant = make_tenant()
    _, copy, *_ = users
    assert _refused(copy.client.get(f"/t/{other_tenant.slug}/account"))
    assert _refused(copy.post(f"/t/{other_tenant.slug}/account/logout-everywhere"))
    assert copy.opens(f"/t/{tenant.slug}/")


# -- platform admins ---------------------------------------------------------------------------


def _platform_login(app, email: str, password: str = PLATFORM_PASSWORD):
    browser, _token = platform_login(app, email, password)
    with browser.session_transaction() as session:
        session["lang"] = "en"
    return browser


@pytest.fixture
def admins(app, db):
    emails = [add_platform_admin(db) for _ in range(2)]
    browser, other = (_platform_login(app, email) for email in emails)
    copy = Copy(app, browser, "/platform/account")
    assert copy.opens("/platform/")
    return browser, copy, other, emails


def _platform_copy_is_refused(copy: Copy) -> None:
    assert _refused(copy.client.get("/platform/"))
    assert _refused(copy.client.get("/platform/account"))
    new_tenant = {"slug": f"x-{secrets.token_hex(3)}", "name": "劫持", "admin_email": "a@b.cn"}
    assert _refused(copy.post("/platform/tenants/new", new_tenant))
    assert _refused(copy.post("/platform/account/logout-everywhere"))


def _platform_post(browser, path: str, data: dict | None = None):
    token = csrf_token(browser, "/platform/account")
    return browser.post(path, data={**(data or {}), "csrf_token": token})


def test_platform_logout_ends_a_copied_cookie(admins):
    browser, copy, other, _ = admins
    assert _refused(_platform_post(browser, "/platform/logout"))
    _platform_copy_is_refused(copy)
    assert other.get("/platform/").status_code == 200


def test_platform_password_change_ends_other_logins(app, db, admins):
    browser, copy, other, emails = admins
    change = {"current": PLATFORM_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = _platform_post(browser, "/platform/account/password", change)
    assert response.status_code == 302
    assert browser.get("/platform/").status_code == 200
    _platform_copy_is_refused(copy)
    assert other.get("/platform/").status_code == 200
    _platform_login(app, emails[0], NEW_PASSWORD)
    with db.public() as session:
        actions = session.scalars(
            select(PlatformAuditEntry.action).where(PlatformAuditEntry.actor == emails[0])
        ).all()
    assert "platform_admin.password_changed" in actions


def test_platform_wrong_current_password_is_shown_beside_its_field(admins):
    browser, copy, _, _ = admins
    change = {"current": "wrong-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = _platform_post(browser, "/platform/account/password", change)
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    assert copy.opens("/platform/")


def test_a_tenant_login_opens_no_platform_account(app, tenant, users):
    browser, *_ = users
    assert _refused(browser.get("/platform/account"))
    token = csrf_token(browser, f"/t/{tenant.slug}/account")
    response = browser.post("/platform/account/logout-everywhere", data={"csrf_token": token})
    assert _refused(response)
    assert browser.get(f"/t/{tenant.slug}/account").status_code == 200  # nothing ended


def test_platform_log_out_everywhere(admins):
    browser, copy, other, _ = admins
    assert _refused(_platform_post(browser, "/platform/account/logout-everywhere"))
    assert _refused(browser.get("/platform/"))
    _platform_copy_is_refused(copy)
    assert other.get("/platform/").status_code == 200
