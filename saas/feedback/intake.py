"""What a customer sends through a feedback link, and what it becomes.

- **The form.** Praise or complaint; a category of a fixed list (words.py); a text of at most
  500 characters, required; optionally a mainland mobile number (saas/people/contacts.py),
  stored as its 11 digits. Text is stored as typed (markup stays text; every page escapes it).
- **Duplicates.** The same text (normalised, guard.py) to the same link within 24 hours is
  refused as a duplicate (``Duplicate``); nothing is stored and no reference is handed out,
  so a copy cannot learn the first sender's reference. Submissions to one link take turns (the
  link's row is locked), so two copies sent at once cannot both pass.
- **The ledger.** Each submission is a ``feedback`` row and a ledger entry about the link's
  subject, dated the day it arrived, source ``customer``, awaiting a validity decision
  (``pending``) whatever its rule says: a customer's word counts only once someone with
  ``ledger.decide`` rules it valid. The entry names the event ``customer_praise`` or
  ``customer_complaint`` when a published scheme has a rule for it (the reference schemes
  do), else it is a free entry worth 0 points, labelled in the tenant's language. The note
  carries the category, the text, the phone number and the reference. The audit log names
  the actor "customer feedback".
- **The reference.** ``FK-`` and 10 characters of an alphabet without look-alikes (31¹⁰
  ≈ 8·10¹⁴ values), what the customer keeps to look the status up: received, or handled once
  the ledger entry was decided or withdrawn.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.feedback.guard import text_hash
from saas.feedback.words import CATEGORY_LABELS, KIND_LABELS
from saas.ledger.service import add_entry, published_rules
from saas.models.feedback import Feedback, FeedbackKind, FeedbackLink
from saas.models.ledger import EntrySource, EntryValidity, LedgerEntry
from saas.people.contacts import BadContact, display_mobile, normalise_mobile
from saas.rendering import translator
from saas.validation import Invalid, Problems
from tenants.db import utcnow

TEXT_LIMIT = 500
PHONE_LIMIT = 40  # characters of a typed number; any way of writing one is shorter
DUPLICATE_WINDOW = dt.timedelta(hours=24)
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
REFERENCE_PATTERN = re.compile(rf"FK-[{ALPHABET}]{{10}}")
ACTOR = "customer feedback"
# The scheme rule events a submission names, where a published scheme has them.
EVENTS = {FeedbackKind.PRAISE: "customer_praise", FeedbackKind.COMPLAINT: "customer_complaint"}


class Duplicate(Exception):
    """The same text reached the same link within a day."""


@dataclass(frozen=True)
class Sent:
    """A submission, read and checked."""

    kind: str
    category: str
    text: str
    phone: str | None  # the 11 digits


def read(kind: str | None, category: str | None, text: str | None, phone: str | None) -> Sent:
    """The form's values checked, or ``Invalid`` naming every field at fault."""
    problems = Problems()
    kind = (kind or "")[:20]
    if kind not in KIND_LABELS:
        problems.add("kind", _l("Choose praise or complaint."))
    category = (category or "")[:40]
    if category not in CATEGORY_LABELS:
        problems.add("category", _l("Choose what it is about."))
    text = (text or "").strip()
    if not text:
        problems.add("text", _l("Tell us what happened."))
    elif len(text) > TEXT_LIMIT:
        problems.add("text", _l("At most %(n)s characters.", n=TEXT_LIMIT))
    phone = (phone or "").strip()
    mobile = None
    if phone:
        try:
            mobile = normalise_mobile(phone[: PHONE_LIMIT + 1])
        except BadContact:
            problems.add("phone", _l("Give a mainland mobile number such as 138 0013 8000."))
    problems.raise_any()
    return Sent(kind, category, text, mobile)


def _note(sent: Sent, reference: str, locale: str) -> str:
    _ = translator(locale)
    categories = {
        "attitude": _("Attitude"),
        "quality": _("Quality of service"),
        "speed": _("Speed"),
        "cleanliness": _("Cleanliness"),
        "other": _("Other"),
    }
    lines = [f"【{categories[sent.category]}】{sent.text}"]
    if sent.phone:
        lines.append(_("Customer's phone: %(phone)s", phone=display_mobile(sent.phone)))
    lines.append(_("Reference: %(reference)s", reference=reference))
    return "\n".join(lines)


def _free_label(kind: str, locale: str) -> str:
    _ = translator(locale)
    return _("Customer praise") if kind == FeedbackKind.PRAISE else _("Customer complaint")


def new_reference() -> str:
    return "FK-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def _is_duplicate(session: Session, link_id: int, digest: str) -> bool:
    since = utcnow() - DUPLICATE_WINDOW
    return (
        session.scalar(
            select(Feedback.id)
            .where(
                Feedback.link_id == link_id,
                Feedback.text_hash == digest,
                Feedback.created_at > since,
            )
            .limit(1)
        )
        is not None
    )


def _entry(session: Session, link: FeedbackLink, sent: Sent, note: str, today, locale):
    event = EVENTS[sent.kind]
    free = event not in published_rules(session)
    return add_entry(
        session,
        Actor.system(ACTOR),
        employee_id=link.employee_id,
        unit_id=None if link.employee_id is not None else link.unit_id,
        on=today,
        event=None if free else event,
        label=_free_label(sent.kind, locale) if free else None,
        points=Decimal(0) if free else None,
        note=note,
        source=EntrySource.CUSTOMER,
        pending=True,
    )


def submit(
    session: Session,
    link_id: int,
    sent: Sent,
    *,
    client_hash: str,
    today: dt.date,
    locale: str,
) -> Feedback | None:
    """Store one submission and its pending ledger entry; None when the link no longer takes
    any (revoked, or its subject is gone meanwhile). Raises ``Duplicate``."""
    link = session.scalar(
        select(FeedbackLink)
        .where(FeedbackLink.id == link_id, FeedbackLink.revoked_at.is_(None))
        .with_for_update()
    )
    if link is None:
        return None
    digest = text_hash(sent.text)
    if _is_duplicate(session, link.id, digest):
        raise Duplicate()
    for _attempt in range(3):  # a reference already given: another one (odds 1 in 10¹⁴)
        reference = new_reference()
        try:
            with session.begin_nested():
                entry = _entry(session, link, sent, _note(sent, reference, locale), today, locale)
                feedback = Feedback(
                    reference=reference,
                    link_id=link.id,
                    kind=sent.kind,
                    category=sent.category,
                    text=sent.text,
                    phone=sent.phone,
                    text_hash=digest,
                    client_hash=client_hash,
                    ledger_entry_id=entry.id,
                )
                session.add(feedback)
                session.flush()
            return feedback
        except IntegrityError:
            continue
        except Invalid:  # the subject left or its unit was archived meanwhile
            return None
    raise RuntimeError("no free feedback reference after three tries")


@dataclass(frozen=True)
class Status:
    reference: str
    handled: bool
    on: dt.datetime  # when it was received, or handled


def status_of(session: Session, reference: str) -> Status | None:
    """What the status page shows of a reference: received or handled, and when; None for a
    reference that names nothing (one statement)."""
    reference = reference.strip().upper()
    if not REFERENCE_PATTERN.fullmatch(reference):
        return None
    row = session.execute(
        select(
            Feedback.created_at,
            LedgerEntry.validity,
            LedgerEntry.decided_at,
            LedgerEntry.withdrawn_at,
        )
        .outerjoin(LedgerEntry, LedgerEntry.id == Feedback.ledger_entry_id)
        .where(Feedback.reference == reference)
    ).first()
    if row is None:
        return None
    received, validity, decided_at, withdrawn_at = row
    if withdrawn_at is not None:
        return Status(reference, True, withdrawn_at)
    if validity in (EntryValidity.VALID, EntryValidity.INVALID) and decided_at is not None:
        return Status(reference, True, decided_at)
    return Status(reference, False, received)
