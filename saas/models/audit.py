"""Append-only audit logs: who did what, when, to which record, before and after.

A tenant's log lives in its own schema; the platform's (tenants created, suspended, dropped)
in the public schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.db import PublicBase, TenantBase, utcnow


class _AuditColumns:
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AuditEntry(_AuditColumns, TenantBase):
    __tablename__ = "audit_entry"


class PlatformAuditEntry(_AuditColumns, PublicBase):
    __tablename__ = "platform_audit_entry"


def record(
    session: Session,
    actor: str,
    action: str,
    record_type: str,
    record_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    platform: bool = False,
) -> None:
    """Add an audit row to the caller's transaction, so it commits or rolls back with the change."""
    model = PlatformAuditEntry if platform else AuditEntry
    session.add(
        model(
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=None if record_id is None else str(record_id),
            before=before,
            after=after,
        )
    )
