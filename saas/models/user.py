"""People who log in to a tenant, and the roles they hold."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from saas import passwords
from tenants.db import TenantBase, created_at_column


class Role(enum.StrEnum):
    TENANT_ADMIN = "tenant_admin"
    COMMITTEE = "committee"
    MANAGER = "manager"
    INSPECTOR = "inspector"
    EMPLOYEE = "employee"
    PROVIDER = "provider"  # an outsourced provider's contact, confined to their provider


class User(TenantBase):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None for front-line staff without a work address: they log in with their employee
    # record's number or mobile number. Set, it equals the linked employee's e-mail.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Carried in every login of this user (saas/auth/accounts.py); raising it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, role: Role) -> bool:
        return role in self.role_names


class UserRole(TenantBase):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(
            "role in ('tenant_admin', 'committee', 'manager', 'inspector', 'employee', 'provider')",
            name="known_role",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")
