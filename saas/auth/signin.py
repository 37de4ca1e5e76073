"""Starting a logged-in session: after a password check, and after a password is set
through a set-up or reset link (whoever holds the link has just proved who they are)."""

from __future__ import annotations

from flask import g
from flask_login import login_user
from sqlalchemy.orm import Session

from saas.auth.accounts import load_tenant_principal
from saas.models.user import User
from saas.web.i18n import clear_session_keeping_language
from tenants.db import utcnow


def sign_in(session: Session, user: User) -> None:
    """Log ``user`` in on a fresh session (nothing of an earlier visitor's carries over),
    committing the request's transaction with the login time."""
    user.last_login_at = utcnow()
    session.commit()
    start_session(session, user)


def start_session(session: Session, user: User) -> None:
    """A fresh session for ``user``, carrying their current session version: a login from
    before their last logout, password change or reset stays ended."""
    principal = load_tenant_principal(session, user.id, user.session_version, slug=g.tenant.slug)
    clear_session_keeping_language()
    login_user(principal)
