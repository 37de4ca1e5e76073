"""Feedback links at their core: the secret token, the stored digest, making and revoking a
link with its audit row, and finding the link a customer's URL names.

A link's URL is ``/t/<slug>/feedback/<token>``; the token is 32 random bytes (URL-safe base64,
43 characters) and only its SHA-256 is stored (``feedback_link.token_hash``), so the table
never holds a working link: a lost card is replaced, not looked up. A subject (a person or a
unit) has at most one working link. Shared by the pages (links.py) and the printing job
(cards.py), so it imports nothing of Flask.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.models.audit import record
from saas.models.feedback import FeedbackLink
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from tenants.db import utcnow

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
EMPLOYEE, UNIT = "employee", "unit"


def make_token() -> tuple[str, str]:
    """A new link token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(base_url: str, slug: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/t/{slug}/feedback/{token}"


def _shown(link: FeedbackLink) -> dict:
    return {"kind": link.kind, "employee_id": link.employee_id, "unit_id": link.unit_id}


def add_link(
    session: Session,
    audit_name: str,
    user_id: int | None,
    *,
    employee_id: int | None,
    unit_id: int,
    printed: bool = False,
) -> tuple[FeedbackLink, str]:
    """A new working link for a person (``employee_id``) or a unit, and its token. The caller
    has checked the subject and that it has no working link."""
    token, token_hash = make_token()
    link = FeedbackLink(
        token_hash=token_hash,
        kind=EMPLOYEE if employee_id is not None else UNIT,
        employee_id=employee_id,
        unit_id=unit_id,
        created_by=user_id,
    )
    session.add(link)
    session.flush()
    after = {**_shown(link), "printed": printed}
    record(session, audit_name, "feedback.link.make", "feedback_link", link.id, None, after)
    return link, token


def revoke_link(session: Session, audit_name: str, user_id: int | None, link: FeedbackLink) -> None:
    link.revoked_at, link.revoked_by = utcnow(), user_id
    record(
        session,
        audit_name,
        "feedback.link.revoke",
        "feedback_link",
        link.id,
        {**_shown(link), "revoked_at": None},
        {"revoked_at": link.revoked_at.isoformat()},
    )


def lock_unit(session: Session, unit_id: int) -> None:
    """Changes to the links of one unit's subjects take turns (until the transaction ends)."""
    session.execute(select(OrgUnit.id).where(OrgUnit.id == unit_id).with_for_update())


def working_links(
    session: Session, employee_ids: list[int], unit_id: int
) -> dict[str, FeedbackLink]:
    """The working links of these people and of the unit itself, by subject key ("unit" or
    the employee id as text). One query."""
    query = select(FeedbackLink).where(
        FeedbackLink.revoked_at.is_(None),
        (FeedbackLink.employee_id.in_(employee_ids))
        | ((FeedbackLink.kind == UNIT) & (FeedbackLink.unit_id == unit_id)),
    )
    return {
        UNIT if link.employee_id is None else str(link.employee_id): link
        for link in session.scalars(query)
    }


class Closed(enum.StrEnum):
    """Why a real link no longer opens the form (the page answers 410 Gone)."""

    REVOKED = "revoked"
    LEFT = "left"  # the person no longer works here, or the unit was archived


@dataclass(frozen=True)
class Found:
    """What the public page shows of a link's subject: a name and a unit, nothing else."""

    link: FeedbackLink
    name: str  # the person's name as on their badge, or the unit's name
    unit_name: str | None  # a person's unit
    closed: Closed | None


def find_link(session: Session, token: str) -> Found | None:
    """The link a customer's token names, with what the page shows of its subject; None for a
    token that names nothing (one statement; none for text that cannot be a token)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = session.execute(
        select(FeedbackLink, Employee.name, Employee.status, OrgUnit.name, OrgUnit.archived_at)
        .outerjoin(Employee, Employee.id == FeedbackLink.employee_id)
        # A person's link shows their unit today (they may have moved); a unit's, itself.
        .join(OrgUnit, OrgUnit.id == func.coalesce(Employee.unit_id, FeedbackLink.unit_id))
        .where(FeedbackLink.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    link, person, status, unit_name, archived_at = row
    closed = None
    if link.revoked_at is not None:
        closed = Closed.REVOKED
    elif status == EmployeeStatus.LEFT or archived_at is not None:
        closed = Closed.LEFT
    if link.employee_id is not None:
        return Found(link, person, unit_name, closed)
    return Found(link, unit_name, None, closed)
