"""Assessment schemes (考核方案) and their versions.

A version's ``definition`` is the scheme itself (``saas.scoring.scheme.Scheme`` as JSON). A
draft changes as it is edited; publishing freezes it; "new version from this" copies it into a
new draft. Cycles point at a version, so a published version must never change: the service
refuses, and a trigger in the tenant's schema refuses too, whoever asks.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.db import TenantBase, created_at_column, utcnow


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# Created after the table, in provisioning (tenants/ddl.py) and in migration t0003 alike.
# Only a draft's content may change; a published version may only be archived (and back).
# On Citus it needs citus.enable_unsafe_triggers, which is safe here only because the function
# touches nothing but the row it guards (docs/operations.md): keep it that way.
FROZEN_VERSIONS_DDL = (
    """CREATE FUNCTION {schema}.scheme_version_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'scheme version ' || OLD.id || ' is ' || OLD.status || '; it cannot be deleted';
    END IF;
    IF NEW.definition IS DISTINCT FROM OLD.definition OR NEW.number <> OLD.number
       OR NEW.scheme_id <> OLD.scheme_id OR NEW.status = 'draft'
       OR NEW.published_at IS DISTINCT FROM OLD.published_at THEN
      RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'scheme version ' || OLD.id || ' is ' || OLD.status || '; it cannot be changed';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$""",
    """CREATE TRIGGER scheme_version_frozen BEFORE UPDATE OR DELETE ON {schema}.scheme_version
FOR EACH ROW EXECUTE FUNCTION {schema}.scheme_version_frozen()""",
)


class AssessmentScheme(TenantBase):
    __tablename__ = "scheme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    template: Mapped[str | None] = mapped_column(String(40))  # the template it started from
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()

    versions: Mapped[list[SchemeVersion]] = relationship(
        back_populates="scheme", order_by="SchemeVersion.number"
    )


class SchemeVersion(TenantBase):
    __tablename__ = "scheme_version"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'published', 'archived')", name="known_status"),
        CheckConstraint("status = 'draft' or published_at is not null", name="published_when"),
        Index("uq_scheme_version_number", "scheme_id", "number", unique=True),
        # One draft at a time per scheme: "new version" reopens the draft if there is one.
        Index(
            "uq_scheme_version_one_draft",
            "scheme_id",
            unique=True,
            postgresql_where=text("status = 'draft'"),
        ),
        {"info": {"after_create": FROZEN_VERSIONS_DDL}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.DRAFT)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    based_on: Mapped[int | None] = mapped_column(Integer)  # the version it was copied from
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_by: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    scheme: Mapped[AssessmentScheme] = relationship(back_populates="versions")

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT
