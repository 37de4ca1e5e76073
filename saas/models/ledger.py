"""The performance ledger (实绩档案): dated entries about one subject — praise letters,
complaints, deductions, fines — that a scheme's rules turn into points or disqualifications.

An entry belongs to a subject and a date, not to a cycle: a cycle's period selects its
entries. It names a rule's event (``event``) or is a free entry (``label`` and ``points``).
An entry whose rule needs a validity decision (有效 or not) starts pending; only what the
rule counts reaches a score. Entries are withdrawn with a reason, never deleted.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
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

from tenants.db import TenantBase, created_at_column


class EntryKind(enum.StrEnum):
    EMPLOYEE = "employee"
    UNIT = "unit"
    PROVIDER = "provider"


class EntrySource(enum.StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"
    INSPECTION = "inspection"


class EntryValidity(enum.StrEnum):
    PENDING = "pending"
    VALID = "valid"
    INVALID = "invalid"


def _known(column: str, values: type[enum.StrEnum], nullable: bool = False) -> str:
    known = f"{column} in ({', '.join(repr(v.value) for v in values)})"
    return f"{column} is null or {known}" if nullable else known


class LedgerEntry(TenantBase):
    """One dated entry about an employee, a unit or a provider. ``unit_id`` is the
    employee's unit when the entry was made (for a unit or provider, itself): a manager's
    reach is read through it, as for cycle subjects."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(_known("kind", EntryKind), name="known_kind"),
        CheckConstraint(_known("source", EntrySource), name="known_source"),
        CheckConstraint(_known("validity", EntryValidity, nullable=True), name="known_validity"),
        CheckConstraint("(kind = 'employee') = (employee_id is not null)", name="employee_given"),
        CheckConstraint(
            "(event is null) = (label is not null and points is not null)", name="rule_or_free"
        ),
        CheckConstraint("fine >= 0", name="fine_not_negative"),
        CheckConstraint("(withdrawn_at is null) = (withdrawn_reason is null)", name="withdrawn"),
        Index("ix_ledger_entry_employee_on", "employee_id", "on"),
        Index("ix_ledger_entry_unit_on", "unit_id", "on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    on: Mapped[dt.date] = mapped_column(Date)
    event: Mapped[str | None] = mapped_column(String(60))  # a scheme rule's event key
    label: Mapped[str | None] = mapped_column(String(200))  # a free entry's text
    points: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # a free entry's points
    fine: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(12), default=EntrySource.INTERNAL)
    # None: the rule needs no decision.
    validity: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # The evidence behind an entry from an inspection: the inspection and its failed item,
    # or the rectification notice that went overdue. The trace names them.
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="RESTRICT"), index=True
    )
    item_key: Mapped[str | None] = mapped_column(String(60))
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectification_notice.id", ondelete="RESTRICT")
    )
