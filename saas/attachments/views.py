"""Serving an attachment to whoever may read the record it belongs to.

``READABLE`` maps each owner kind to its area's check ``(session, actor, owner_id) -> bool``;
an attachment whose record the reader cannot see is not found (404), exactly like the record.
The URL carries only the attachment's number: guessing one gets nothing without the right to
its record. Files are sent with ``private`` caching, ``nosniff`` and a sandboxing CSP, so a
PDF can never run script in Kaohe's origin.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import Blueprint, abort, request, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Actor
from saas.inspections.access import readable as inspection_readable
from saas.ledger.service import find_entry
from saas.models.attachment import Attachment, AttachmentOwner
from saas.notices.service import find_notice
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("attachments", __name__, url_prefix=TENANT_PREFIX + "/attachments")


def _ledger_entry_readable(session: Session, actor: Actor, entry_id: int) -> bool:
    return find_entry(session, actor, entry_id) is not None


def _notice_readable(session: Session, actor: Actor, notice_id: int) -> bool:
    # An answer's photos: whoever may read the rectification notice (saas/notices/service.py).
    return find_notice(session, actor, notice_id) is not None


READABLE: dict[str, Callable[[Session, Actor, int], bool]] = {
    AttachmentOwner.LEDGER_ENTRY: _ledger_entry_readable,
    AttachmentOwner.NOTICE: _notice_readable,
    # An inspection's photos: readable iff the inspection is visible to the reader (an
    # unannounced one's stay hidden from the inspected until it is done).
    AttachmentOwner.INSPECTION: inspection_readable,
}


def readable(session: Session, actor: Actor, attachment: Attachment) -> bool:
    check = READABLE.get(attachment.owner)
    return check is not None and check(session, actor, attachment.owner_id)


@bp.get("/<int:attachment_id>")
@requires("home.view")  # signed in; the record's own rule decides below
def show(attachment_id: int):
    session = tenant_session()
    attachment = session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(undefer(Attachment.content))
    )
    if attachment is None or not readable(session, current_actor(), attachment):
        abort(404)
    response = send_file(
        BytesIO(attachment.content),
        mimetype=attachment.content_type,
        download_name=attachment.name,
        as_attachment=request.args.get("download") == "1",
        etag=attachment.sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
