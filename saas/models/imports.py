"""Uploaded spreadsheets of units and employees, kept until they are committed or discarded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class ImportBatch(TenantBase):
    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint(
            "status in ('uploaded', 'checked', 'committed', 'failed', 'discarded')",
            name="known_status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # units | employees
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # Per-row problems found by the check, e.g. [{"row": 7, "field": "unit", "code": ...}].
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
