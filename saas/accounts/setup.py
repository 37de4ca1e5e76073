"""Accounts for the people of an organisation, many at once, front-line staff included.

"Create accounts" takes a selection of employees (ticked on the people list, everyone in a
unit, or one person on their profile). Each gets an account with the employee role, linked
to their employee record, and a one-time set-up link: mailed to those with an e-mail address
when mail is set up, printed on a sheet for everyone else (``AccountSheet``; a job renders
the PDF, saas/accounts/sheets.py). People who already have an account, who have left, or
whose e-mail address another account uses are skipped and listed. The plan's seats are
counted for the whole selection: it fits, or nothing is created.

Like every service: ``(session, actor, …)``, audited, never committing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts import tokens
from saas.accounts.users import check_seats, link_employee, lock, snapshot
from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.models.tokens import AccountSheet, AccountToken, TokenPurpose
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope
from saas.validation import Invalid
from tenants.db import utcnow
from tenants.registry import Tenant
from tenants.resolver import TenantRecord

# One request creates at most this many accounts (a large unit's staff), so it stays short.
MAX_PEOPLE = 1000


class Skip(enum.StrEnum):
    HAS_ACCOUNT = "has_account"
    LEFT = "left"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_SET = "password_set"  # a new link for someone who already chose a password


@dataclass
class Outcome:
    """What happened to each selected person."""

    mailed: list[tuple[Employee, AccountToken]] = field(default_factory=list)
    printed: list[Employee] = field(default_factory=list)
    skipped: list[tuple[Employee, Skip]] = field(default_factory=list)
    sheet: AccountSheet | None = None


def select_people(
    session: Session, scope: Scope, ids: list[int], unit_id: int | None = None
) -> list[Employee]:
    """The chosen people the user may change, locked until the transaction ends: those with
    ``ids``, or everyone (but those who left) in unit ``unit_id`` and the units under it."""
    query = select(Employee).where(scope.writable_employee_clause())
    if unit_id is not None:
        chosen = (
            select(OrgUnit.path).where(OrgUnit.id == unit_id, scope.unit_clause()).scalar_subquery()
        )
        query = (
            query.join(OrgUnit, Employee.unit_id == OrgUnit.id)
            .where(OrgUnit.path.startswith(chosen), Employee.status != EmployeeStatus.LEFT)
            .with_for_update(of=Employee)
        )
    else:
        query = query.where(Employee.id.in_(ids[: MAX_PEOPLE + 1])).with_for_update()
    people = list(session.scalars(query.order_by(Employee.number).limit(MAX_PEOPLE + 1)))
    if not people:
        raise Invalid(_("Choose at least one person."), field="people")
    if len(people) > MAX_PEOPLE:
        raise Invalid(
            _(
                "At most %(max)d people at a time: choose a smaller unit or fewer people.",
                max=MAX_PEOPLE,
            ),
            field="people",
        )
    return people


def create_accounts(
    session: Session,
    actor: Actor,
    tenant: Tenant | TenantRecord,
    people: list[Employee],
    *,
    mail: bool,
    locale: str,
) -> Outcome:
    """Accounts and set-up links for ``people``; ``mail``: whether mail is set up, ``locale``:
    the language the sheet is printed in."""
    lock(session, tenant)
    outcome = Outcome()
    taken = _emails_in_use(session, people)
    todo = []
    for person in people:
        reason = _skip_reason(person, taken)
        if reason is None:
            todo.append(person)
        else:
            outcome.skipped.append((person, reason))
    if todo:
        check_seats(session, tenant, len(todo))
    accounts = [(person, _new_account(session, actor, person)) for person in todo]
    _issue_links(session, actor, accounts, outcome, mail=mail, locale=locale)
    return outcome


def renew_link(
    session: Session, actor: Actor, employee: Employee, *, mail: bool, locale: str
) -> Outcome:
    """A new set-up link for a person whose account has no password yet; the previous link
    stops working (a lost sheet, an expired link)."""
    outcome = Outcome()
    user = session.get(User, employee.user_id) if employee.user_id else None
    if user is None:
        raise Invalid(_("%(name)s has no account yet.", name=employee.name))
    if not user.is_active_account:
        raise Invalid(_("This account is disabled. Enable it first."))
    if user.password_hash:
        outcome.skipped.append((employee, Skip.PASSWORD_SET))
        return outcome
    _issue_links(session, actor, [(employee, user)], outcome, mail=mail, locale=locale)
    return outcome


def _emails_in_use(session: Session, people: list[Employee]) -> set[str]:
    emails = [p.email for p in people if p.email and p.user_id is None]
    if not emails:
        return set()
    return set(session.scalars(select(func.lower(User.email)).where(User.email.in_(emails))))


def _skip_reason(person: Employee, emails_in_use: set[str]) -> Skip | None:
    if person.user_id is not None:
        return Skip.HAS_ACCOUNT
    if person.status == EmployeeStatus.LEFT:
        return Skip.LEFT
    if person.email in emails_in_use:
        return Skip.EMAIL_TAKEN
    return None


def _new_account(session: Session, actor: Actor, person: Employee) -> User:
    user = User(
        email=person.email,
        name=person.name,
        password_hash=None,
        is_active_account=True,
        roles=[UserRole(role=Role.EMPLOYEE)],
    )
    session.add(user)
    session.flush()
    link_employee(session, actor, person, user)
    record(session, actor.email, "user.invited", "user", user.id, None, snapshot(user, person))
    return user


def _issue_links(
    session: Session,
    actor: Actor,
    accounts: list[tuple[Employee, User]],
    outcome: Outcome,
    *,
    mail: bool,
    locale: str,
) -> None:
    printed = [person for person, user in accounts if not (mail and user.email)]
    if printed:
        outcome.sheet = _new_sheet(session, actor, len(printed), locale)
    for person, user in accounts:
        by_mail = bool(mail and user.email)
        sheet_id = None if by_mail else outcome.sheet.id
        token = tokens.reserve(session, user, TokenPurpose.INVITE, actor.email, sheet_id)
        delivery = {"delivery": "mail"} if by_mail else {"delivery": "sheet", "sheet": sheet_id}
        after = {**delivery, "expires_at": token.expires_at.isoformat()}
        record(session, actor.email, "user.invitation_issued", "user", user.id, None, after)
        if by_mail:
            outcome.mailed.append((person, token))
        else:
            outcome.printed.append(person)


def _new_sheet(session: Session, actor: Actor, people: int, locale: str) -> AccountSheet:
    sheet = AccountSheet(
        created_by_id=actor.user_id,
        people=people,
        locale=locale,
        expires_at=utcnow() + tokens.LIFETIMES[TokenPurpose.INVITE],
    )
    session.add(sheet)
    session.flush()
    after = {"people": people, "expires_at": sheet.expires_at.isoformat()}
    record(session, actor.email, "account_sheet.created", "account_sheet", sheet.id, None, after)
    return sheet
