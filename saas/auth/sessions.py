"""Ending logins: every login carries its account's session version (saas/auth/accounts.py),
so raising the version ends every login of that account made so far, on every device and in
every copied cookie, at its next request.

Logging out, changing or resetting a password (saas/auth/password_change.py,
saas/accounts/tokens.py) and "log out everywhere" all raise it. Tenant users and platform
admins work the same way; only where their rows and audit trail live differs. No Flask here:
the mail worker resets passwords through this module too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.user import User
from tenants.registry import PlatformAdmin

Account = User | PlatformAdmin


def end_sessions(session: Session, account: Account) -> None:
    """Every login of ``account`` made so far stops working.

    Written as ``session_version + 1`` in SQL, so two requests ending sessions at once both
    count; the attribute is read back on its next use.
    """
    account.session_version = type(account).session_version + 1
    session.flush()


def own_user(session: Session, actor: Actor) -> User:
    """The acting tenant user's own row."""
    user = session.get(User, actor.user_id)
    if user is None:  # the principal was read in this request: only a race gets here
        raise LookupError(f"user {actor.user_id} does not exist")
    return user


def log_out_everywhere(session: Session, actor: Actor) -> None:
    """A tenant user ends every login of theirs, this one included."""
    user = own_user(session, actor)
    end_sessions(session, user)
    record(session, actor.email, "user.logged_out_everywhere", "user", user.id)
