"""A tenant's own settings: one row per setting it changed from Kaohe's default.

Which settings exist, their defaults and their labels live in code (``saas/settings``); a
missing row means the default. Values are JSON so a setting may be a switch, a number or a
word without a new column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, utcnow


class TenantSetting(TenantBase):
    __tablename__ = "tenant_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB, nullable=False)
    changed_by: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
