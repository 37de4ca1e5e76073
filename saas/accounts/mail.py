"""Invitation and password-reset mail, sent through the SMTP server KAOHE_SMTP_URL names.

``smtp://user:pass@host:587`` talks plain SMTP and upgrades with STARTTLS when the server
offers it (required as soon as the URL carries credentials: a password never crosses the
network in clear); ``smtps://host:465`` uses TLS from the first byte. Links are never logged:
nothing here logs a message body.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from saas.config import Settings
from saas.models.tokens import TokenPurpose
from saas.models.user import User
from saas.rendering import render, supported_locale, translator
from tenants.resolver import TenantRecord


class MailError(RuntimeError):
    """Mail could not be sent; the message says why (never with a password or a link)."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("KAOHE_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        implicit_tls=implicit,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mail_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_url)


def send(settings: Settings, message: EmailMessage, *, timeout: float = 30) -> None:
    """Deliver ``message`` to the configured SMTP server, or raise MailError."""
    if not settings.smtp_url:
        raise MailError("no SMTP server is configured (KAOHE_SMTP_URL)")
    server = parse_smtp_url(settings.smtp_url)
    context = ssl.create_default_context()
    try:
        if server.implicit_tls:
            with smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context) as s:
                _deliver(s, server, message)
        else:
            with smtplib.SMTP(server.host, server.port, timeout=timeout) as s:
                _upgrade(s, server, context)
                _deliver(s, server, message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"sending through {server.host}:{server.port} failed: {exc}") from exc


def _upgrade(connection: smtplib.SMTP, server: SmtpServer, context: ssl.SSLContext) -> None:
    connection.ehlo()
    if connection.has_extn("starttls"):
        connection.starttls(context=context)
        connection.ehlo()
    elif server.username:
        raise MailError(
            f"{server.host}:{server.port} does not offer STARTTLS; "
            "refusing to send the SMTP password in clear (use smtps:// or a TLS-capable server)"
        )


def _deliver(connection: smtplib.SMTP, server: SmtpServer, message: EmailMessage) -> None:
    if server.username:
        connection.login(server.username, server.password or "")
    connection.send_message(message)


@dataclass(frozen=True)
class AccountMail:
    tenant: TenantRecord
    user: User
    purpose: TokenPurpose
    link: str
    expires_at: dt.datetime
    sender_name: str | None = None

    @property
    def locale(self) -> str:
        """The reader's language: their own choice, else their organisation's."""
        return supported_locale(self.user.locale, self.tenant.locale)


def compose(settings: Settings, mail: AccountMail) -> EmailMessage:
    """The message in plain text and HTML, in the reader's language, rendered without Flask."""
    _ = translator(mail.locale)
    name = "invitation" if mail.purpose is TokenPurpose.INVITE else "reset"
    if mail.purpose is TokenPurpose.INVITE:
        subject = _("You are invited to %(organisation)s on Kaohe", organisation=mail.tenant.name)
    else:
        subject = _("Reset your Kaohe password for %(organisation)s", organisation=mail.tenant.name)
    context = {"mail": mail, "tenant": mail.tenant, "user": mail.user}
    where = {"locale": mail.locale, "time_zone": mail.tenant.time_zone}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = formataddr((mail.user.name, mail.user.email))
    message["Message-ID"] = make_msgid(domain="kaohe")
    message.set_content(render(f"email/{name}.txt", **where, **context))
    message.add_alternative(render(f"email/{name}.html", **where, **context), subtype="html")
    return message
