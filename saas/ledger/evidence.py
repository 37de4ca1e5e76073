"""The evidence behind a ledger entry: photos and scans of the letter, the complaint, the
spot (saas/attachments/).

- Whoever may enter entries for the entry's subject (``ledger.enter``, with its reach) adds
  files, on the add form or later on the entry's page; a withdrawn entry takes no new file.
- At most ``MAX_AT_ONCE`` files at once and ``MAX_PER_RECORD`` per entry; each is checked and
  cleaned (saas/attachments/files.py). A refused file refuses the whole request: the caller
  rolls back, so neither the entry (on the add form) nor any other file of it is kept.
- Whoever may read the entry reads its files, a withdrawn entry's too
  (saas/attachments/views.py); the subject's own ledger shows no files (docs/ledger.md).
- Each file added is in the audit log, with its name and digest.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.attachments import service as attachments
from saas.attachments.files import Unacceptable
from saas.attachments.words import MAX_AT_ONCE, message
from saas.auth.permissions import Actor, Refused
from saas.ledger.service import entry_clause
from saas.models.attachment import Attachment, AttachmentOwner
from saas.models.audit import record
from saas.models.ledger import LedgerEntry
from saas.validation import Invalid

NAME_SHOWN = 80  # of an uploaded file's name, in a message


class Upload:
    """One file as sent: its bytes (already bounded by the reader) and the name it came with."""

    __slots__ = ("data", "name")

    def __init__(self, data: bytes, name: str | None) -> None:
        self.data, self.name = data, name


def entry_for_files(session: Session, actor: Actor, entry_id: int) -> LedgerEntry | None:
    """The entry, locked, when the actor may add files to it; None when not in reach."""
    actor.require("ledger.enter")
    return session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id, entry_clause(actor, "ledger.enter"))
        .with_for_update()
    )


def attach(
    session: Session, actor: Actor, entry: LedgerEntry, uploads: Sequence[Upload]
) -> list[Attachment]:
    """Keep every file of ``uploads`` for ``entry`` (found through ``entry_for_files`` or just
    added), or raise ``Invalid`` (field "file") naming the first file refused."""
    if entry.withdrawn_at is not None:
        raise Refused(_l("This entry was withdrawn; it takes no new file."))
    if not uploads:
        raise Invalid(_l("Choose a photo or a PDF to add."), "file")
    if len(uploads) > MAX_AT_ONCE:
        raise Invalid(message("too_many"), "file")
    kept = []
    for upload in uploads:
        name = (upload.name or "")[:NAME_SHOWN] or None
        try:
            added = attachments.add(
                session, actor, AttachmentOwner.LEDGER_ENTRY, entry.id, upload.data, upload.name
            )
        except Unacceptable as refused:
            raise Invalid(
                message(refused.code, name if len(uploads) > 1 else None), "file"
            ) from None
        after = {"file": added.name, "file_sha256": added.sha256}
        record(session, actor.email, "ledger.entry.attach", "ledger_entry", entry.id, None, after)
        kept.append(added)
    return kept


def files_of(session: Session, entry_id: int) -> list[Attachment]:
    """An entry's files, oldest first, without their bytes. Reading the entry is checked by
    the caller."""
    return attachments.of(session, AttachmentOwner.LEDGER_ENTRY, [entry_id])[entry_id]


def file_count():
    """A column: how many files an entry holds (for lists, without a query per row)."""
    return (
        select(func.count(Attachment.id))
        .where(
            Attachment.owner == AttachmentOwner.LEDGER_ENTRY,
            Attachment.owner_id == LedgerEntry.id,
        )
        .correlate(LedgerEntry)
        .scalar_subquery()
        .label("file_count")
    )
