"""Assessment cycles (考核周期): a published scheme version applied to a period, its subjects,
the rating sheets its raters fill in, and the scoring runs with their results.

The shape follows docs/cycles.md:

- a **cycle** moves draft → open → scoring → review → published → closed (``CycleStatus``);
- a **cycle subject** is one employee, unit or provider in the cycle; it is never deleted once
  the cycle is open, only excluded, with the reason kept;
- a **rating sheet** is one rater's ratings of one subject for one source: every item's value
  in one JSONB object keyed by item (or by section, for a section rated as a whole). A sheet
  exists from the moment the rater is assigned (status ``assigned``), so "expected, received,
  missing" is a count over sheets, and reading a cycle is a few rows per subject;
- a **scoring run** is numbered per cycle and remembers the fingerprint of what it read;
- a **cycle result** is one subject's result in one run: the figures people filter and sort
  on as columns, the breakdown and the trace as compact JSONB (codes and numbers; sentences
  are made when shown, in the reader's language).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import TenantBase, created_at_column, utcnow


class CycleStatus(enum.StrEnum):
    DRAFT = "draft"  # being set up: subjects and raters may change freely
    OPEN = "open"  # ratings and evidence are collected
    SCORING = "scoring"  # collection closed; scoring runs
    REVIEW = "review"  # the committee reviews the results
    PUBLISHED = "published"  # results are released to the people assessed
    CLOSED = "closed"


class SubjectKind(enum.StrEnum):
    EMPLOYEE = "employee"
    UNIT = "unit"
    PROVIDER = "provider"


class SheetStatus(enum.StrEnum):
    ASSIGNED = "assigned"  # the rater has not saved anything yet
    DRAFT = "draft"  # saved as the rater goes; the rater may still change it
    SUBMITTED = "submitted"  # locked; an admin may reopen it with a reason


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


def _known(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} in ({', '.join(repr(v.value) for v in values)})"


class Cycle(TenantBase):
    __tablename__ = "cycle"
    __table_args__ = (
        CheckConstraint(_known("status", CycleStatus), name="known_status"),
        CheckConstraint(_known("subject_kind", SubjectKind), name="known_subject_kind"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        CheckConstraint("peer_count >= 0 and peer_count <= 20", name="peer_count_range"),
        # One cycle per scheme version and period: a second would assess everyone twice.
        Index("uq_cycle_version_period", "scheme_version_id", "period", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    scheme_version_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_version.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(String(30))  # the label: 2026-Q3, 2026-07, 2026-H2
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    subject_kind: Mapped[str] = mapped_column(String(10))  # copied from the scheme
    status: Mapped[str] = mapped_column(String(10), default=CycleStatus.DRAFT)
    # Ratings are due by this day; after it, a sheet not submitted is late.
    rating_due: Mapped[dt.date | None] = mapped_column(Date)
    peer_count: Mapped[int] = mapped_column(Integer, default=3)  # peers drawn per subject
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at_column()
    status_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CycleSubject(TenantBase):
    """One subject of a cycle. ``unit_id`` is the unit the subject belonged to when it
    entered the cycle (for an employee, their unit; for a unit or a provider, itself): the
    cycle page counts per unit and a manager's reach is read through it."""

    __tablename__ = "cycle_subject"
    __table_args__ = (
        CheckConstraint(_known("kind", SubjectKind), name="known_kind"),
        CheckConstraint("(kind = 'employee') = (employee_id is not null)", name="employee_given"),
        Index(
            "uq_cycle_subject_employee",
            "cycle_id",
            "employee_id",
            unique=True,
            postgresql_where=text("employee_id is not null"),
        ),
        Index(
            "uq_cycle_subject_unit",
            "cycle_id",
            "unit_id",
            unique=True,
            postgresql_where=text("employee_id is null"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why the subject is not assessed: eligibility reasons and removals, as codes with their
    # parameters ([{"code": "level_at_least", "level": "部门主管"}, {"code": "removed", …}]),
    # said in the reader's language when shown.
    excluded_because: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # How it entered: "eligible" (chosen by the rules) or "added" (by an admin, with a reason).
    origin: Mapped[str] = mapped_column(String(10), default="eligible")
    reason: Mapped[str | None] = mapped_column(Text)  # the admin's reason for adding or removing
    created_at: Mapped[dt.datetime] = created_at_column()


class ExternalRater(TenantBase):
    """A third party who rates in one cycle only (an outside assessor, the client of a
    provider). They sign in with a link whose token is stored hashed; it ends with the cycle."""

    __tablename__ = "external_rater"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RatingSheet(TenantBase):
    """One rater's ratings of one subject for one source.

    ``rater_key`` names the rater whoever they are, so one unique index holds for all:
    ``e:<employee id>``, ``u:<user id>`` (a committee member without an employee record),
    ``x:<external rater id>``, or ``c:<n>`` for a customer's anonymous sheet. ``values`` maps
    each rated item's key (a section's key for a section rated as a whole) to its value as
    JSON: points and deduction counts as strings of digits ("8.5", "2"), yes/no and critical
    items as true/false, scale items as the level's label (saas/rating/values.py reads and
    writes them)."""

    __tablename__ = "rating_sheet"
    __table_args__ = (
        CheckConstraint(_known("status", SheetStatus), name="known_status"),
        CheckConstraint(
            "source in ('self', 'supervisor', 'peer', 'subordinate', 'customer', 'committee',"
            " 'third_party')",
            name="known_source",
        ),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at is not null)", name="submitted_when"
        ),
        Index("uq_rating_sheet_rater", "cycle_subject_id", "source", "rater_key", unique=True),
        Index("ix_rating_sheet_cycle_status", "cycle_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    cycle_subject_id: Mapped[int] = mapped_column(
        ForeignKey("cycle_subject.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))
    rater_key: Mapped[str] = mapped_column(String(30))
    rater_employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    rater_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    rater_external_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_rater.id", ondelete="CASCADE"), index=True
    )
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=SheetStatus.ASSIGNED)
    saved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_because: Mapped[str | None] = mapped_column(Text)  # the admin's last reason
    created_at: Mapped[dt.datetime] = created_at_column()


class ScoringRun(TenantBase):
    """One scoring of a cycle. ``inputs`` summarises what it read (counts and the latest
    change per kind of input) so the next run can say what changed; ``fingerprint`` is their
    digest. At most one run per cycle is running at a time (a partial unique index)."""

    __tablename__ = "scoring_run"
    __table_args__ = (
        CheckConstraint(_known("status", RunStatus), name="known_status"),
        Index("uq_scoring_run_number", "cycle_id", "number", unique=True),
        Index(
            "uq_scoring_run_one_running",
            "cycle_id",
            unique=True,
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.RUNNING)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CycleResult(TenantBase):
    """One subject's result in one run. A cycle's current results are its latest finished
    run's; a new run replaces the previous run's rows in the same transaction."""

    __tablename__ = "cycle_result"
    __table_args__ = (
        Index("uq_cycle_result_run_subject", "run_id", "cycle_subject_id", unique=True),
        Index("ix_cycle_result_run_final", "run_id", "final"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_run.id", ondelete="CASCADE"))
    cycle_subject_id: Mapped[int] = mapped_column(
        ForeignKey("cycle_subject.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(Integer)  # the subject's unit, to filter on
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    final: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    band: Mapped[str | None] = mapped_column(String(120))
    award: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    fines: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    pay_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    consequence: Mapped[str | None] = mapped_column(String(30))
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    disqualified_next: Mapped[bool] = mapped_column(Boolean, default=False)
    # Result.to_dict() without its trace: per source, section and item, weights, checklist,
    # goals, blend, adjustments, tallies; decimals as exact strings; plus the ``details`` the
    # trace needs. The trace keeps its own steps ([{"step": code, …params}]); the per-item,
    # section and source steps come back from the breakdown (saas/runs/persist.py).
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONB)
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
