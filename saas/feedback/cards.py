"""Printed customer feedback cards: a badge card per chosen person (name, post, QR code, "scan
to rate my service"), ten to an A4 page for cutting, and the unit's table tent (a folded A4
with its QR code), in the tenant's language (customers read them).

Run by the printing job (workers/jobs/feedback.py), without Flask. The links' tokens are
chosen here, as the set-up sheets' are: the request that asked for the print never held them,
and they reach nothing but the PDF. A chosen subject that has a working link gets a new one
(its old card stops working: a printed token cannot be read back from its digest), so people
print those who have no link, or reprint on purpose. At most ``PRINT_LIMIT`` cards a print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.feedback import tokens
from saas.feedback.tokens import UNIT
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.models.user import User
from saas.qrcodes import qr_svg
from saas.rendering import render, supported_locale
from saas.signing.pdf import PDF_TEMPLATES_DIR, render_pdf
from saas.validation import record_id
from tenants.resolver import TenantRecord

CARDS_CSS = PDF_TEMPLATES_DIR / "feedback_cards.css"
CARDS_PER_PAGE = 10  # two columns of five 90 × 54 mm badges on A4
PRINT_LIMIT = 300  # cards in one print (~30 pages, some ten seconds of rendering)

Progress = Callable[[int, str], None]


class NothingToPrint(LookupError):
    """The unit is gone (archived, or not in this tenant)."""


@dataclass(frozen=True)
class Card:
    name: str
    post: str
    qr: Markup


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    cards: int  # people's cards
    tent: bool  # the unit's table tent


def parse_chosen(text: str) -> list[str]:
    """The subject keys of a print ("unit" and employee ids), as the job receives them."""
    keys = [part for part in text.split(",") if part == UNIT or record_id(part) is not None]
    return list(dict.fromkeys(keys))[:PRINT_LIMIT]


def audit_name(session: Session, user_id: int) -> str:
    """Who the audit log names for a print: as for a request (e-mail, else employee number)."""
    found = session.scalar(
        select(func.coalesce(User.email, Employee.number, User.name))
        .select_from(User)
        .outerjoin(Employee, Employee.user_id == User.id)
        .where(User.id == user_id)
    )
    return found or f"user {user_id}"


def _people(session: Session, unit_id: int, keys: list[str]) -> list[Employee]:
    ids = [found for found in map(record_id, keys) if found is not None]
    return list(
        session.scalars(
            select(Employee)
            .where(
                Employee.id.in_(ids),
                Employee.unit_id == unit_id,
                Employee.status != EmployeeStatus.LEFT,
            )
            .order_by(Employee.number)
        )
    )


def _fresh_link(
    session: Session, who: tuple[str, int], working, key: str, employee_id, unit_id
) -> str:
    old = working.get(key)
    if old is not None:
        tokens.revoke_link(session, *who, old)
    _link, token = tokens.add_link(
        session, *who, employee_id=employee_id, unit_id=unit_id, printed=True
    )
    return token


def print_cards(
    session: Session,
    tenant: TenantRecord,
    base_url: str,
    unit_id: int,
    user_id: int,
    keys: list[str],
    progress: Progress,
) -> Printed:
    """Make the chosen subjects' new links and print them; flushes the links and their audit
    rows (the caller commits them once the PDF is stored, or neither)."""
    unit = session.scalar(
        select(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.archived_at.is_(None))
    )
    if unit is None:
        raise NothingToPrint(f"no unit {unit_id} in use in {tenant.slug!r}")
    tokens.lock_unit(session, unit.id)
    people = _people(session, unit.id, keys)
    working = tokens.working_links(session, [p.id for p in people], unit.id)
    who = (audit_name(session, user_id), user_id)
    cards = []
    for person in people:
        token = _fresh_link(session, who, working, str(person.id), person.id, unit.id)
        link = tokens.link_url(base_url, tenant.slug, token)
        cards.append(Card(person.name, person.position or unit.name, qr_svg(link)))
    tent = None
    if UNIT in keys:
        token = _fresh_link(session, who, working, UNIT, None, unit.id)
        tent = Card(unit.name, "", qr_svg(tokens.link_url(base_url, tenant.slug, token)))
    session.flush()
    progress(30, "rendering")
    html = render(
        "feedback/cards.html",
        locale=supported_locale(tenant.locale),
        time_zone=tenant.time_zone,
        tenant_name=tenant.name,
        unit_name=unit.name,
        pages=[cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)],
        tent=tent,
    )
    return Printed(render_pdf(html, stylesheets=(CARDS_CSS,)), len(cards), tent is not None)


CARDS_TTL = 3600  # seconds the printed PDF waits for its download (it holds working links)


def pdf_key(queue_name: str, job_id: str) -> str:
    """Where a print's PDF waits in Redis for the user who asked for it."""
    return f"kaohe:{queue_name}:feedback-cards:{job_id}"
