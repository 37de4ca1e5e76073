"""Inspections (检查 / 抽查 / 暗访) against a checklist, and the rectification notices
(整改通知) their failed items raise.

A checklist is a scheme whose definition carries an ``inspection`` block (docs/inspections.md).
An **inspection schedule** plans recurring inspections of one unit (a site, a canteen, a
provider); an **inspection** is one visit, scheduled or ad hoc. An unannounced one (暗访 or a
spot check) stays hidden from the inspected unit until it is done. The inspector records every
item's value and note (``values`` and ``notes``, keyed by item, in the shapes of
saas/rating/values.py), photos are attachments (owner ``inspection``, slot = item key), and
both signatures are PNG images. Finishing scores it with the engine and stores the signed
report. A **rectification notice** is raised per failed item, answered by its owner, and
verified by the inspector.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tenants.db import TenantBase, created_at_column


class InspectionMethod(enum.StrEnum):
    INSPECTION = "inspection"  # 检查: announced, routine
    SPOT_CHECK = "spot_check"  # 抽查: by the assessment group
    MYSTERY = "mystery"  # 暗访: a mystery shopper; always unannounced


class InspectionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Recurrence(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


class NoticeStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the owner's answer (also after a rejected answer)
    ANSWERED = "answered"  # the owner says it is fixed; the inspector verifies
    ACCEPTED = "accepted"  # verified fixed: closed


class InspectionSchedule(TenantBase):
    __tablename__ = "inspection_schedule"
    __table_args__ = (
        CheckConstraint("every in ('week', 'month')", name="known_every"),
        CheckConstraint("method in ('inspection', 'spot_check', 'mystery')", name="known_method"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    every: Mapped[str] = mapped_column(String(10))
    next_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(12), default=InspectionMethod.INSPECTION)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    inspector_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Inspection(TenantBase):
    __tablename__ = "inspection"
    __table_args__ = (
        CheckConstraint("method in ('inspection', 'spot_check', 'mystery')", name="known_method"),
        CheckConstraint(
            "status in ('planned', 'in_progress', 'done', 'cancelled')", name="known_status"
        ),
        CheckConstraint("method <> 'mystery' or unannounced", name="mystery_unannounced"),
        CheckConstraint("(status = 'done') = (done_at is not null)", name="done_when"),
        Index("ix_inspection_unit_on", "unit_id", "planned_on"),
        Index("ix_inspection_inspector_status", "inspector_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_schedule.id", ondelete="SET NULL")
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("scheme_version.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(12), default=InspectionMethod.INSPECTION)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    planned_on: Mapped[dt.date] = mapped_column(Date)
    inspector_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(12), default=InspectionStatus.PLANNED)
    values: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    notes: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    onsite_name: Mapped[str | None] = mapped_column(String(100))  # who signed on site
    inspector_signature: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    onsite_signature: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    report_serial: Mapped[str | None] = mapped_column(String(40), unique=True)
    report: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the signed PDF
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()


class RectificationNotice(TenantBase):
    __tablename__ = "rectification_notice"
    __table_args__ = (
        CheckConstraint("status in ('open', 'answered', 'accepted')", name="known_status"),
        Index("ix_notice_unit_status", "unit_id", "status"),
        Index("ix_notice_owner_status", "owner_id", "status"),
        Index("uq_notice_inspection_item", "inspection_id", "item_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # printed on the notice
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="RESTRICT"))
    item_key: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    # The unit's manager's account, or the provider's contact.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(Text)  # what to fix
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.OPEN)
    answer_note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[int | None] = mapped_column(Integer)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verify_note: Mapped[str | None] = mapped_column(Text)
    rejections: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = created_at_column()
