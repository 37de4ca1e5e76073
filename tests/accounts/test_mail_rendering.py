"""Account mail renders without Flask: in the reader's language, with dates in the tenant's
time zone and links that open the accounts blueprint's own pages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from saas.accounts.links import link_path
from saas.models.tokens import TokenPurpose
from tests.conftest import worker_env

# Run in a fresh interpreter, as a worker would: nothing Flask may be imported to render.
RENDER = r"""
import datetime as dt, json, sys
from saas.accounts.links import link_url
from saas.accounts.mail import AccountMail, compose
from saas.config import load_settings
from saas.models.tokens import TokenPurpose
from saas.models.user import User
from tenants.resolver import TenantRecord

settings = load_settings()
out = {}
for locale in ("zh_CN", "en"):
    zone = "Asia/Shanghai"
    tenant = TenantRecord(1, "acme-co", "港口粮食", "active", "standard", 10, locale, zone)
    user = User(name="李雷 & Co", email="li@example.com", locale=None)
    for purpose in TokenPurpose:
        link = link_url("https://kaohe.example/", purpose, "acme-co", "SECRET_x-1")
        expires = dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.UTC)
        message = compose(settings, AccountMail(tenant, user, purpose, link, expires, "王芳"))
        out[f"{locale} {purpose.value}"] = {
            "subject": message["Subject"],
            "text": message.get_body(("plain",)).get_content(),
            "html": message.get_body(("html",)).get_content(),
        }
out["loaded"] = sorted(m for m in sys.modules if m.startswith(("flask", "saas.app", "saas.web")))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def mails(settings) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RENDER],
        env=worker_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_rendering_a_mail_imports_no_flask(mails):
    assert mails["loaded"] == []


def test_the_mail_speaks_the_readers_language(mails):
    zh, en = mails["zh_CN invite"], mails["en invite"]
    assert zh["subject"] == "港口粮食 邀请您使用 Kaohe"
    assert en["subject"] == "You are invited to 港口粮食 on Kaohe"
    assert mails["zh_CN reset"]["subject"] == "重置您在 港口粮食 的 Kaohe 密码"
    assert "李雷 & Co，您好：" in zh["text"] and "Hello 李雷 & Co," in en["text"]
    assert "设置密码" in zh["html"] and "Choose my password" in en["html"]
    assert '<html lang="zh-CN">' in zh["html"] and '<html lang="en">' in en["html"]


def test_html_is_escaped_and_plain_text_is_not(mails):
    for mail in (mails["zh_CN invite"], mails["en reset"]):
        assert "李雷 &amp; Co" in mail["html"] and "李雷 & Co" not in mail["html"]
        assert "李雷 & Co" in mail["text"] and "&amp;" not in mail["text"]


def test_dates_are_in_the_tenants_time_zone(mails):
    # 16:30 UTC on 3 December is 00:30 on 4 December in Shanghai.
    assert "2026/12/4 00:30" in mails["zh_CN invite"]["text"]
    assert "12/4/26, 12:30" in mails["en invite"]["text"]


def test_links_open_the_accounts_pages(mails):
    base = "https://kaohe.example/t/acme-co/accounts"
    for locale in ("zh_CN", "en"):
        invite, reset = mails[f"{locale} invite"], mails[f"{locale} reset"]
        for part in ("text", "html"):
            assert f"{base}/welcome/SECRET_x-1" in invite[part]
            assert f"{base}/reset/SECRET_x-1" in reset[part]
            assert "/reset/" not in invite[part] and "/welcome/" not in reset[part]


def test_link_paths_match_the_blueprint_routes(app):
    from flask import url_for

    with app.test_request_context():
        for purpose, endpoint in (
            (TokenPurpose.INVITE, "accounts.welcome"),
            (TokenPurpose.RESET, "accounts.reset"),
        ):
            for slug, secret in (("acme-co", "abc_DEF-123"), ("x1y", "a b/c")):
                assert link_path(purpose, slug, secret) == url_for(
                    endpoint, tenant_slug=slug, token=secret
                )
