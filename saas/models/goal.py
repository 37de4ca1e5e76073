"""Goals (目标) and their recorded actuals.

A goal belongs to a unit or to a person and to a period ("2026", "2026-H2", "2026-Q3",
"2026-07"). Goals form a tree cascaded from the company down to people ("分解不断线，无缺口"):
``contribution`` is a child's weight in its parent, ``weight`` the goal's weight among its
owner's goals for the period. ``path`` is the chain of ids from the root goal, like
``org_unit.path``, so a subtree is one prefix query and a move can refuse to create a cycle.

An actual is never overwritten: a correction adds a row that ``replaces`` the old one, which
is kept as ``superseded``; a withdrawn actual is kept as ``withdrawn``. Only ``current``
actuals count.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column, utcnow


class GoalStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Goal(TenantBase):
    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint("(unit_id is null) <> (employee_id is null)", name="one_owner"),
        CheckConstraint(
            "status in ('draft', 'submitted', 'approved', 'returned')", name="known_status"
        ),
        CheckConstraint(
            "period_kind in ('year', 'half_year', 'quarter', 'month')", name="known_period"
        ),
        CheckConstraint("measure in ('numeric', 'milestone')", name="known_measure"),
        CheckConstraint("direction in ('higher', 'lower')", name="known_direction"),
        CheckConstraint("parent_id is null or parent_id <> id", name="not_own_parent"),
        CheckConstraint("weight >= 0 and weight <= 100", name="weight_percent"),
        CheckConstraint(
            "contribution is null or (contribution >= 0 and contribution <= 100)",
            name="contribution_percent",
        ),
        Index("ix_goal_period_unit", "period", "unit_id"),
        Index("ix_goal_period_employee", "period", "employee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(1000), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(10))
    period_kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    contribution: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    measure: Mapped[str] = mapped_column(String(10), default="numeric")
    unit: Mapped[str | None] = mapped_column(String(20))  # of the measure: 万元, %, 次 …
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    direction: Mapped[str] = mapped_column(String(6), default="higher")
    cap: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(120))
    status: Mapped[str] = mapped_column(String(10), default=GoalStatus.DRAFT)
    review_comment: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[int | None] = mapped_column(Integer)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # Cascaded with a proposed target: its owner is to complete it (待完善).
    to_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who wrote what awaits approval and who submitted it: neither approves it while the
    # tenant keeps the four-eyes rule (saas/settings).
    drafted_by: Mapped[int | None] = mapped_column(Integer)
    submitted_by: Mapped[int | None] = mapped_column(Integer)


class ActualStatus(enum.StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"  # replaced by a correction
    WITHDRAWN = "withdrawn"


class GoalActual(TenantBase):
    """One recorded actual of a goal: a number, or done / not done for a milestone."""

    __tablename__ = "goal_actual"
    __table_args__ = (
        CheckConstraint("(value is null) <> (done is null)", name="one_value"),
        CheckConstraint("status in ('current', 'superseded', 'withdrawn')", name="known_status"),
        # A row that no longer counts says when, by whom and why it stopped counting.
        CheckConstraint(
            "(status = 'current') = (ended_at is null and end_reason is null)", name="ended"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    done: Mapped[bool | None] = mapped_column(Boolean)
    on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = created_at_column()
    status: Mapped[str] = mapped_column(String(10), default=ActualStatus.CURRENT)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal_actual.id", ondelete="CASCADE")
    )
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[int | None] = mapped_column(Integer)
    end_reason: Mapped[str | None] = mapped_column(String(1000))


class GoalBoard(TenantBase):
    """A period whose approved unit goals are on the goals board (公示) for everyone."""

    __tablename__ = "goal_board"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    published_by: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = created_at_column()
