"""One-time links: invitations (7 days) and password resets (1 hour).

A link carries 32 random bytes from ``secrets``; the database keeps only their SHA-256, so a
copy of the database or a backup cannot be turned into working links. Tokens live in the
tenant's own schema, so a link from one organisation finds nothing at another.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from saas.auth.sessions import end_sessions
from saas.models.tokens import AccountToken, TokenPurpose
from saas.models.user import User
from tenants.db import utcnow

LIFETIMES = {
    TokenPurpose.INVITE: dt.timedelta(days=7),
    TokenPurpose.RESET: dt.timedelta(hours=1),
}
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def invalidate_unused(
    session: Session, user_id: int, purpose: TokenPurpose | None, now: dt.datetime
) -> None:
    """Mark a user's open tokens (of one purpose, or all) used: their links stop working."""
    statement = update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.used_at.is_(None)
    )
    if purpose is not None:
        statement = statement.where(AccountToken.purpose == purpose)
    session.execute(statement.values(used_at=now), execution_options={"synchronize_session": False})


def issue(
    session: Session, user: User, purpose: TokenPurpose, actor: str, sheet_id: int | None = None
) -> tuple[AccountToken, str]:
    """A new token for ``user``; older unused ones of the same purpose stop working.

    ``sheet_id`` names the printed sheet the link goes on (saas/accounts/sheets.py).
    """
    now = utcnow()
    invalidate_unused(session, user.id, purpose, now)
    secret = new_secret()
    token = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=digest(secret),
        expires_at=now + LIFETIMES[purpose],
        created_by=actor,
        sheet_id=sheet_id,
    )
    session.add(token)
    session.flush()
    return token, secret


def reserve(
    session: Session, user: User, purpose: TokenPurpose, actor: str, sheet_id: int | None = None
) -> AccountToken:
    """A token whose secret the mail or sheet job chooses (see ``rotate``).

    The web request never holds the secret that will be mailed or printed, so the secret
    never has to pass through Redis or the worker's log; until the job runs, no link opens
    this token.
    """
    token, _unknown = issue(session, user, purpose, actor, sheet_id)
    return token


def rotate(token: AccountToken) -> str:
    """Give ``token`` a fresh secret and return it; any earlier secret stops working."""
    secret = new_secret()
    token.token_hash = digest(secret)
    return secret


class LinkState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    # Unknown, already used, superseded, or for a disabled account: one answer for all, so
    # the page reveals nothing about which links exist.
    INVALID = "invalid"


@dataclass(frozen=True)
class Link:
    state: LinkState
    token: AccountToken | None = None
    user: User | None = None


def find(session: Session, secret: str, purpose: TokenPurpose, *, lock: bool = False) -> Link:
    """Look a link's secret up; ``lock`` holds the token row until the transaction ends."""
    if not SECRET_PATTERN.fullmatch(secret):
        return Link(LinkState.INVALID)
    query = select(AccountToken).where(
        AccountToken.token_hash == digest(secret), AccountToken.purpose == purpose
    )
    token = session.scalar(query.with_for_update() if lock else query)
    if token is None or token.used_at is not None:
        return Link(LinkState.INVALID)
    user = session.get(User, token.user_id)
    if user is None or not user.is_active_account:
        return Link(LinkState.INVALID)
    if token.expires_at <= utcnow():
        return Link(LinkState.EXPIRED)
    return Link(LinkState.VALID, token, user)


def consume(session: Session, token: AccountToken, user: User, password_hash: str) -> None:
    """Set the password and spend the token, in the caller's transaction.

    Every other open link of the user (an older invitation, a reset) stops working too, and
    so does every login made with the old password.
    """
    now = utcnow()
    user.password_hash = password_hash
    token.used_at = now
    end_sessions(session, user)
    invalidate_unused(session, user.id, None, now)
