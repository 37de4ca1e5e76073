"""Which account a login names: its e-mail, its person's mobile number or employee number.

Canteen and cleaning staff rarely have a work e-mail, so the login field takes any of the
three, each unique in the tenant. The look-up is one statement whatever was typed, so it
costs the same for known and unknown identifiers (the password check after it always runs
exactly once, see saas/passwords.py). Text with an @ is an e-mail; anything else is a
mobile number (read as people write it) or an employee number, the mobile number winning
should someone's employee number be another person's mobile number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from saas.models.people import Employee
from saas.models.user import User
from saas.people.contacts import mobile_or_none


def login_key(identifier: str) -> str:
    """The identifier as the rate limit counts it: one count however it is written."""
    text = identifier.strip()
    return mobile_or_none(text) or text.lower()


def find_login(session: Session, identifier: str) -> User | None:
    """The account ``identifier`` names, enabled or not; None if none does."""
    text = identifier.strip()
    if "@" in text:
        return session.scalar(select(User).where(func.lower(User.email) == text.lower()))
    mobile = mobile_or_none(text)
    by_number = func.lower(Employee.number) == text.lower()
    # An exact number beats one typed in another case (E0001 and e0001 may both exist).
    ranks = [(Employee.number == text, 1)]
    matches = by_number
    if mobile is not None:
        ranks.insert(0, (Employee.mobile == mobile, 0))
        matches = (Employee.mobile == mobile) | by_number
    rank = case(*ranks, else_=2)
    return session.scalar(
        select(User)
        .join(Employee, Employee.user_id == User.id)
        .where(matches)
        .order_by(rank, Employee.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Logins:
    """What a user can type in the login field."""

    email: str | None
    mobile: str | None  # stored digits
    number: str | None  # employee number

    @property
    def primary(self) -> str | None:
        """The one a password manager keeps, and the audit log names: e-mail, else number."""
        return self.email or self.number


def logins_of(session: Session, user: User) -> Logins:
    row = session.execute(
        select(Employee.mobile, Employee.number).where(Employee.user_id == user.id)
    ).first()
    mobile, number = row if row is not None else (None, None)
    return Logins(user.email, mobile, number)


def audit_name(session: Session, user: User) -> str:
    """Who the audit log names when ``user`` acts (the request's principal says the same)."""
    return logins_of(session, user).primary or user.name
