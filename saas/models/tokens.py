"""One-time links: invitations and password resets. Only a hash of the token is stored.

Set-up links of people without an e-mail address are printed: a sheet (``AccountSheet``)
gathers the invitation tokens printed together, and keeps the PDF for whoever made it.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class AccountSheet(TenantBase):
    """A printable sheet of set-up links; the PDF is written by a job (workers/jobs/accounts.py)."""

    __tablename__ = "account_sheet"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    people: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(10))  # the language it is printed in
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    rendered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()


class AccountToken(TenantBase):
    __tablename__ = "account_token"
    __table_args__ = (CheckConstraint("purpose in ('invite', 'reset')", name="known_purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = created_at_column()
    # The sheet this link is printed on; None for a mailed or shown link.
    sheet_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_sheet.id", ondelete="SET NULL"), index=True
    )
