"""A tenant with a published reference scheme (its rules are the ledger's events), people
under 工程维修部 (GC, managed by the manager) and in 行政 (ZH-XZ, outside the manager's
subtree), and one user per role."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit
from saas.models.user import Role, User
from saas.people.levels import seed_reference_levels
from saas.schemes import versions
from saas.schemes.templates import load_template
from tests.conftest import actor_of
from tests.org.conftest import Org, add_employee, add_user, make_org


@dataclass
class Book:
    org: Org
    admin_id: int
    inside: int  # an employee of GC
    outside: int  # an employee of ZH-XZ
    manager: int  # the manager's own employee record
    users: dict[str, int] = field(default_factory=dict)  # role name → user id

    @property
    def schema(self) -> str:
        return self.org.schema

    @property
    def slug(self) -> str:
        return self.org.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/ledger/{path}"

    def admin(self) -> Actor:
        return Actor.system(self.org.tenant.admin_email, user_id=self.admin_id)

    def actor(self, session, role: str) -> Actor:
        return actor_of(session, session.get(User, self.users[role]))

    def email(self, role: str) -> str:
        return f"{role}@{self.slug}.example.com"


def make_book(db, make_tenant) -> Book:
    org = make_org(db, make_tenant)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        system = Actor.system(org.tenant.admin_email, user_id=admin.id)
        seed_reference_levels(session, system)
        version = versions.create_scheme(
            session, system, load_template("smile_functional"), template="smile_functional"
        )
        versions.publish(session, system, version)
        inside = add_employee(session, org.ids["GC"], "L-IN", "张三")
        outside = add_employee(session, org.ids["ZH-XZ"], "L-OUT", "李四")
        boss = add_employee(session, org.ids["GC"], "L-BOSS", "王经理")
        session.get(OrgUnit, org.ids["GC"]).manager_id = boss.id
        book = Book(org, admin.id, inside.id, outside.id, boss.id)
        for role, person in (
            (Role.MANAGER, boss),
            (Role.COMMITTEE, add_employee(session, org.ids["ZH-XZ"], "L-C", "委员")),
            (Role.INSPECTOR, add_employee(session, org.ids["ZH-XZ"], "L-I", "检查员")),
            (Role.EMPLOYEE, inside),
        ):
            user = add_user(session, book.email(role.value), role, employee=person)
            book.users[role.value] = user.id
    return book


@pytest.fixture
def book(db, make_tenant) -> Book:
    return make_book(db, make_tenant)
