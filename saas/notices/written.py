"""The written rectification notice (书面整改通知) as a PDF: one A4 page per notice, in the
tenant's language, to hand over on site or file with the inspection.

Each page names the organisation, the serial, the unit (and the provider's company), the
inspection's date, method and inspector, the item and what to fix, the deadline, and leaves
lines for the inspector's and the receiver's signatures. It is printed on demand from the
notice as it stands; it is not signed with the tenant key (the web process never holds it:
statements are signed by the worker), so the serial and Kaohe's record are what count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor
from saas.models.inspection import Inspection, RectificationNotice
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.scheme import SchemeVersion
from saas.models.user import User
from saas.notices.service import notice_clause
from saas.rendering import render
from saas.signing.pdf import PDF_TEMPLATES_DIR, render_pdf

NOTICE_CSS = PDF_TEMPLATES_DIR / "notice.css"
MAX_PAGES = 200  # an inspection's failed items; a checklist has fewer


@dataclass(frozen=True)
class Page:
    serial: str
    unit: str
    company: str | None
    inspected_on: dt.date
    method: str
    inspector: str | None
    checklist: str
    item_key: str
    requirement: str
    found: str | None
    deadline: dt.date
    raised_on: dt.date


def split_what(what: str) -> tuple[str, str | None]:
    """The item's requirement and the inspector's finding, as raise_notices joined them."""
    requirement, _, found = what.partition("\n")
    return requirement, found.strip() or None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def printable(session: Session, actor: Actor, where: ColumnElement[bool], zone: str) -> list[Page]:
    """The pages of the notices matching ``where`` that the actor may read (one query)."""
    inspector = aliased(User)
    company = (
        select(ProviderContract.company)
        .where(ProviderContract.unit_id == OrgUnit.id)
        .order_by(ProviderContract.ends_on.desc(), ProviderContract.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            RectificationNotice,
            OrgUnit.name,
            company,
            Inspection,
            inspector.name,
            SchemeVersion.definition["name"].astext,
        )
        .join(OrgUnit, OrgUnit.id == RectificationNotice.unit_id)
        .join(Inspection, Inspection.id == RectificationNotice.inspection_id)
        .join(SchemeVersion, SchemeVersion.id == Inspection.version_id)
        .outerjoin(inspector, inspector.id == Inspection.inspector_id)
        .where(where, notice_clause(actor))
        .order_by(RectificationNotice.serial)
        .limit(MAX_PAGES)
    ).all()
    tz = _zone(zone)
    return [_page(*row, tz) for row in rows]


def _page(
    notice: RectificationNotice,
    unit: str,
    company: str | None,
    inspection: Inspection,
    inspector: str | None,
    checklist: str | None,
    tz: ZoneInfo,
) -> Page:
    done = inspection.done_at.astimezone(tz).date() if inspection.done_at else None
    requirement, found = split_what(notice.what)
    return Page(
        serial=notice.serial,
        unit=unit,
        company=company,
        inspected_on=done or inspection.planned_on,
        method=inspection.method,
        inspector=inspector,
        checklist=checklist or "",
        item_key=notice.item_key,
        requirement=requirement,
        found=found,
        deadline=notice.deadline,
        raised_on=notice.created_at.astimezone(tz).date(),
    )


def notice_pdf(pages: list[Page], *, tenant_name: str, locale: str, time_zone: str) -> bytes:
    """The pages as one PDF, in ``locale``."""
    html = render(
        "notices/written.html",
        locale=locale,
        time_zone=time_zone,
        tenant_name=tenant_name,
        pages=pages,
    )
    return render_pdf(html, stylesheets=(NOTICE_CSS,))
