"""Mail jobs: invitation and password-reset links, sent off the web request.

A job gets a tenant slug and a token id, never a link: the link's secret is chosen here, just
before sending, and only its hash is stored, so no secret passes through Redis or a job log.
Re-running a job that already sent its mail sends nothing (a marker in Redis, kept as long
as any link lives); a job whose send failed picks a fresh secret on retry, so only the link
in the mail that actually left works. The mail is rendered without Flask (saas/rendering.py).
"""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from saas.accounts import tokens
from saas.accounts.links import link_url
from saas.accounts.mail import AccountMail, compose, send
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import User
from tenants.db import utcnow
from workers.queues import redis_connection
from workers.runtime import JobContext, tenant_job

SENT_MARKER_SECONDS = 8 * 24 * 3600  # longer than the longest-lived link (7 days)


def _marker(ctx: JobContext, token_id: int) -> str:
    return f"kaohe:mail-sent:{ctx.settings.queue_name}:{ctx.tenant.slug}:{token_id}"


@tenant_job
def send_account_mail(ctx: JobContext, token_id: int) -> dict[str, object]:
    """Mail the link of one invitation or reset token of the job's tenant."""
    redis = redis_connection(ctx.settings)
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
        message = account_message(ctx, token, user, secret)
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


def account_message(ctx: JobContext, token: AccountToken, user: User, secret: str) -> EmailMessage:
    """The mail carrying ``secret``'s link, in the user's language, dates in the tenant's zone."""
    purpose = TokenPurpose(token.purpose)
    mail = AccountMail(
        tenant=ctx.tenant,
        user=user,
        purpose=purpose,
        link=link_url(ctx.settings.base_url, purpose, ctx.tenant.slug, secret),
        expires_at=token.expires_at,
        sender_name=token.created_by,
    )
    return compose(ctx.settings, mail)
