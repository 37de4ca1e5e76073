"""The set-up checklist on a tenant admin's start page: what an organisation needs before
its first assessment, each step done or not, read in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.models.goal import Goal, GoalStatus
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import SchemeVersion
from saas.models.user import User


@dataclass(frozen=True)
class SetupStep:
    key: str
    label: object
    hint: object
    done: bool
    url: str


@dataclass(frozen=True)
class Checklist:
    steps: list[SetupStep]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def percent(self) -> int:
        return 100 * self.done // len(self.steps)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)


def setup_checklist(session: Session) -> Checklist:
    units, people, users, published, goals = session.execute(
        select(
            select(func.count()).select_from(OrgUnit).scalar_subquery(),
            select(Employee.id).exists(),
            select(func.count()).select_from(User).scalar_subquery(),
            select(SchemeVersion.id).where(SchemeVersion.status == "published").exists(),
            select(Goal.id).where(Goal.status == GoalStatus.APPROVED).exists(),
        )
    ).one()
    steps = [
        SetupStep(
            "organisation",
            _l("Organisation"),
            _l("Add the units below the company: departments, sites, teams, providers."),
            units > 1,
            url_for("org.tree"),
        ),
        SetupStep(
            "people",
            _l("People"),
            _l("Add employees by hand or import them from Excel."),
            bool(people),
            url_for("people.index"),
        ),
        SetupStep(
            "accounts",
            _l("Accounts"),
            _l("Give managers, committee members and inspectors their accounts."),
            users > 1,
            url_for("accounts.users"),
        ),
        SetupStep(
            "scheme",
            _l("A published scheme"),
            _l("Publish an assessment scheme, from a template or your own."),
            bool(published),
            url_for("schemes.index"),
        ),
        SetupStep(
            "goals",
            _l("Goals"),
            _l("Set the organisation's goals and have them approved."),
            bool(goals),
            url_for("goals.tree"),
        ),
    ]
    return Checklist(steps)
