"""Onboarding a client organisation, and suspending, resuming and dropping one.

Creating a tenant is one PostgreSQL transaction — the tenancy half (registry row, schema from
the pool or the DDL, migration stamp) and this application half (platform authority, the
tenant's signing identity, first admin, set-up link, audit rows) — so a failure at any step
leaves nothing behind (a pooled schema it claimed goes back to the pool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

import saas.models  # noqa: F401  (every tenant table, for the schema's DDL)
from saas.accounts.tokens import issue as issue_token
from saas.config import Settings
from saas.models.audit import record
from saas.models.tokens import TokenPurpose
from saas.models.user import Role, User, UserRole
from saas.signing.authority import ensure_platform_authority
from saas.signing.identity import create_signing_identity
from saas.validation import EMAIL_PATTERN
from tenants.db import Database
from tenants.provisioning import (
    ProvisioningError,
    TenantFields,
    drop,
    provision,
    resume,
    snapshot,
    suspend,
)
from tenants.registry import Tenant
from tenants.slugs import validate_slug

LOCALES = ("zh_CN", "en")
REASON_MAX = 500

__all__ = [
    "REASON_MAX",
    "NewTenant",
    "ProvisioningError",
    "create_tenant",
    "drop_tenant",
    "resume_tenant",
    "suspend_tenant",
]


@dataclass(frozen=True)
class NewTenant:
    slug: str
    name: str
    admin_email: str
    # Without a password, the first admin gets a one-time link to set one (valid 7 days).
    setup_link: str | None

    @property
    def setup_path(self) -> str | None:
        """The link without KAOHE_BASE_URL, for a page that knows the address it is served at."""
        return urlsplit(self.setup_link).path if self.setup_link else None


def _validate(slug: str, name: str, admin_email: str, locale: str) -> None:
    validate_slug(slug)
    if not name.strip():
        raise ProvisioningError("The organisation needs a name.")
    if not EMAIL_PATTERN.fullmatch(admin_email):
        raise ProvisioningError(f"{admin_email!r} is not an e-mail address.")
    if locale not in LOCALES:
        raise ProvisioningError(f"Locale must be one of {', '.join(LOCALES)}.")


def _add_admin(session: Session, email: str, password_hash: str | None) -> User:
    admin = User(email=email.lower(), name=email.split("@")[0], password_hash=password_hash)
    admin.roles = [UserRole(role=Role.TENANT_ADMIN)]
    session.add(admin)
    session.flush()
    return admin


def _setup_link(session: Session, settings: Settings, slug: str, admin: User, actor: str) -> str:
    _token, secret = issue_token(session, admin, TokenPurpose.INVITE, actor)
    return f"{settings.base_url}/t/{slug}/accounts/welcome/{secret}"


def create_tenant(
    db: Database,
    settings: Settings,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    *,
    locale: str = "zh_CN",
    time_zone: str = "Asia/Shanghai",
    plan: str = "standard",
    seat_limit: int = 50,
    actor: str = "cli",
    after_tables: Callable[[Connection], None] | None = None,
) -> NewTenant:
    """Create a tenant atomically; ``after_tables`` lets tests fail the creation mid-way.

    Without ``admin_password`` the first admin is invited: the result carries a one-time link
    to set a password, and onboarding does no slow password hashing at all.
    """
    slug, name, admin_email = slug.strip(), name.strip(), admin_email.strip().lower()
    _validate(slug, name, admin_email, locale)
    # Hashing is deliberately slow (scrypt); do it before the transaction, not inside it.
    password_hash = generate_password_hash(admin_password) if admin_password else None
    fields = TenantFields(slug, name, locale, time_zone, plan, seat_limit)
    with db.engine.begin() as connection:
        public = Session(connection, join_transaction_mode="rollback_only")
        tenant = provision(connection, public, fields)
        if after_tables is not None:
            after_tables(connection)
        authority = ensure_platform_authority(public, settings.key_passphrase)
        own = Session(
            db.bind_tenant(connection, tenant.schema), join_transaction_mode="rollback_only"
        )
        create_signing_identity(own, authority, slug, name, settings.key_passphrase)
        admin = _add_admin(own, admin_email, password_hash)
        link = None if password_hash else _setup_link(own, settings, slug, admin, actor)
        record(own, actor, "tenant.created", "user", admin.id, after={"email": admin.email})
        own.flush()
        record(
            public, actor, "tenant.created", "tenant", slug, after=snapshot(tenant), platform=True
        )
        public.flush()
    return NewTenant(slug, name, admin_email, link)


def suspend_tenant(db: Database, slug: str, reason: str, actor: str = "cli") -> Tenant:
    """Suspend a tenant; the reason is kept in the platform's audit log."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ProvisioningError("Say why the tenant is suspended.")
    if len(reason) > REASON_MAX:
        raise ProvisioningError(f"The reason is longer than {REASON_MAX} characters.")
    with db.public() as session:
        before, tenant = suspend(session, slug)
        after = {**snapshot(tenant), "reason": reason}
        record(session, actor, "tenant.suspended", "tenant", slug, before, after, platform=True)
    return tenant


def resume_tenant(db: Database, slug: str, actor: str = "cli") -> Tenant:
    """Give a suspended tenant back the status it had before, audited."""
    with db.public() as session:
        before, tenant = resume(session, slug)
        record(
            session,
            actor,
            "tenant.resumed",
            "tenant",
            slug,
            before,
            snapshot(tenant),
            platform=True,
        )
    return tenant


def drop_tenant(db: Database, slug: str, actor: str = "cli") -> None:
    """Delete a tenant's schema with all its data, and its registry row, in one transaction."""
    with db.public() as session:
        before = drop(session, slug)
        record(session, actor, "tenant.dropped", "tenant", slug, before, None, platform=True)
