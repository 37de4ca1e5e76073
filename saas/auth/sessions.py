"""Ending logins: every login carries its account's session version (saas/auth/accounts.py),
so raising the version ends every login of that account made so far, on every device and in
every copied cookie, at its next request.

Logging out, changing or resetting a password and "log out everywhere" all raise it. Tenant
users and platform admins work the same way; only where their rows and audit trail live differs.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from saas import passwords
from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.user import User
from saas.validation import Invalid
from tenants.registry import PlatformAdmin

Account = User | PlatformAdmin


def end_sessions(session: Session, account: Account) -> None:
    """Every login of ``account`` made so far stops working.

    Written as ``session_version + 1`` in SQL, so two requests ending sessions at once both
    count; the attribute is read back on its next use.
    """
    account.session_version = type(account).session_version + 1
    session.flush()


def set_new_password(session: Session, account: Account, current: str, new: str) -> None:
    """Check ``current``, then store ``new`` and end every earlier login of the account."""
    if not passwords.verify(account.password_hash, current):
        raise Invalid(_l("This is not your current password."), "current")
    account.password_hash = generate_password_hash(new)
    end_sessions(session, account)


def _own_user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    if user is None:  # the principal was read in this request: only a race gets here
        raise LookupError(f"user {actor.user_id} does not exist")
    return user


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> User:
    """A tenant user changes their password; their other logins end."""
    user = _own_user(session, actor)
    set_new_password(session, user, current, new)
    record(session, actor.email, "user.password_changed", "user", user.id)
    return user


def log_out_everywhere(session: Session, actor: Actor) -> None:
    """A tenant user ends every login of theirs, this one included."""
    user = _own_user(session, actor)
    end_sessions(session, user)
    record(session, actor.email, "user.logged_out_everywhere", "user", user.id)
