"""Signed PDF statements issued by a tenant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column

# A sample shows a new tenant the layout, signature and verification page; it is not anyone's
# statement, so lists of statements leave it out and verification says what it is.
SAMPLE_KIND = "sample"


class Statement(TenantBase):
    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=SAMPLE_KIND)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = created_at_column()
