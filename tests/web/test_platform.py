"""The platform area: only platform admins; onboarding with the CLI's rules."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from saas.models.audit import PlatformAuditEntry
from tenants.registry import find_tenant
from tests.conftest import add_platform_admin, csrf_token, login, platform_login, unique_slug


@pytest.fixture
def platform_admin(db):
    return add_platform_admin(db)


@pytest.fixture
def platform(app, platform_admin):
    browser = platform_login(app, platform_admin)[0]
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    browser.admin_email = platform_admin
    return browser


def test_platform_needs_a_platform_admin(client):
    response = client.get("/platform/")
    assert response.status_code == 302
    assert "/platform/login" in response.headers["Location"]


def test_platform_login_does_not_open_a_tenant(platform, tenant):
    assert platform.get(f"/t/{tenant.slug}/").status_code == 302


def test_onboarding_form_creates_a_tenant_whose_admin_sets_a_password_and_logs_in(
    app, db, platform
):
    slug = unique_slug("form")
    token = csrf_token(platform, "/platform/tenants/new")
    response = platform.post(
        "/platform/tenants/new",
        data={
            "slug": slug,
            "name": "某市政务服务中心",
            "admin_email": "hr@gov.example.com",
            "locale": "zh_CN",
            "time_zone": "Asia/Shanghai",
            "seat_limit": "30",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    link = re.search(r'id="setup-link">[^<]*(/t/[^<]+)</code>', response.get_data(as_text=True))
    with db.public() as session:
        assert find_tenant(session, slug).seat_limit == 30
    welcome = link.group(1)
    admin = app.test_client()
    assert admin.get(welcome).status_code == 200
    accepted = admin.post(
        welcome,
        data={
            "name": "人事处",
            "password": "a-new-password",
            "confirm": "a-new-password",
            "csrf_token": csrf_token(admin, welcome),
        },
    )
    assert accepted.status_code == 302

    created = SimpleNamespace(slug=slug, admin_email="hr@gov.example.com")
    assert login(app.test_client(), created, password="a-new-password").status_code == 302
    assert admin.get(welcome).status_code == 404  # the link works once


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", 'a"; drop schema public; --'),
        ("slug", "Upper"),
        ("slug", "platform"),
        ("admin_email", "nobody"),
        ("time_zone", "Mars/Olympus"),
        ("seat_limit", "0"),
    ],
)
def test_onboarding_form_refuses_bad_input_and_creates_nothing(db, platform, field, value):
    slug = unique_slug("bad")
    data = {
        "slug": slug,
        "name": "单位",
        "admin_email": "a@b.example.com",
        "locale": "zh_CN",
        "time_zone": "Asia/Shanghai",
        "seat_limit": "10",
    }
    data[field] = value
    data["csrf_token"] = csrf_token(platform, "/platform/tenants/new")
    response = platform.post("/platform/tenants/new", data=data)
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)
    with db.public() as session:
        assert find_tenant(session, data["slug"]) is None


def test_duplicate_slug_on_the_form_says_so(platform, tenant):
    data = {
        "slug": tenant.slug,
        "name": "又一个",
        "admin_email": "a@b.example.com",
        "locale": "en",
        "time_zone": "Asia/Shanghai",
        "seat_limit": "10",
        "csrf_token": csrf_token(platform, "/platform/tenants/new"),
    }
    response = platform.post("/platform/tenants/new", data=data)
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_suspend_asks_for_confirmation_and_a_reason(app, db, platform, tenant):
    listing = platform.get("/platform/").get_data(as_text=True)
    assert f'href="/platform/tenants/{tenant.slug}/suspend"' in listing
    confirm = platform.get(f"/platform/tenants/{tenant.slug}/suspend")
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True)
    assert tenant.name in body and 'name="reason"' in body
    # Opening the confirmation suspends nothing.
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200


@pytest.mark.parametrize("reason", ["", "   \n  ", "x" * 501])
def test_suspend_without_a_reason_is_refused_beside_the_field(app, db, platform, tenant, reason):
    token = csrf_token(platform, f"/platform/tenants/{tenant.slug}/suspend")
    response = platform.post(
        f"/platform/tenants/{tenant.slug}/suspend", data={"csrf_token": token, "reason": reason}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert re.search(r'class="field has-error">\s*<span class="field-label">Why', body)
    with db.public() as session:
        assert find_tenant(session, tenant.slug).status == "trial"
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200


def test_suspend_keeps_the_reason_and_resume_restores_the_trial(app, db, platform, tenant):
    token = csrf_token(platform, f"/platform/tenants/{tenant.slug}/suspend")
    done = platform.post(
        f"/platform/tenants/{tenant.slug}/suspend",
        data={"csrf_token": token, "reason": "合同到期，未续签"},
    )
    assert done.status_code == 302
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 403
    with db.public() as session:
        row = find_tenant(session, tenant.slug)
        assert (row.status, row.suspended_from) == ("suspended", "trial")
        entry = session.scalars(
            select(PlatformAuditEntry)
            .where(PlatformAuditEntry.record_id == tenant.slug)
            .order_by(PlatformAuditEntry.id.desc())
        ).first()
    assert entry.action == "tenant.suspended" and entry.after["reason"] == "合同到期，未续签"
    assert entry.actor == platform.admin_email
    listing = platform.get("/platform/").get_data(as_text=True)
    assert "was trial" in listing

    platform.post(f"/platform/tenants/{tenant.slug}/resume", data={"csrf_token": token})
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200
    with db.public() as session:
        row = find_tenant(session, tenant.slug)
        assert (row.status, row.suspended_from) == ("trial", None)
    log = platform.get("/platform/audit/", query_string={"record_id": tenant.slug})
    text = log.get_data(as_text=True).split("<tbody>")[1]
    assert "Organisation suspended" in text and "合同到期，未续签" in text
    assert "Organisation resumed" in text and "tenant.suspended" not in text
    assert tenant.name in text  # the record by its name, not only its slug


def test_an_active_tenant_comes_back_active(db, platform, tenant):
    with db.public() as session:
        find_tenant(session, tenant.slug).status = "active"
    token = csrf_token(platform, f"/platform/tenants/{tenant.slug}/suspend")
    platform.post(
        f"/platform/tenants/{tenant.slug}/suspend", data={"csrf_token": token, "reason": "unpaid"}
    )
    platform.post(f"/platform/tenants/{tenant.slug}/resume", data={"csrf_token": token})
    with db.public() as session:
        assert find_tenant(session, tenant.slug).status == "active"


def test_suspending_an_unknown_tenant_is_404(platform):
    assert platform.get("/platform/tenants/no-such-tenant/suspend").status_code == 404
    token = csrf_token(platform, "/platform/")
    response = platform.post("/platform/tenants/no-such-tenant/resume", data={"csrf_token": token})
    assert response.status_code == 404


def test_suspend_without_token_is_refused(app, platform, tenant):
    response = platform.post(f"/platform/tenants/{tenant.slug}/suspend", data={"reason": "x"})
    assert response.status_code == 400
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200


def test_a_seat_limit_of_0_says_why_it_is_refused(db, platform):
    data = {
        "slug": unique_slug("seats"),
        "name": "单位",
        "admin_email": "a@b.example.com",
        "locale": "zh_CN",
        "time_zone": "Asia/Shanghai",
        "seat_limit": "0",
        "csrf_token": csrf_token(platform, "/platform/tenants/new"),
    }
    body = platform.post("/platform/tenants/new", data=data).get_data(as_text=True)
    error = re.search(r'<span class="field-error">([^<]*)</span>', body).group(1)
    assert "first administrator" in error and "required" not in error
    with db.public() as session:
        assert find_tenant(session, data["slug"]) is None


def test_the_platform_audit_log_is_for_platform_admins_only(app, tenant):
    assert app.test_client().get("/platform/audit/").status_code == 302
    browser = app.test_client()
    login(browser, tenant)
    response = browser.get("/platform/audit/")
    assert response.status_code == 302 and "/platform/login" in response.headers["Location"]


def test_tenant_admin_cannot_suspend_tenants(app, tenant):
    browser = app.test_client()
    login(browser, tenant)
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    response = browser.post(f"/platform/tenants/{tenant.slug}/suspend", data={"csrf_token": token})
    assert response.status_code == 302
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200
