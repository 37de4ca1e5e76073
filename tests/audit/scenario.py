"""A tenant's first weeks, through the services, so its audit log holds a row of every kind a
new user meets: units, people, levels, accounts, goals, a scheme and an import. Used by the
audit tests and by bench/audit_screenshots.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from saas.accounts.users import Invitation, invite, set_roles
from saas.auth.permissions import Actor
from saas.goals import actuals
from saas.goals import service as goals
from saas.imports import batches
from saas.imports.formats import read_workbook
from saas.models.user import User
from saas.org.units import archive_unit, create_unit, move_unit, update_unit
from saas.people.employees import EmployeeData, create_employee, update_employee
from saas.people.levels import add_level
from saas.schemes import editing, versions
from saas.schemes.templates import load_template
from saas.settings.service import FOUR_EYES, change_settings
from tenants.db import Database
from tenants.registry import find_tenant
from tenants.slugs import schema_for

UNITS_CSV = (
    "部门编码,部门名称,上级部门编码,部门类型,部门类别\r\n"
    "ST-01,第一食堂,HQ,场所,一线生产部门\r\n"
    "ST-02,第二食堂,HQ,场所,一线生产部门\r\n"
).encode()


@dataclass(frozen=True)
class Filled:
    company_goal: int
    department_goal: int
    unit_id: int


def _admin(session, email: str) -> Actor:
    from tests.conftest import actor_of

    return actor_of(session, session.scalar(select(User).where(User.email == email)))


def fill_the_log(db: Database, slug: str, admin_email: str) -> Filled:
    schema = schema_for(slug)
    with db.public() as public:
        registry = find_tenant(public, slug)
    with db.tenant(schema) as session:
        actor = _admin(session, admin_email)
        company = create_unit(
            session, actor, None, name="某某物业服务有限公司", code="HQ", kind="company"
        )
        works = create_unit(session, actor, company, name="工程部", code="GC", category="职能部门")
        team = create_unit(session, actor, works, name="水电班组", code="GC-SD", kind="team")
        update_unit(session, actor, works, name="工程维修部", category="一线生产部门")
        old = create_unit(session, actor, company, name="临时项目组", code="TMP", kind="team")
        archive_unit(session, actor, old)
        move_unit(session, actor, team, company)
        level = add_level(session, actor, "班组长", 3)
        lead = create_employee(
            session,
            actor,
            EmployeeData(
                "E001",
                "王建国",
                works.id,
                position="维修主管",
                position_level_id=level.id,
                employment_form="正式员工",
                hire_date=dt.date(2019, 4, 1),
            ),
        )
        worker = create_employee(
            session,
            actor,
            EmployeeData("E002", "李师傅", team.id, position="电工", manager_id=lead.id),
        )
        update_employee(
            session,
            actor,
            worker,
            EmployeeData(
                "E002", "李师傅", works.id, position="电工", manager_id=lead.id, status="on_leave"
            ),
        )
        update_unit(session, actor, works, manager=lead)
        user = invite(
            session,
            actor,
            registry,
            Invitation("wang.jianguo@example.cn", "王建国", ["manager"], "E001", None),
        )
        set_roles(session, actor, registry, user.id, ["manager", "inspector"])
        top = goals.create_goal(
            session,
            actor,
            goals.GoalData(title="业主满意度", unit="分", target="90", weight="40"),
            period="2026",
            unit=company,
        )
        (child,) = goals.cascade(session, actor, top, units=[works])
        goals.change_goal(
            session,
            actor,
            child,
            goals.GoalData(
                title="报修及时率", unit="%", target="95", baseline="80", contribution="100"
            ),
        )
        goals.submit(session, actor, top)
        # A one-admin tenant in its first weeks approves its own company goals.
        change_settings(session, actor, {FOUR_EYES: False})
        goals.approve(session, actor, top)
        actuals.record_actual(
            session, actor, top, value="86.5", on=dt.date(2026, 3, 31), today=dt.date(2026, 4, 1)
        )
        version = versions.create_scheme(
            session, actor, load_template("canteen_hygiene"), template="canteen_hygiene"
        )
        item = version.definition["sections"][0]["items"][0]["key"]
        edit = editing.edit_item(version.definition, item, {"text": "餐具每餐消毒并记录"})
        versions.save(session, actor, version, edit.scheme, edit.change)
        versions.publish(session, actor, version)
        ids = Filled(top.id, child.id, works.id)
    _import_units(db, schema, admin_email)
    return ids


def _import_units(db: Database, schema: str, admin_email: str) -> None:
    workbook = read_workbook(UNITS_CSV, "食堂.csv")
    with db.tenant_session(schema) as session:
        user_id = session.scalar(select(User.id).where(User.email == admin_email))
        batch = batches.new_batch(session, workbook, "食堂.csv", UNITS_CSV, user_id)
        session.commit()
        batches.check_batch(session, batch.id)
        batches.commit_batch(session, schema, batch.id, admin_email)
