"""The example property-management organisation (seed_example_org) in a fresh tenant, and
people, users and roles added straight in its schema.

某某物业服务有限公司 WY
├── 综合管理部 ZH (行政办公室 ZH-XZ, 人力资源组 ZH-RL)
├── 财务部 CW, 品质管理部 PZ
├── 工程维修部 GC (水电班组 GC-SD, 空调暖通班组 GC-KT, 电梯维保班组 GC-DT)
├── 保洁部 BJ, 客服中心 KF, 秩序维护部 ZX, 项目管理处 XM
└── 外包服务商 WB (某某保安公司 WB-BA, …)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope
from saas.org.units import seed_example_org
from saas.platform.onboarding import NewTenant
from tenants.slugs import schema_for
from tests.conftest import login

PASSWORD = "org-test-password-1"
ADMIN = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)
HTMX = {"HX-Request": "true"}


@dataclass
class Org:
    tenant: NewTenant
    schema: str
    ids: dict[str, int]  # unit code → id

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/org/{path}"


def make_org(db, make_tenant, **options) -> Org:
    # English, so assertions on messages hold once the Chinese catalog is filled in.
    tenant = make_tenant(locale="en", **options)
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system("seed@example.com"))
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    return Org(tenant, schema, ids)


@pytest.fixture
def org(db, make_tenant) -> Org:
    return make_org(db, make_tenant)


def add_employee(session, unit_id: int, number: str, name: str, **values) -> Employee:
    employee = Employee(number=number, name=name, unit_id=unit_id, **values)
    session.add(employee)
    session.flush()
    return employee


def add_user(session, email: str, *roles: Role, employee: Employee | None = None) -> User:
    user = User(email=email, name=email.split("@")[0])
    user.set_password(PASSWORD)
    user.roles = [UserRole(role=str(role)) for role in roles]
    session.add(user)
    session.flush()
    if employee is not None:
        employee.user_id = user.id
    return user


def add_manager(db, org: Org, code: str, email: str) -> int:
    """A user with the manager role whose employee record manages the unit ``code``."""
    with db.tenant(org.schema) as session:
        unit = session.get(OrgUnit, org.ids[code])
        boss = add_employee(session, unit.id, f"M-{code}", f"经理{code}")
        add_user(session, email, Role.MANAGER, employee=boss)
        unit.manager_id = boss.id
        return boss.id


def add_role_user(db, org: Org, email: str, role: Role) -> None:
    with db.tenant(org.schema) as session:
        employee = add_employee(session, org.ids["ZH-XZ"], f"R-{email[:20]}", "职员")
        add_user(session, email, role, employee=employee)


def log_in(client, org: Org, email: str | None = None) -> None:
    if email is None:
        response = login(client, org.tenant)
    else:
        response = login(client, org.tenant, password=PASSWORD, email=email)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def token(client, org: Org) -> str:
    body = client.get(f"/t/{org.slug}/").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert match, body[:500]
    return match.group(1)


def unit_row(db, org: Org, code: str) -> OrgUnit:
    with db.tenant(org.schema) as session:
        unit = session.get(OrgUnit, org.ids[code])
        session.expunge(unit)
        return unit
