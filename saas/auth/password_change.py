"""Changing one's own password: the current one is checked, and every other login ends."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from saas import passwords
from saas.auth.permissions import Actor
from saas.auth.sessions import Account, end_sessions, own_user
from saas.models.audit import record
from saas.models.user import User
from saas.validation import Invalid


def set_new_password(session: Session, account: Account, current: str, new: str) -> None:
    """Check ``current``, then store ``new`` and end every earlier login of the account."""
    if not passwords.verify(account.password_hash, current):
        raise Invalid(_l("This is not your current password."), "current")
    account.password_hash = generate_password_hash(new)
    end_sessions(session, account)


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> User:
    """A tenant user changes their password; their other logins end."""
    user = own_user(session, actor)
    set_new_password(session, user, current, new)
    record(session, actor.email, "user.password_changed", "user", user.id)
    return user
