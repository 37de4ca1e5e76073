"""The platform area: only platform admins; onboarding with the CLI's rules."""

from types import SimpleNamespace

import pytest

from tenants.registry import find_tenant
from tests.conftest import add_platform_admin, csrf_token, login, platform_login, unique_slug


@pytest.fixture
def platform_admin(db):
    return add_platform_admin(db)


@pytest.fixture
def platform(app, platform_admin):
    return platform_login(app, platform_admin)[0]


def test_platform_needs_a_platform_admin(client):
    response = client.get("/platform/")
    assert response.status_code == 302
    assert "/platform/login" in response.headers["Location"]


def test_platform_login_does_not_open_a_tenant(platform, tenant):
    assert platform.get(f"/t/{tenant.slug}/").status_code == 302


def test_onboarding_form_creates_a_tenant_whose_admin_sets_a_password_and_logs_in(
    app, db, platform
):
    import re

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


def test_suspend_and_resume_from_the_list(app, db, platform, tenant):
    listing = platform.get("/platform/")
    assert tenant.slug in listing.get_data(as_text=True)
    token = csrf_token(platform, "/platform/")
    platform.post(f"/platform/tenants/{tenant.slug}/suspend", data={"csrf_token": token})
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 403
    platform.post(f"/platform/tenants/{tenant.slug}/resume", data={"csrf_token": token})
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200


def test_suspend_without_token_is_refused(app, platform, tenant):
    assert platform.post(f"/platform/tenants/{tenant.slug}/suspend").status_code == 400
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200


def test_tenant_admin_cannot_suspend_tenants(app, tenant):
    browser = app.test_client()
    login(browser, tenant)
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    response = browser.post(f"/platform/tenants/{tenant.slug}/suspend", data={"csrf_token": token})
    assert response.status_code == 302
    assert app.test_client().get(f"/t/{tenant.slug}/login").status_code == 200
