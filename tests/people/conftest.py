"""A small organisation to test people pages against, built straight in the tenant schema.

总公司 (company)
├── 后勤服务中心 (department, 一线生产部门)   managed by 王经理 (E100)
│   └── 餐饮班组 (team)
└── 综合办公室 (department, 职能部门)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.user import Role, User, UserRole
from saas.org.access import Scope
from saas.people.levels import seed_reference_levels
from saas.people.names import pinyin_initials
from tenants.slugs import schema_for
from tests.conftest import login

PASSWORD = "people-test-password"
ADMIN_SCOPE = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)


def acting(scope: Scope, email: str) -> Actor:
    """An admin (a scope that writes all) or a manager (any other scope) acting."""
    role = Role.TENANT_ADMIN if scope.write_all else Role.MANAGER
    return Actor(None, email, frozenset({role}), scope)


def add_unit(session, name, parent=None, *, category=None, kind="department") -> OrgUnit:
    unit = OrgUnit(
        name=name,
        code=f"U-{name}-{parent.id if parent else 0}",
        kind=kind,
        category=category,
        parent_id=parent.id if parent else None,
        path="",
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else ''}{unit.id}/"
    session.flush()
    return unit


def add_employee(session, number, name, unit, **values) -> Employee:
    employee = Employee(
        number=number, name=name, unit_id=unit.id, initials=pinyin_initials(name), **values
    )
    session.add(employee)
    session.flush()
    return employee


def add_user(session, email, *roles, employee=None) -> User:
    user = User(email=email, name=email.split("@")[0])
    user.set_password(PASSWORD)
    user.roles = [UserRole(role=str(role)) for role in roles]
    session.add(user)
    session.flush()
    if employee is not None:
        employee.user_id = user.id
        session.flush()
    return user


def level_id(session, name) -> int:
    from sqlalchemy import select

    return session.scalar(select(PositionLevel.id).where(PositionLevel.name == name))


@dataclass
class Org:
    tenant: object
    schema: str
    company: int
    logistics: int
    canteen: int
    office: int
    boss: int  # E100 王经理, manages 后勤服务中心
    cook: int  # E101 张三丰, 餐饮班组, reports to the boss
    clerk: int  # E200 李小红, 综合办公室
    levels: dict[str, int]


@pytest.fixture
def org(db, tenant) -> Org:
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        seed_reference_levels(session, Actor.system("seed@example.com"))
        levels = {name: level_id(session, name) for name in ("员工", "班组长", "部门主管")}
        company = add_unit(session, "总公司", kind="company")
        logistics = add_unit(session, "后勤服务中心", company, category="一线生产部门")
        canteen = add_unit(session, "餐饮班组", logistics, kind="team")
        office = add_unit(session, "综合办公室", company, category="职能部门")
        boss = add_employee(
            session, "E100", "王经理", logistics, position_level_id=levels["部门主管"]
        )
        cook = add_employee(
            session,
            "E101",
            "张三丰",
            canteen,
            manager_id=boss.id,
            position="厨师",
            position_level_id=levels["员工"],
            employment_form="合同制",
            hire_date=dt.date(2020, 3, 1),
        )
        clerk = add_employee(session, "E200", "李小红", office, position_level_id=levels["员工"])
        logistics.manager_id = boss.id
        ids = Org(
            tenant,
            schema,
            company.id,
            logistics.id,
            canteen.id,
            office.id,
            boss.id,
            cook.id,
            clerk.id,
            levels,
        )
    return ids


def user_with(db, org: Org, email: str, *roles, employee: int | None = None) -> str:
    with db.tenant(org.schema) as session:
        linked = session.get(Employee, employee) if employee else None
        add_user(session, email, *roles, employee=linked)
    return email


def logged_in(app, org: Org, email: str | None = None):
    client = app.test_client()
    if email is None:
        response = login(client, org.tenant)
    else:
        response = login(client, org.tenant, password=PASSWORD, email=email)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
