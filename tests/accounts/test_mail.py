"""Mail through a real local SMTP server (aiosmtpd), sent by a real worker process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import ipaddress
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from saas.accounts import tokens
from saas.accounts.mail import MailError, send
from saas.app import create_app
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import Role, User
from tenants.slugs import schema_for
from tests.accounts.conftest import (
    NEW_PASSWORD,
    add_user,
    english,
    invite,
    link_in,
    logged_in,
    set_password,
    user_by_email,
)
from tests.conftest import csrf_token, login, worker_env


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not self.to(address):
                left = deadline - time.monotonic()
                assert left > 0, f"no mail to {address} within {timeout}s"
                self._arrived.wait(left)
            return self.to(address)[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(inbox: Inbox, **options) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


def main_part(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.fixture(scope="module")
def inbox():
    box = Inbox()
    controller = start_server(box)
    box.url = f"smtp://127.0.0.1:{controller.port}"
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def mail_settings(settings, inbox):
    return dataclasses.replace(
        settings, smtp_url=inbox.url, queue_name=f"kaohe-mail-{secrets.token_hex(4)}"
    )


@pytest.fixture(scope="module")
def mail_worker(mail_settings):
    """A real worker on its own queue, configured with the test SMTP server."""
    log = Path(mail_settings.instance) / f"{mail_settings.queue_name}.log"
    env = {**worker_env(mail_settings), "KAOHE_SMTP_URL": mail_settings.smtp_url}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "saas.cli", "worker"], env=env, stdout=out, stderr=out
        )
    time.sleep(0.5)
    assert process.poll() is None, log.read_text()
    yield log
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def mail_app(mail_settings, db):
    application = create_app(mail_settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["kaohe.db"].dispose()


def test_invitation_is_mailed_by_the_worker_and_its_link_works(
    mail_app, mail_worker, inbox, db, tenant
):
    admin = logged_in(mail_app, tenant)
    address = f"mailed@{tenant.slug}.example.com"
    response = invite(admin, tenant, address, ["committee"], name="李雷", locale="en")
    assert response.status_code == 302  # no link on the page: it goes by mail
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Invitation sent to {address}" in page
    message = inbox.wait_for(address)
    assert message["Subject"] == f"You are invited to {tenant.name} on Kaohe"
    assert "李雷" in message["To"]
    text, html = bodies(message)
    link = link_in(text)
    assert link in html and link.startswith(f"/t/{tenant.slug}/accounts/welcome/")
    assert tenant.admin_email in text  # who invited them
    # The link from the mail opens the welcome page and sets the password.
    visitor = english(mail_app.test_client())
    assert visitor.get(link).status_code == 200
    assert set_password(visitor, link, name="李雷").status_code == 302
    assert login(visitor, tenant, email=address, password=NEW_PASSWORD).status_code == 302
    # The secret is nowhere in the worker's log.
    assert link.rsplit("/", 1)[1] not in mail_worker.read_text()


def test_invitation_mail_follows_the_chosen_language(mail_app, mail_worker, inbox, tenant):
    admin = logged_in(mail_app, tenant)
    address = f"zh@{tenant.slug}.example.com"
    assert invite(admin, tenant, address, locale="zh_CN").status_code == 302
    message = inbox.wait_for(address)
    text, _html = bodies(message)
    assert tenant.name in message["Subject"]
    assert "You are invited" not in message["Subject"]
    assert link_in(text)


def test_forgot_password_mails_a_reset_link_only_to_registered_addresses(
    mail_app, mail_worker, inbox, db, tenant
):
    visitor = english(mail_app.test_client())
    page = visitor.get(f"/t/{tenant.slug}/accounts/forgot").get_data(as_text=True)
    assert 'name="email"' in page
    token = csrf_token(visitor, f"/t/{tenant.slug}/accounts/forgot")

    def ask(address: str):
        return visitor.post(
            f"/t/{tenant.slug}/accounts/forgot", data={"email": address, "csrf_token": token}
        )

    stranger = f"stranger@{tenant.slug}.example.com"
    known, unknown = ask(tenant.admin_email.upper()), ask(stranger)
    assert known.status_code == unknown.status_code == 200
    assert "If the address is registered here" in known.get_data(as_text=True)
    assert main_part(known) == main_part(unknown)
    message = inbox.wait_for(tenant.admin_email)
    link = link_in(bodies(message)[0])
    assert "/accounts/reset/" in link
    assert set_password(visitor, link).status_code == 302
    assert login(visitor, tenant, password=NEW_PASSWORD).status_code == 302
    time.sleep(1)
    assert not inbox.to(stranger)
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.scalar(select(AccountToken).where(AccountToken.used_at.is_(None))) is None


def test_a_disabled_account_gets_no_reset_mail(mail_app, mail_worker, inbox, db, tenant):
    address = f"off@{tenant.slug}.example.com"
    add_user(db, tenant, address, [Role.EMPLOYEE], active=False)
    visitor = mail_app.test_client()
    token = csrf_token(visitor, f"/t/{tenant.slug}/accounts/forgot")
    answer = visitor.post(
        f"/t/{tenant.slug}/accounts/forgot", data={"email": address, "csrf_token": token}
    )
    assert answer.status_code == 200
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.scalar(select(AccountToken)) is None


def _reserve(db, tenant, email: str, purpose=TokenPurpose.RESET) -> tuple[int, str]:
    with db.tenant(schema_for(tenant.slug)) as session:
        user = session.scalar(select(User).where(User.email == email))
        token = tokens.reserve(session, user, purpose, "test")
        return token.id, token.token_hash


@pytest.fixture
def job_env(monkeypatch, mail_settings):
    """The environment a worker has, so the job can be run in this process."""
    for key, value in worker_env(mail_settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KAOHE_SMTP_URL", mail_settings.smtp_url)


def test_the_mail_job_is_idempotent(job_env, inbox, db, tenant):
    from workers.jobs.mail import send_account_mail

    token_id, placeholder = _reserve(db, tenant, tenant.admin_email)
    first = send_account_mail(tenant.slug, token_id)
    second = send_account_mail(tenant.slug, token_id)
    assert first["sent"] is True and second == {"sent": False, "reason": "already sent"}
    assert len(inbox.to(tenant.admin_email)) == 1
    secret = link_in(bodies(inbox.to(tenant.admin_email)[0])[0]).rsplit("/", 1)[1]
    with db.tenant(schema_for(tenant.slug)) as session:
        stored = session.get(AccountToken, token_id).token_hash
    assert stored == tokens.digest(secret) != placeholder


def test_the_mail_job_sends_nothing_for_spent_or_expired_tokens(job_env, inbox, db, tenant):
    from workers.jobs.mail import send_account_mail

    spent, _hash = _reserve(db, tenant, tenant.admin_email)
    expired, _hash = _reserve(db, tenant, tenant.admin_email)  # replaces `spent`
    with db.tenant(schema_for(tenant.slug)) as session:
        session.get(AccountToken, expired).expires_at = dt.datetime.now(dt.UTC)
    assert send_account_mail(tenant.slug, spent)["sent"] is False
    assert send_account_mail(tenant.slug, expired)["sent"] is False
    assert send_account_mail(tenant.slug, 987654)["sent"] is False
    assert not inbox.to(tenant.admin_email)


def test_a_failed_send_raises_for_a_retry_and_leaves_no_working_link(
    monkeypatch, mail_settings, db, tenant
):
    from workers.jobs.mail import send_account_mail

    for key, value in worker_env(mail_settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KAOHE_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    token_id, placeholder = _reserve(db, tenant, tenant.admin_email)
    with pytest.raises(MailError):
        send_account_mail(tenant.slug, token_id)
    with db.tenant(schema_for(tenant.slug)) as session:
        token = session.get(AccountToken, token_id)
        assert token.used_at is None and token.token_hash != placeholder  # retry can still send


# -- TLS and credentials --------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE in the tests."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kaohe@localhost", to, "test"
    message.set_content("hello")
    return message


def _authenticator(logins: list):
    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"mailer" and auth_data.password == b"p@ss word"
        logins.append(ok)
        return AuthResult(success=ok)

    return check


def test_starttls_then_login_with_credentials_from_the_url(settings, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    box, logins = Inbox(), []
    controller = start_server(
        box,
        tls_context=_server_context(certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticator(logins),
    )
    try:
        url = f"smtp://mailer:p%40ss%20word@127.0.0.1:{controller.port}"
        send(dataclasses.replace(settings, smtp_url=url), _message("tls@example.com"))
    finally:
        controller.stop()
    assert logins == [True]
    assert box.to("tls@example.com")


def test_smtps_uses_tls_from_the_first_byte(settings, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    box = Inbox()
    controller = start_server(box, ssl_context=_server_context(certificate))
    try:
        url = f"smtps://127.0.0.1:{controller.port}"
        send(dataclasses.replace(settings, smtp_url=url), _message("implicit@example.com"))
    finally:
        controller.stop()
    assert box.to("implicit@example.com")


def test_a_password_is_never_sent_to_a_server_without_tls(settings, inbox):
    url = inbox.url.replace("smtp://", "smtp://mailer:secret@")
    with pytest.raises(MailError, match="STARTTLS"):
        send(dataclasses.replace(settings, smtp_url=url), _message("clear@example.com"))
    assert not inbox.to("clear@example.com")


def test_an_untrusted_certificate_is_refused(settings, certificate):
    box = Inbox()
    controller = start_server(box, tls_context=_server_context(certificate), require_starttls=True)
    try:
        url = f"smtp://127.0.0.1:{controller.port}"
        with pytest.raises(MailError):
            send(dataclasses.replace(settings, smtp_url=url), _message("mitm@example.com"))
    finally:
        controller.stop()
    assert not box.to("mitm@example.com")


def test_admin_issued_reset_goes_by_mail_when_mail_is_set_up(
    mail_app, mail_worker, inbox, db, tenant
):
    address = f"r@{tenant.slug}.example.com"
    user = add_user(db, tenant, address, [Role.EMPLOYEE])
    admin = logged_in(mail_app, tenant)
    token = csrf_token(admin, f"/t/{tenant.slug}/accounts/")
    response = admin.post(
        f"/t/{tenant.slug}/accounts/{user}/reset-link", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert "/accounts/reset/" not in admin.get(response.headers["Location"]).get_data(as_text=True)
    link = link_in(bodies(inbox.wait_for(address))[0])
    assert "/accounts/reset/" in link
    assert user_by_email(db, tenant, address).is_active_account


def test_create_accounts_mails_people_with_an_email_and_prints_the_others(
    mail_app, mail_worker, inbox, db, tenant
):
    from tests.people.conftest import add_employee, add_unit

    address = f"wang@{tenant.slug}.example.com"
    with db.tenant(schema_for(tenant.slug)) as session:
        unit = add_unit(session, "保洁班组", kind="team")
        cleaner = add_employee(session, "Q001", "王五", unit, email=address).id
        cook = add_employee(session, "C001", "张三丰", unit).id
    admin = logged_in(mail_app, tenant)
    token = csrf_token(admin, f"/t/{tenant.slug}/people/")
    response = admin.post(
        f"/t/{tenant.slug}/people/accounts",
        data={"employee": [cleaner, cook], "csrf_token": token},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert address in body and "1 set-up card to print" in body
    link = link_in(bodies(inbox.wait_for(address))[0])
    visitor = english(mail_app.test_client())
    assert set_password(visitor, link, name="王五").status_code == 302
    assert login(visitor, tenant, email="Q001", password=NEW_PASSWORD).status_code == 302
    with db.tenant(schema_for(tenant.slug)) as session:
        printed = session.scalars(
            select(AccountToken.sheet_id).join(User, User.id == AccountToken.user_id)
        ).all()
    # Two links: the mailed one on no sheet, the other on the sheet.
    assert len(printed) == 2 and sum(sheet is None for sheet in printed) == 1


def test_a_new_link_for_an_account_without_email_is_shown_not_mailed(mail_app, db, tenant, inbox):
    """Mail is set up, but the person has no address: the accounts page shows the link once,
    with a QR code to scan from the screen."""
    from tests.people.conftest import add_employee, add_unit

    with db.tenant(schema_for(tenant.slug)) as session:
        cook = add_employee(session, "C001", "张三丰", add_unit(session, "食堂", kind="team")).id
    admin = logged_in(mail_app, tenant)
    token = csrf_token(admin, f"/t/{tenant.slug}/people/")
    admin.post(f"/t/{tenant.slug}/people/accounts", data={"employee": cook, "csrf_token": token})
    with db.tenant(schema_for(tenant.slug)) as session:
        user_id = session.scalar(select(User.id).where(User.email.is_(None)))
    sent_before = len(inbox.messages)
    response = admin.post(
        f"/t/{tenant.slug}/accounts/{user_id}/invitation", data={"csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page and "C001" in page
    link = link_in(page)
    assert english(mail_app.test_client()).get(link).status_code == 200
    assert len(inbox.messages) == sent_before
