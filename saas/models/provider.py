"""Outsourced providers (服务商): a provider is an org unit of kind ``provider``; its contract
names the company, the contact who logs in, the contract period and the payment tiers by band
(分档付酬, source 003 M5): the share of the monthly fee paid for each band a month is graded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class ProviderContract(TenantBase):
    __tablename__ = "provider_contract"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("monthly_fee is null or monthly_fee >= 0", name="fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    company: Mapped[str] = mapped_column(String(200))
    # The provider's contact: a user with the ``provider`` role, confined to this unit.
    contact_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    monthly_fee: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # [{"band": "优秀", "share": "100"}, ...]: percent of the monthly fee paid per band.
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
