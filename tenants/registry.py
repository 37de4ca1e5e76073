"""The tenant registry and platform admins, in the public schema."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.db import PublicBase, created_at_column
from tenants.slugs import schema_for


class TenantStatus(enum.StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Tenant(PublicBase):
    __tablename__ = "tenant"
    __table_args__ = (
        CheckConstraint("status in ('trial', 'active', 'suspended')", name="status"),
        CheckConstraint("seat_limit > 0", name="seat_limit_positive"),
        CheckConstraint("suspended_from in ('trial', 'active')", name="suspended_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.TRIAL)
    plan: Mapped[str] = mapped_column(String(40), default="standard")
    seat_limit: Mapped[int] = mapped_column(Integer, default=50)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    created_at: Mapped[dt.datetime] = created_at_column()
    # While suspended: the status it had, which resuming gives back.
    suspended_from: Mapped[str | None] = mapped_column(String(16))

    @property
    def schema(self) -> str:
        return schema_for(self.slug)

    @property
    def is_suspended(self) -> bool:
        return self.status == TenantStatus.SUSPENDED


class PlatformAdmin(PublicBase):
    __tablename__ = "platform_admin"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = created_at_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Carried in every login of this admin (saas/auth/accounts.py); raising it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def find_tenant(session: Session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


def all_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.slug)))


class PooledSchema(PublicBase):
    """A tenant schema built ahead of time, with every table at the tenant head, waiting to be
    renamed to ``tenant_<slug>`` when an organisation is onboarded."""

    __tablename__ = "schema_pool"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    created_at: Mapped[dt.datetime] = created_at_column()
