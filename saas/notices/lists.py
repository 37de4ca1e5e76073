"""Reads for the notices pages, each in a fixed number of queries: a filtered page of notices
(two: the count and the rows), the counts per unit and provider (one), one notice with its
inspection, people, photos and history (four), and the notices of one inspection for the
written notice (one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from saas.attachments import service as attachments
from saas.auth.permissions import Actor
from saas.models.attachment import AttachmentOwner
from saas.models.audit import AuditEntry
from saas.models.inspection import Inspection, NoticeStatus, RectificationNotice
from saas.models.org import OrgUnit, UnitKind
from saas.models.provider import ProviderContract
from saas.models.user import User
from saas.notices.overdue import late_clause, on_time_clause, overdue_clause
from saas.notices.service import notice_clause
from saas.notices.words import REOPENED
from saas.paging import PER_PAGE, Page, page_within

N = RectificationNotice
OWNER, INSPECTOR = "owner", "inspector"
SUMMARY_ROWS = 200  # units with the most open notices first; a tenant has fewer providers


@dataclass(frozen=True)
class Filters:
    status: str | None = None  # open / answered / accepted / reopened
    overdue: bool = False
    unit_id: int | None = None  # the unit and its subtree
    provider_id: int | None = None  # one provider unit
    mine: str | None = None  # OWNER: mine to answer; INSPECTOR: from my inspections
    inspection_id: int | None = None


def _conditions(actor: Actor, filters: Filters, today: dt.date) -> list[ColumnElement[bool]]:
    conditions = [notice_clause(actor)]
    if filters.unit_id is not None:
        top = aliased(OrgUnit)
        inside = select(OrgUnit.id).where(
            OrgUnit.path.startswith(
                select(top.path).where(top.id == filters.unit_id).scalar_subquery()
            )
        )
        conditions.append(N.unit_id.in_(inside))
    if filters.provider_id is not None:
        conditions.append(N.unit_id == filters.provider_id)
    if filters.mine == OWNER:
        conditions.append(N.owner_id == actor.user_id)
    elif filters.mine == INSPECTOR:
        conditions.append(
            N.inspection_id.in_(
                select(Inspection.id).where(Inspection.inspector_id == actor.user_id)
            )
        )
    if filters.inspection_id is not None:
        conditions.append(N.inspection_id == filters.inspection_id)
    return conditions


def _status_conditions(filters: Filters, today: dt.date) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.status == REOPENED:
        conditions += [N.status == NoticeStatus.OPEN, N.rejections > 0]
    elif filters.status:
        conditions.append(N.status == filters.status)
    if filters.overdue:
        conditions.append(overdue_clause(today))
    return conditions


def notice_page(
    session: Session, actor: Actor, filters: Filters, page: int, today: dt.date
) -> Page:
    """One page of the notices the actor may read: overdue and nearest deadlines first."""
    conditions = _conditions(actor, filters, today) + _status_conditions(filters, today)
    total = session.scalar(select(func.count()).select_from(N).where(*conditions)) or 0
    page = page_within(total, page)
    owner = aliased(User)
    rows = session.execute(
        select(
            N,
            OrgUnit.name.label("unit_name"),
            OrgUnit.kind.label("unit_kind"),
            owner.name.label("owner_name"),
        )
        .join(OrgUnit, OrgUnit.id == N.unit_id)
        .outerjoin(owner, owner.id == N.owner_id)
        .where(*conditions)
        .order_by(
            (N.status == NoticeStatus.ACCEPTED).asc(),
            N.deadline.asc(),
            N.id.desc(),
        )
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


@dataclass(frozen=True)
class Tally:
    unit_id: int
    name: str
    provider: bool
    open: int
    overdue: int
    answered: int
    on_time: int
    late: int


def summary(
    session: Session, actor: Actor, filters: Filters, today: dt.date, zone: str
) -> list[Tally]:
    """Per unit and provider: open (overdue ones among them), answered and waiting,
    accepted on time, and answered late (one query; the status filters do not apply)."""
    is_open = N.status == NoticeStatus.OPEN
    counts = (
        func.count().filter(is_open),
        func.count().filter(overdue_clause(today)),
        func.count().filter(N.status == NoticeStatus.ANSWERED),
        func.count().filter(on_time_clause(zone)),
        func.count().filter(late_clause(zone)),
    )
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, *counts)
        .join(N, N.unit_id == OrgUnit.id)
        .where(*_conditions(actor, filters, today))
        .group_by(OrgUnit.id)
        .order_by(counts[1].desc(), counts[0].desc(), OrgUnit.name)
        .limit(SUMMARY_ROWS)
    ).all()
    return [Tally(row[0], row[1], row[2] == UnitKind.PROVIDER, *row[3:]) for row in rows]


def provider_choices(session: Session, clause: ColumnElement[bool]) -> list[tuple[int, str]]:
    """The provider units in reach, by name, for the provider filter."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name)
        .where(OrgUnit.kind == UnitKind.PROVIDER, OrgUnit.archived_at.is_(None), clause)
        .order_by(OrgUnit.name)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class Detail:
    notice: RectificationNotice
    unit: OrgUnit
    inspection: Inspection
    inspector_name: str | None
    owner_name: str | None
    company: str | None  # the provider's company, for a provider unit
    photos: dict[str, list[Any]]  # slot (answer round) → attachments
    history: list[AuditEntry]
    names: dict[str, str]  # who the history names (an audit actor's e-mail) → their name


def detail(session: Session, notice: RectificationNotice) -> Detail:
    """Everything the notice page shows about a notice already found in reach."""
    inspector, owner = aliased(User), aliased(User)
    row = session.execute(
        select(
            OrgUnit,
            Inspection,
            inspector.name,
            owner.name,
            select(ProviderContract.company)
            .where(ProviderContract.unit_id == OrgUnit.id)
            .order_by(ProviderContract.ends_on.desc(), ProviderContract.id.desc())
            .limit(1)
            .scalar_subquery(),
        )
        .select_from(N)
        .join(OrgUnit, OrgUnit.id == N.unit_id)
        .join(Inspection, Inspection.id == N.inspection_id)
        .outerjoin(inspector, inspector.id == Inspection.inspector_id)
        .outerjoin(owner, owner.id == N.owner_id)
        .where(N.id == notice.id)
    ).one()
    photos: dict[str, list[Any]] = {}
    for attachment in attachments.of(session, AttachmentOwner.NOTICE, [notice.id])[notice.id]:
        photos.setdefault(attachment.slot or "", []).append(attachment)
    happened = history(session, notice)
    return Detail(
        notice, *row, photos, happened, names(session, [entry.actor for entry in happened])
    )


def names(session: Session, actors: list[str]) -> dict[str, str]:
    """The names of the accounts whose e-mail addresses the history names (one query);
    the sweep and other system actors keep their label."""
    if not actors:
        return {}
    rows = session.execute(select(User.email, User.name).where(User.email.in_(set(actors))))
    return {row[0]: row[1] for row in rows}


def history(session: Session, notice: RectificationNotice) -> list[AuditEntry]:
    """What happened to the notice, oldest first: raised, answered, sent back, accepted,
    deadline moved, recorded as overdue."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.record_type == "rectification_notice",
                AuditEntry.record_id == str(notice.id),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
            .limit(200)
        )
    )
