"""Third-party raters (第三方): someone outside the organisation rates in one cycle through a
link, without an account.

An admin gives each external rater a link ``/t/<slug>/rate/<token>``; only the token's SHA-256
is stored (``external_rater.token_hash``), so the table never holds a working link. The link
is found by looking up that digest (an index lookup of a hash: no comparison of the secret
itself that could leak it by timing). It works while the rater is not revoked and their cycle
is open, and reaches only that rater's sheets in that cycle.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.cycle import Cycle, CycleStatus, ExternalRater
from saas.org.access import Scope

# Tokens made here are 43 characters; anything much longer or of other characters is not one.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,100}")


class Closed(enum.StrEnum):
    """Why a real link no longer opens the sheets (the page answers 410 Gone)."""

    REVOKED = "revoked"
    NOT_OPEN = "not_open"


def make_token() -> tuple[str, str]:
    """A new link token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_rater(session: Session, token: str) -> tuple[ExternalRater, Cycle] | None:
    """The rater a link's token names, with their cycle; None for a token that names nobody
    (one statement, none for text that cannot be a token)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = session.execute(
        select(ExternalRater, Cycle)
        .join(Cycle, Cycle.id == ExternalRater.cycle_id)
        .where(ExternalRater.token_hash == digest(token))
    ).first()
    return None if row is None else (row[0], row[1])


def closed_because(rater: ExternalRater, cycle: Cycle) -> Closed | None:
    if rater.revoked_at is not None:
        return Closed.REVOKED
    if cycle.status != CycleStatus.OPEN:
        return Closed.NOT_OPEN
    return None


def actor_of(rater: ExternalRater) -> Actor:
    """An external rater as the services take them: no account, no roles, no reach; the
    audit trail names them by their name and organisation."""
    scope = Scope(read_all=False, write_all=False, managed_paths=(), employee_id=None)
    label = rater.name if not rater.organisation else f"{rater.name} ({rater.organisation})"
    return Actor(None, f"x:{rater.id} {label}"[:200], frozenset(), scope, label)
