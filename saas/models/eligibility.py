"""Who is assessed: rules that exclude people by position level, unit category or
employment form (the reference scheme excludes 部门主管以上)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class RuleKind(enum.StrEnum):
    LEVEL_AT_LEAST = "level_at_least"  # position level rank ≥ the named level's rank
    UNIT_CATEGORY = "unit_category"
    EMPLOYMENT_FORM = "employment_form"


class EligibilityRule(TenantBase):
    __tablename__ = "eligibility_rule"
    __table_args__ = (
        CheckConstraint(
            "kind in ('level_at_least', 'unit_category', 'employment_form')", name="known_kind"
        ),
        CheckConstraint(
            "(kind = 'level_at_least') = (position_level_id is not null)", name="level_given"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    position_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("position_level.id", ondelete="CASCADE")
    )
    value: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at_column()
