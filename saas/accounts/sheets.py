"""Printed set-up sheets: one cut-out card per person, with a QR code of their set-up link.

Run by the sheet job (workers/jobs/accounts.py), without Flask. The links' secrets are chosen
here, as the mail job chooses a mailed link's (saas/accounts/tokens.py ``rotate``): the web
request that created the accounts never held them, and they reach nothing but the PDF,
which the tenant's database keeps for whoever made the sheet. Only links still open are
printed; one re-issued or used since is left off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts import tokens
from saas.accounts.links import link_url, login_url
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.tokens import AccountSheet, AccountToken, TokenPurpose
from saas.people.contacts import display_mobile
from saas.qrcodes import qr_svg
from saas.rendering import render
from saas.signing.pdf import PDF_TEMPLATES_DIR, render_pdf
from tenants.db import utcnow
from tenants.resolver import TenantRecord

SHEET_CSS = PDF_TEMPLATES_DIR / "setup_sheet.css"
CARDS_PER_PAGE = 8  # two columns of four on A4: cards large enough to scan and to cut

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Card:
    name: str
    unit: str
    number: str
    mobile: str
    link: str
    qr: Markup
    expires_at: dt.datetime


def _open_links(session: Session, sheet_id: int):
    """The sheet's links still open, with each person and unit, in employee-number order."""
    return session.execute(
        select(AccountToken, Employee, OrgUnit.name)
        .join(Employee, Employee.user_id == AccountToken.user_id)
        .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        .where(
            AccountToken.sheet_id == sheet_id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
        .order_by(OrgUnit.path, Employee.number)
        .with_for_update(of=AccountToken)
    ).all()


def _card(token: AccountToken, person: Employee, unit: str, base_url: str, slug: str) -> Card:
    link = link_url(base_url, TokenPurpose.INVITE, slug, tokens.rotate(token))
    return Card(
        name=person.name,
        unit=unit,
        number=person.number,
        mobile=display_mobile(person.mobile),
        link=link,
        qr=qr_svg(link),
        expires_at=token.expires_at,
    )


def sheet_pdf(
    session: Session,
    sheet: AccountSheet,
    tenant: TenantRecord,
    base_url: str,
    progress: Progress,
) -> bytes:
    """Choose the secrets of the sheet's open links and print them; flushes the new hashes
    (the caller commits them with the PDF, or neither)."""
    cards = [_card(*row, base_url, tenant.slug) for row in _open_links(session, sheet.id)]
    session.flush()
    progress(30, "rendering")
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    html = render(
        "accounts/setup_sheet.html",
        locale=sheet.locale,
        time_zone=tenant.time_zone,
        tenant_name=tenant.name,
        pages=pages,
        login_url=login_url(base_url, tenant.slug),
    )
    return render_pdf(html, stylesheets=(SHEET_CSS,))
