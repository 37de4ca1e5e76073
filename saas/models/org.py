"""The organisation: a tree of units, and the ranked position levels people hold."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column


class UnitKind(enum.StrEnum):
    COMPANY = "company"
    BUSINESS_UNIT = "business_unit"
    DEPARTMENT = "department"
    TEAM = "team"  # 班组
    SITE = "site"
    PROVIDER = "provider"  # 服务商: an outsourced provider assessed like a unit


class OrgUnit(TenantBase):
    """A node of the org tree.

    ``path`` is the materialised chain of ids from the root, e.g. ``"1/4/9/"``: a subtree is
    one ``path LIKE '1/4/%'`` and a move rewrites the moved subtree's paths in one UPDATE.
    """

    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint(
            "kind in ('company', 'business_unit', 'department', 'team', 'site', 'provider')",
            name="known_kind",
        ),
        CheckConstraint("parent_id is null or parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # What schemes select on, e.g. 职能部门 / 一线生产部门; free text, chosen per tenant.
    category: Mapped[str | None] = mapped_column(String(60), index=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="SET NULL", use_alter=True), index=True
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part][:-1]


class PositionLevel(TenantBase):
    """A rung of the tenant's position ladder; a higher rank is more senior.

    Ranks let an eligibility rule say "部门主管以上" (department supervisor and above)."""

    __tablename__ = "position_level"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    rank: Mapped[int] = mapped_column(Integer)
