"""Login timing does not tell which e-mail addresses have accounts (issue #11, item 5).

A wrong password for a known address costs one scrypt check; so must an unknown address, a
disabled account and an account without a password yet. Counting the calls of the hash check
that ``saas.passwords`` actually makes is deterministic, unlike a stopwatch.
"""

from __future__ import annotations

import secrets

import pytest
from werkzeug.security import check_password_hash

from saas import passwords
from saas.platform.admins import create_platform_admin
from tests.accounts.conftest import add_user
from tests.conftest import csrf_token, login


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The hashes every login checked a password against, in order."""
    checked: list[str] = []

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


def test_dummy_hash_is_made_like_a_real_one_and_once_per_process():
    from werkzeug.security import generate_password_hash

    real = generate_password_hash("some password")
    dummy = passwords.dummy_hash()
    assert dummy.split("$")[0] == real.split("$")[0]  # same method and parameters (scrypt:…)
    assert passwords.dummy_hash() is dummy


def test_every_failed_tenant_login_costs_one_hash_check(client, db, tenant, hash_checks):
    add_user(db, tenant, "gone@example.com", [], active=False)
    add_user(db, tenant, "invited@example.com", [], password=None)
    attempts = {
        "known, wrong password": tenant.admin_email,
        "unknown address": f"nobody-{secrets.token_hex(3)}@example.com",
        "disabled account": "gone@example.com",
        "no password set yet": "invited@example.com",
    }
    for case, email in attempts.items():
        before = len(hash_checks)
        response = login(client, tenant, password="not-the-password", email=email)
        assert response.status_code == 400, case
        assert len(hash_checks) == before + 1, case
    # The three accounts that cannot log in were checked against the dummy hash.
    assert hash_checks[1:] == [passwords.dummy_hash()] * 3
    assert hash_checks[0] != passwords.dummy_hash()
    assert login(client, tenant).status_code == 302  # the right password still works


def test_unknown_mobile_numbers_and_employee_numbers_cost_one_hash_check(
    client, db, tenant, hash_checks
):
    """The login field also takes a mobile number or an employee number: the unknown ones of
    every kind are checked against the dummy hash, known ones against their own."""
    from saas.models.people import Employee
    from saas.models.user import User
    from tenants.slugs import schema_for
    from tests.people.conftest import add_unit

    user_id = add_user(db, tenant, "cook@example.com", [], password="user-password-123")
    with db.tenant(schema_for(tenant.slug)) as session:
        unit = add_unit(session, "餐饮班组", kind="team")
        session.add(
            Employee(
                number="C001", name="张三", unit_id=unit.id, mobile="13800138001", user_id=user_id
            )
        )
        session.get(User, user_id).email = None  # a front-line account: no e-mail at all
    attempts = ["C001", "13800138001", "C999", "13900139000", "+86 139 0013 9000", "no such"]
    for identifier in attempts:
        before = len(hash_checks)
        response = login(client, tenant, password="not-the-password", email=identifier)
        assert response.status_code == 400, identifier
        assert len(hash_checks) == before + 1, identifier
    assert passwords.dummy_hash() not in hash_checks[:2]  # the real account's hash, twice
    assert hash_checks[2:] == [passwords.dummy_hash()] * 4
    assert login(client, tenant, password="user-password-123", email="C001").status_code == 302


def test_disabled_account_is_refused_even_with_its_right_password(client, db, tenant):
    add_user(db, tenant, "left@example.com", [], active=False, password="user-password-123")
    response = login(client, tenant, password="user-password-123", email="left@example.com")
    assert response.status_code == 400


def test_platform_login_of_an_unknown_address_costs_one_hash_check(app, db, hash_checks):
    email = f"ops-{secrets.token_hex(3)}@kaohe.example.com"
    with db.public() as session:
        create_platform_admin(session, email, "platform-password")
    browser = app.test_client()

    def attempt(address: str, password: str = "wrong-password") -> int:
        token = csrf_token(browser, "/platform/login")
        data = {"email": address, "password": password, "csrf_token": token}
        return browser.post("/platform/login", data=data).status_code

    assert attempt(email) == 400
    assert attempt(f"nobody-{secrets.token_hex(3)}@kaohe.example.com") == 400
    assert len(hash_checks) == 2
    assert hash_checks[1] == passwords.dummy_hash() != hash_checks[0]
    assert attempt(email, "platform-password") == 302
