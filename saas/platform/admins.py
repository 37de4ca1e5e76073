"""Platform admin accounts, in the public schema."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from saas import passwords
from saas.auth.password_change import set_new_password
from saas.auth.sessions import end_sessions
from saas.models.audit import record
from saas.platform.onboarding import ProvisioningError
from saas.validation import EMAIL_PATTERN
from tenants.registry import PlatformAdmin

MIN_PASSWORD_LENGTH = 10


def create_platform_admin(session: Session, email: str, password: str) -> PlatformAdmin:
    email = email.strip().lower()
    if not EMAIL_PATTERN.fullmatch(email):
        raise ProvisioningError(f"{email!r} is not an e-mail address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ProvisioningError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if find_platform_admin(session, email) is not None:
        raise ProvisioningError(f"A platform admin {email!r} already exists.")
    admin = PlatformAdmin(email=email, password_hash=generate_password_hash(password))
    session.add(admin)
    session.flush()
    record(
        session,
        "cli",
        "platform_admin.created",
        "platform_admin",
        admin.id,
        after={"email": email},
        platform=True,
    )
    return admin


def find_platform_admin(session: Session, email: str) -> PlatformAdmin | None:
    return session.scalar(
        select(PlatformAdmin).where(func.lower(PlatformAdmin.email) == email.strip().lower())
    )


def authenticate(session: Session, email: str, password: str) -> PlatformAdmin | None:
    admin = find_platform_admin(session, email)
    # An unknown address still costs one hash check: timing must not reveal who has an account.
    if not passwords.verify(admin.password_hash if admin else None, password):
        return None
    return admin


def change_admin_password(session: Session, admin: PlatformAdmin, current: str, new: str) -> None:
    """A platform admin changes their password; their other logins end."""
    set_new_password(session, admin, current, new)
    record(
        session,
        admin.email,
        "platform_admin.password_changed",
        "platform_admin",
        admin.id,
        platform=True,
    )


def log_admin_out_everywhere(session: Session, admin: PlatformAdmin) -> None:
    """A platform admin ends every login of theirs, this one included."""
    end_sessions(session, admin)
    record(
        session,
        admin.email,
        "platform_admin.logged_out_everywhere",
        "platform_admin",
        admin.id,
        platform=True,
    )
