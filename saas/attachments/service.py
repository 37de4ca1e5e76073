"""Keeping and finding attachments. The caller has already decided that the actor may change
the record the file is attached to (each area's own rule); this module bounds how many files
a record holds and stores the clean copy in the same transaction as the record.

Reading is decided by the record too: ``saas/attachments/views.py`` maps each owner to the
area's check, so an attachment is readable exactly when its record is.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.attachments.files import Unacceptable, clean, clean_name
from saas.auth.permissions import Actor
from saas.models.attachment import Attachment, AttachmentOwner

MAX_PER_RECORD = 12  # photos of one inspection item, or of one letter's pages
MAX_PER_SLOT = 6


def add(
    session: Session,
    actor: Actor,
    owner: AttachmentOwner,
    owner_id: int,
    data: bytes,
    name: str | None,
    slot: str | None = None,
) -> Attachment:
    """Store ``data`` for the record; raises ``Unacceptable`` (see saas/attachments/files.py,
    plus "too_many") and stores nothing then."""
    held = _count(session, owner, owner_id, slot)
    if held >= (MAX_PER_SLOT if slot else MAX_PER_RECORD):
        raise Unacceptable("too_many")
    kept = clean(data)
    attachment = Attachment(
        owner=owner,
        owner_id=owner_id,
        slot=slot,
        name=clean_name(name, kept.content_type),
        content_type=kept.content_type,
        size=len(kept.content),
        width=kept.width,
        height=kept.height,
        sha256=kept.sha256,
        content=kept.content,
        created_by=actor.user_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def of(
    session: Session, owner: AttachmentOwner, owner_ids: list[int]
) -> dict[int, list[Attachment]]:
    """The attachments (without their bytes) of each record, oldest first, in one query."""
    found: dict[int, list[Attachment]] = {i: [] for i in owner_ids}
    if not owner_ids:
        return found
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.owner == owner, Attachment.owner_id.in_(owner_ids))
        .order_by(Attachment.id)
    )
    for row in rows:
        found[row.owner_id].append(row)
    return found


def remove(session: Session, attachment: Attachment) -> None:
    """Drop a file while its record is still being edited (a draft inspection's photo)."""
    session.delete(attachment)
    session.flush()


def _count(session: Session, owner: str, owner_id: int, slot: str | None) -> int:
    query = select(func.count()).where(Attachment.owner == owner, Attachment.owner_id == owner_id)
    if slot:
        query = query.where(Attachment.slot == slot)
    return session.scalar(query) or 0
