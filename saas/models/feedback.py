"""Customer feedback (顾客意见): public links per employee or unit, and what customers send.

A **feedback link** carries an opaque token (only its sha256 is stored) that a QR code on a
badge or a service window's sign encodes; revoking it makes the page answer 410. A
**feedback** row is one customer's praise or complaint; it becomes a pending ledger entry
(``ledger_entry_id``) routed to the subject's manager. The customer keeps ``reference``, and
its status page says only "received" or "handled" (the ledger entry was decided or withdrawn).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class FeedbackKind(enum.StrEnum):
    PRAISE = "praise"
    COMPLAINT = "complaint"


class FeedbackLink(TenantBase):
    __tablename__ = "feedback_link"
    __table_args__ = (
        CheckConstraint("kind in ('employee', 'unit')", name="known_kind"),
        CheckConstraint("(kind = 'employee') = (employee_id is not null)", name="employee_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(Integer)


class Feedback(TenantBase):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("kind in ('praise', 'complaint')", name="known_kind"),
        CheckConstraint("char_length(text) <= 2000", name="text_bounded"),
        Index("ix_feedback_link_text", "link_id", "text_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # what the customer keeps
    link_id: Mapped[int] = mapped_column(ForeignKey("feedback_link.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(30))
    text_hash: Mapped[str] = mapped_column(String(64))  # normalised text: duplicates
    client_hash: Mapped[str] = mapped_column(String(64))  # a keyed hash of the client address
    ledger_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entry.id", ondelete="RESTRICT")
    )
    created_at: Mapped[dt.datetime] = created_at_column()
