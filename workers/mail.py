"""Mail jobs: invitation and password-reset links, sent off the web request.

A job gets a tenant slug and a token id, never a link: the link's secret is chosen here, just
before sending, and only its hash is stored, so no secret passes through Redis or a job log.
Re-running a job that already sent its mail sends nothing (a marker in Redis, kept as long
as any link lives); a job whose send failed picks a fresh secret on retry, so only the link
in the mail that actually left works.
"""

from __future__ import annotations

from functools import cache

from flask import Flask, g
from flask_babel import force_locale
from redis import Redis
from rq import Retry
from sqlalchemy import select

from saas.accounts import tokens
from saas.accounts.mail import AccountMail, compose, send
from saas.config import Settings
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import User
from tenants.db import utcnow
from workers.queues import job_queue
from workers.runtime import JobContext, tenant_context

SENT_MARKER_SECONDS = 8 * 24 * 3600  # longer than the longest-lived link (7 days)


@cache
def _mail_app(settings: Settings) -> Flask:
    # The mail templates use the app's Jinja set-up, translations and url_for.
    from saas.app import create_app

    return create_app(settings)


def _marker(ctx: JobContext, token_id: int) -> str:
    return f"kaohe:mail-sent:{ctx.settings.queue_name}:{ctx.tenant.slug}:{token_id}"


def send_account_mail(slug: str, token_id: int) -> dict[str, object]:
    """Mail the link of one invitation or reset token of tenant ``slug``."""
    ctx = tenant_context(slug)
    redis = Redis.from_url(ctx.settings.redis_url)
    marker = _marker(ctx, token_id)
    if redis.exists(marker):
        return {"sent": False, "reason": "already sent"}
    with ctx.db.tenant(ctx.schema) as session:
        token = session.scalar(
            select(AccountToken).where(AccountToken.id == token_id).with_for_update()
        )
        user = session.get(User, token.user_id) if token is not None else None
        reason = _unsendable(token, user)
        if reason:
            return {"sent": False, "reason": reason}
        secret = tokens.rotate(token)
        session.flush()
        message = _message(ctx, token, user, secret)
    # Committed before sending: a link in a mail always opens a stored token.
    send(ctx.settings, message)
    redis.set(marker, "1", ex=SENT_MARKER_SECONDS)
    return {"sent": True, "purpose": token.purpose, "user_id": user.id}


def _unsendable(token: AccountToken | None, user: User | None) -> str | None:
    if token is None or user is None:
        return "unknown token"
    if token.used_at is not None:
        return "token already used or replaced"
    if token.expires_at <= utcnow():
        return "token expired"
    if not user.is_active_account:
        return "account disabled"
    return None


def _message(ctx: JobContext, token: AccountToken, user: User, secret: str):
    app = _mail_app(ctx.settings)
    purpose = TokenPurpose(token.purpose)
    endpoint = "accounts.welcome" if purpose is TokenPurpose.INVITE else "accounts.reset"
    locale = user.locale or ctx.tenant.locale
    with app.test_request_context("/"), force_locale(locale):
        g.tenant = ctx.tenant  # dates in the mail use the tenant's time zone
        path = app.url_for(endpoint, tenant_slug=ctx.tenant.slug, token=secret)
        mail = AccountMail(
            tenant=ctx.tenant,
            user=user,
            purpose=purpose,
            link=ctx.settings.base_url + path,
            expires_at=token.expires_at,
            sender_name=token.created_by,
        )
        return compose(ctx.settings, mail)


def enqueue_account_mail(settings: Settings, connection: Redis, slug: str, token_id: int) -> str:
    """Queue the mail job; returns the job id."""
    job = job_queue(settings, connection).enqueue(
        send_account_mail,
        slug,
        token_id,
        retry=Retry(max=3, interval=[10, 60, 300]),
        job_timeout=120,
        result_ttl=24 * 3600,
        failure_ttl=7 * 24 * 3600,
    )
    return job.id
