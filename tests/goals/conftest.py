"""The example organisation with managers and people, and their scopes, for goal tests.

某某物业服务有限公司 WY (admin; a second tenant admin, admin2, approves what admin drafts:
the four-eyes rule is on)
├── 工程维修部 GC — managed by 陈经理 (gc)
│   └── 水电班组 GC-SD — managed by 王班长 (sd); staff 李工 (li)
└── 保洁部 BJ — managed by 赵经理 (bj)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.goals import service
from saas.goals.service import GoalData
from saas.models.goal import Goal
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.user import Role, User
from tests.conftest import actor_of
from tests.org.conftest import add_employee, add_user, make_org


@dataclass
class Team:
    org: object
    users: dict[str, int]  # name → user id
    employees: dict[str, int]  # name → employee id

    @property
    def schema(self) -> str:
        return self.org.schema

    def actor(self, session, name: str) -> Actor:
        return actor_of(session, session.get(User, self.users[name]))

    def unit(self, session, code: str) -> OrgUnit:
        return session.get(OrgUnit, self.org.ids[code])

    def person(self, session, name: str) -> Employee:
        return session.get(Employee, self.employees[name])


@pytest.fixture
def team(db, make_tenant) -> Team:
    org = make_org(db, make_tenant)
    users, employees = {}, {}
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        users["admin"] = admin.id
        users["admin2"] = add_user(session, f"admin2@{org.slug}.example.com", Role.TENANT_ADMIN).id
        for name, code, manages in (
            ("gc", "GC", "GC"),
            ("sd", "GC-SD", "GC-SD"),
            ("bj", "BJ", "BJ"),
            ("li", "GC-SD", None),
        ):
            person = add_employee(session, org.ids[code], f"E-{name}", name)
            employees[name] = person.id
            role = Role.MANAGER if manages else Role.EMPLOYEE
            users[name] = add_user(
                session, f"{name}@{org.slug}.example.com", role, employee=person
            ).id
            if manages:
                session.get(OrgUnit, org.ids[manages]).manager_id = person.id
    return Team(org, users, employees)


def unit_goal(
    session, team: Team, code: str = "WY", by: str = "admin", period: str = "2026-Q3", **values
) -> Goal:
    """A draft goal of the unit ``code`` (the company's by default), drafted by ``by``."""
    data = GoalData(**{"title": "营收", **values})
    return service.create_goal(
        session, team.actor(session, by), data, period=period, unit=team.unit(session, code)
    )
