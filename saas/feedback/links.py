"""Feedback links as the links pages manage them (``feedback.links``): the units in reach,
one unit's people and the unit itself with the state of their links, and making, revoking
and renewing a link.

- Reach: an administrator reaches every unit; a manager the units of their subtrees (and so
  the people in them, themself included: a badge is for everyone at the counter). A unit out
  of reach is not found (404). Archived units and people who have left have no links made.
- A subject has at most one working link: making one for a subject that has one is refused
  (renew it instead); renewing revokes the working link and makes a new one; revoking makes
  the link's page answer 410 Gone. Every change writes an audit row.
- A new token is shown once, in the answer to the request that made it; afterwards only its
  digest exists. Printed cards make their own links (cards.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.feedback import tokens
from saas.feedback.tokens import UNIT
from saas.ledger.service import unit_reach
from saas.models.feedback import FeedbackLink
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.people.employees import unit_choices
from saas.validation import Invalid, record_id

PERMISSION = "feedback.links"
MAX_LISTED = 1000  # people of one unit on its page; a unit that big prints by team


@dataclass(frozen=True)
class UnitRow:
    id: int
    label: str  # indented by depth
    people: int
    linked: int  # people with a working link


@dataclass(frozen=True)
class Row:
    """One subject of a unit's page: the unit itself, or one of its people."""

    key: str  # "unit", or the employee id as text
    name: str
    post: str | None
    number: str | None
    link: FeedbackLink | None  # the working link
    revoked_at: dt.datetime | None  # when the last link was revoked, where none works


def unit_in_reach(session: Session, actor: Actor, unit_id: int) -> OrgUnit | None:
    actor.require(PERMISSION)
    return session.scalar(
        select(OrgUnit).where(
            OrgUnit.id == unit_id, OrgUnit.archived_at.is_(None), unit_reach(actor, PERMISSION)
        )
    )


def units(session: Session, actor: Actor) -> list[UnitRow]:
    """The units in reach in tree order, with how many people and links each has (two
    queries)."""
    actor.require(PERMISSION)
    choices = unit_choices(session, unit_reach(actor, PERMISSION))
    linked = (
        select(FeedbackLink.employee_id)
        .where(FeedbackLink.revoked_at.is_(None), FeedbackLink.employee_id.is_not(None))
        .scalar_subquery()
    )
    counts = {
        unit_id: (people, with_link)
        for unit_id, people, with_link in session.execute(
            select(
                Employee.unit_id,
                func.count(),
                func.count().filter(Employee.id.in_(linked)),
            )
            .where(
                Employee.status != EmployeeStatus.LEFT,
                Employee.unit_id.in_([unit_id for unit_id, _label in choices]),
            )
            .group_by(Employee.unit_id)
        )
    }
    return [UnitRow(unit_id, label, *counts.get(unit_id, (0, 0))) for unit_id, label in choices]


def _people(session: Session, unit: OrgUnit) -> list[Employee]:
    return list(
        session.scalars(
            select(Employee)
            .where(Employee.unit_id == unit.id, Employee.status != EmployeeStatus.LEFT)
            .order_by(Employee.number)
            .limit(MAX_LISTED)
        )
    )


def _last_revoked(
    session: Session, people: list[Employee], unit: OrgUnit
) -> dict[str, dt.datetime]:
    found = session.execute(
        select(FeedbackLink.employee_id, func.max(FeedbackLink.revoked_at))
        .where(
            FeedbackLink.revoked_at.is_not(None),
            FeedbackLink.employee_id.in_([p.id for p in people])
            | ((FeedbackLink.kind == UNIT) & (FeedbackLink.unit_id == unit.id)),
        )
        .group_by(FeedbackLink.employee_id)
    )
    return {UNIT if person is None else str(person): when for person, when in found}


def rows(session: Session, unit: OrgUnit) -> list[Row]:
    """The unit itself, then its people by employee number, each with its link (three
    queries)."""
    people = _people(session, unit)
    working = tokens.working_links(session, [p.id for p in people], unit.id)
    revoked = _last_revoked(session, people, unit)
    shown = [Row(UNIT, unit.name, None, unit.code, working.get(UNIT), revoked.get(UNIT))]
    for person in people:
        key = str(person.id)
        shown.append(
            Row(
                key, person.name, person.position, person.number, working.get(key), revoked.get(key)
            )
        )
    return shown


def _subject(session: Session, unit: OrgUnit, key: str | None) -> tuple[int | None, str]:
    """(employee id or None for the unit, name) of the subject ``key`` names in ``unit``."""
    if key == UNIT:
        return None, unit.name
    person_id = record_id(key)
    person = None
    if person_id is not None:
        person = session.scalar(
            select(Employee).where(
                Employee.id == person_id,
                Employee.unit_id == unit.id,
                Employee.status != EmployeeStatus.LEFT,
            )
        )
    if person is None:
        raise Invalid(_l("Choose a person of this unit, or the unit itself."), "subject")
    return person.id, person.name


def _working(session: Session, unit: OrgUnit, employee_id: int | None) -> FeedbackLink | None:
    """The subject's working link, with the unit locked: changes to one unit's links (pages,
    printing) take turns, so a subject never ends up with two working links."""
    tokens.lock_unit(session, unit.id)
    found = tokens.working_links(session, [employee_id] if employee_id is not None else [], unit.id)
    return found.get(UNIT if employee_id is None else str(employee_id))


def make(session: Session, actor: Actor, unit: OrgUnit, key: str | None) -> tuple[str, str]:
    """Make the subject's link: (its name, the new token). Refused if it has one."""
    actor.require(PERMISSION)
    employee_id, name = _subject(session, unit, key)
    if _working(session, unit, employee_id) is not None:
        raise Invalid(
            _l("%(name)s already has a working link; renew it to replace it.", name=name), "subject"
        )
    _link, token = tokens.add_link(
        session, actor.email, actor.user_id, employee_id=employee_id, unit_id=unit.id
    )
    return name, token


def revoke(session: Session, actor: Actor, unit: OrgUnit, key: str | None) -> str:
    """Revoke the subject's working link; its page then answers 410. Returns the name."""
    actor.require(PERMISSION)
    employee_id, name = _subject(session, unit, key)
    link = _working(session, unit, employee_id)
    if link is None:
        raise Invalid(_l("%(name)s has no working link.", name=name), "subject")
    tokens.revoke_link(session, actor.email, actor.user_id, link)
    return name


def renew(session: Session, actor: Actor, unit: OrgUnit, key: str | None) -> tuple[str, str]:
    """Revoke the subject's working link (if any) and make a new one: (name, new token)."""
    actor.require(PERMISSION)
    employee_id, name = _subject(session, unit, key)
    link = _working(session, unit, employee_id)
    if link is not None:
        tokens.revoke_link(session, actor.email, actor.user_id, link)
    _link, token = tokens.add_link(
        session, actor.email, actor.user_id, employee_id=employee_id, unit_id=unit.id
    )
    return name, token
