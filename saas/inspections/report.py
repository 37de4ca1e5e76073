"""The inspection report (检查报告): a PDF of a done inspection, signed with the tenant's key,
rendered by a job after the finish (workers/jobs/inspections.py) and kept in
``inspection.report``.

It says the organisation, the unit, the date, the inspector and the method; every section
and item with its result and note, failed items highlighted, small photos of each item;
both drawn signatures; the score and band; and its serial (``report_serial``, also in every
page's footer). It is written in the tenant's language, with the same CJK font as the
statements. Photos are re-encoded as small JPEG thumbnails, so a report with a few photos
stays well under 300 KB.

Making it is idempotent: an inspection that has its report keeps it, and a re-run (a retry,
a second click) changes nothing. The serial, once given, never changes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from saas.inspections.checklists import checklist_of
from saas.inspections.lists import described
from saas.inspections.results import sections
from saas.inspections.signatures import data_url
from saas.models.attachment import Attachment, AttachmentOwner, StoredType
from saas.models.audit import record
from saas.models.inspection import Inspection, InspectionStatus
from saas.rendering import render
from saas.signing.authority import authority_certificate
from saas.signing.identity import tenant_signing_pair
from saas.signing.pdf import PDF_TEMPLATES_DIR, render_pdf, sign_pdf
from saas.statements.sample import new_serial

if TYPE_CHECKING:
    from cryptography import x509

    from saas.signing.authority import KeyPair
    from workers.runtime import JobContext

Progress = Callable[[int, str], None]

REPORT_CSS = PDF_TEMPLATES_DIR / "inspection_report.css"
THUMBNAIL_SIDE = 240  # pixels: about 30 mm wide in print at 200 dpi
THUMBNAIL_QUALITY = 60
PHOTOS_PER_ITEM = 4  # the report shows at most this many photos of one item


def noop(percent: int, stage: str) -> None:
    """The default progress callback: nobody is watching."""


@dataclass(frozen=True)
class ReportData:
    """Everything the report prints, read from the tenant's schema."""

    tenant_name: str
    locale: str
    time_zone: str
    serial: str
    unit_name: str
    checklist_name: str
    inspector_name: str | None
    inspection: Inspection
    checklist: Any  # Scheme
    photos: dict[str, list[str]]  # item key → thumbnail data URLs
    inspector_signature: str  # data URL
    onsite_signature: str


def thumbnail(content: bytes) -> str:
    """A stored photo as a small JPEG data URL for the report."""
    image = Image.open(io.BytesIO(content))
    image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    image = image.convert("RGB")
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _photos(session: Session, inspection_id: int) -> dict[str, list[str]]:
    rows = session.scalars(
        select(Attachment)
        .where(
            Attachment.owner == AttachmentOwner.INSPECTION,
            Attachment.owner_id == inspection_id,
            Attachment.content_type != StoredType.PDF,
        )
        .order_by(Attachment.id)
        .options(undefer(Attachment.content))
    )
    photos: dict[str, list[str]] = {}
    for row in rows:
        shown = photos.setdefault(row.slot or "", [])
        if len(shown) < PHOTOS_PER_ITEM:
            shown.append(thumbnail(row.content))
    return photos


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def report_html(data: ReportData) -> str:
    inspection, checklist = data.inspection, data.checklist
    breakdown = inspection.breakdown or {}
    done_at = inspection.done_at.astimezone(_zone(data.time_zone)) if inspection.done_at else None
    return render(
        "inspections/report_pdf.html",
        locale=data.locale,
        time_zone=data.time_zone,
        tenant_name=data.tenant_name,
        serial=data.serial,
        unit_name=data.unit_name,
        checklist_name=data.checklist_name,
        inspector_name=data.inspector_name or "—",
        inspection=inspection,
        checklist=checklist,
        done_at=done_at.strftime("%Y-%m-%d %H:%M") if done_at else "—",
        sections=sections(checklist, inspection.values, inspection.notes, breakdown),
        breakdown=breakdown,
        score=inspection.score,
        scale=checklist.scale,
        photos=data.photos,
        inspector_signature=data.inspector_signature,
        onsite_signature=data.onsite_signature,
        num=_number,
    )


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")


def signed_report(
    data: ReportData, pair: KeyPair, ca_certificate: x509.Certificate, progress: Progress = noop
) -> bytes:
    """Render and sign the report (no database)."""
    progress(30, "rendering")
    pdf = render_pdf(report_html(data), stylesheets=(REPORT_CSS,))
    progress(70, "signing")
    return sign_pdf(
        pdf,
        pair,
        ca_certificate,
        signer_name=data.tenant_name,
        reason=f"检查报告 Inspection report {data.serial}",
        location=data.tenant_name,
    )


def load(session: Session, ctx: JobContext, inspection: Inspection) -> ReportData:
    names = described(session, inspection)
    tenant = ctx.tenant
    done_on = (inspection.done_at or dt.datetime.now(dt.UTC)).astimezone(_zone(tenant.time_zone))
    return ReportData(
        tenant_name=tenant.name,
        locale=tenant.locale,
        time_zone=tenant.time_zone,
        serial=inspection.report_serial or new_serial(tenant.slug, done_on.date()),
        unit_name=names.unit_name,
        checklist_name=names.checklist_name,
        inspector_name=names.inspector_name,
        inspection=inspection,
        checklist=checklist_of(session, inspection.version_id),
        photos=_photos(session, inspection.id),
        inspector_signature=data_url(inspection.inspector_signature or b""),
        onsite_signature=data_url(inspection.onsite_signature or b""),
    )


class InspectionGone(LookupError):
    """The inspection does not exist in this tenant."""


def issue_report(ctx: JobContext, inspection_id: int, progress: Progress = noop) -> str | None:
    """Make and keep the signed report of a done inspection; returns its serial (None when
    the inspection is not done). Does nothing when the report exists."""
    progress(5, "loading")
    with ctx.db.public() as public:
        ca_certificate = authority_certificate(public)
    if ca_certificate is None:
        raise RuntimeError("the platform CA does not exist yet; provision a tenant first")
    with ctx.db.tenant(ctx.schema) as session:
        inspection = session.scalar(
            select(Inspection)
            .where(Inspection.id == inspection_id)
            .with_for_update()
            .options(undefer(Inspection.inspector_signature), undefer(Inspection.onsite_signature))
        )
        if inspection is None:
            raise InspectionGone(f"no inspection {inspection_id} in {ctx.tenant.slug!r}")
        if inspection.status != InspectionStatus.DONE:
            return None
        has_report = session.scalar(
            select(Inspection.report.is_not(None)).where(Inspection.id == inspection_id)
        )
        if has_report:
            return inspection.report_serial
        data = load(session, ctx, inspection)
        pair = tenant_signing_pair(session, ctx.settings.key_passphrase)
        signed = signed_report(data, pair, ca_certificate, progress)
        progress(90, "storing")
        inspection.report, inspection.report_serial = signed, data.serial
        digest = hashlib.sha256(signed).hexdigest()
        after = {"report_serial": data.serial, "sha256": digest}
        record(
            session,
            "job:inspection-report",
            "inspection.report",
            "inspection",
            inspection.id,
            None,
            after,
        )
    progress(100, "done")
    return data.serial
