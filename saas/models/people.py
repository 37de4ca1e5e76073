"""Employees: the people a tenant assesses, whether or not they have an account."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    LEFT = "left"


class Employee(TenantBase):
    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint("status in ('active', 'on_leave', 'left')", name="known_status"),
        CheckConstraint("manager_id is null or manager_id <> id", name="not_own_manager"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 工号
    name: Mapped[str] = mapped_column(String(100), index=True)
    # Pinyin initials of the name (张三丰 → zsf), so a list can be searched the way people type.
    initials: Mapped[str] = mapped_column(String(100), index=True, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str | None] = mapped_column(String(100))
    position_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("position_level.id", ondelete="SET NULL"), index=True
    )
    employment_form: Mapped[str | None] = mapped_column(String(40))  # 用工形式
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=EmployeeStatus.ACTIVE)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[dt.datetime] = created_at_column()
    # Contact details, each unique in the tenant where set: a person logs in with either of
    # them or the employee number. Stored normalised (saas/people/contacts.py): a mainland
    # mobile number as its 11 digits, an e-mail address in lower case.
    mobile: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
