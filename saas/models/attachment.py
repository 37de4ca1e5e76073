"""Evidence files (photos and scans) attached to a ledger entry, an inspection item or a
rectification notice's answer.

The bytes live in the tenant's own schema, in the row itself: they are reachable only through
the tenant's database role and schema, they are backed up with the tenant's schema
(``pg_dump --schema``), and an attachment is written or rolled back in the same transaction as
the record it belongs to. Only re-encoded images (EXIF stripped) and checked PDFs are stored
(saas/attachments/files.py). ``owner`` and ``owner_id`` name the record; whoever may read that
record may read its attachments, nobody else.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tenants.db import TenantBase, created_at_column


class AttachmentOwner(enum.StrEnum):
    LEDGER_ENTRY = "ledger_entry"
    INSPECTION = "inspection"  # ``slot`` is the item key
    NOTICE = "notice"  # a rectification notice's answer


class StoredType(enum.StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"


class Attachment(TenantBase):
    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("owner in ('ledger_entry', 'inspection', 'notice')", name="known_owner"),
        CheckConstraint(
            "content_type in ('image/jpeg', 'image/png', 'application/pdf')", name="known_type"
        ),
        CheckConstraint("size > 0", name="not_empty"),
        Index("ix_attachment_owner", "owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    slot: Mapped[str | None] = mapped_column(String(60))  # e.g. the inspection item's key
    name: Mapped[str] = mapped_column(String(200))  # the uploaded name, cleaned; shown only
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists of attachments never load the bytes.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
