"""The demo organisation `kaohe up` creates: a property-management company with its units,
the default position ladder with the reference scheme's eligibility rule, and a few dozen
employees, so every page has something to show on a first visit."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit, PositionLevel, UnitKind
from saas.models.user import User
from saas.org.units import seed_example_org
from saas.people.employees import EmployeeData, create_employee
from saas.people.levels import seed_reference_levels
from saas.schemes import versions
from saas.schemes.templates import load_template

ACTOR = "demo"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "海燕",
    "志强",
    "雪梅",
)
STAFF_PER_UNIT = 3


def seed_demo(session: Session) -> int:
    """Fill an empty demo tenant; returns how many employees were added."""
    actor = Actor.system(ACTOR)
    seed_reference_levels(session, actor)
    seed_example_org(session, actor)
    levels = {level.name: level.id for level in session.scalars(select(PositionLevel))}
    units = session.scalars(
        select(OrgUnit).where(OrgUnit.kind != UnitKind.COMPANY).order_by(OrgUnit.path)
    ).all()
    names = (s + g for g, s in itertools.product(GIVEN, SURNAMES))
    numbers = itertools.count(1001)

    def hire(unit: OrgUnit, position: str, level: str, **details) -> int:
        data = EmployeeData(
            number=f"E{next(numbers)}",
            name=next(names),
            unit_id=unit.id,
            position=position,
            position_level_id=levels.get(level),
            **details,
        )
        return create_employee(session, actor, data).id

    for unit in units:
        head = hire(
            unit, "主管", "部门主管", employment_form="正式员工", hire_date=dt.date(2018, 3, 1)
        )
        unit.manager_id = head
        for i in range(STAFF_PER_UNIT):
            hire(
                unit,
                "专员",
                "员工",
                manager_id=head,
                hire_date=dt.date(2021, 7, 1 + i),
                employment_form="劳务派遣" if i == 2 else "正式员工",
            )
    session.flush()
    _seed_schemes(session)
    return len(units) * (1 + STAFF_PER_UNIT)


def _seed_schemes(session: Session) -> None:
    """The reference scheme in force for functional departments, the front-line one drafted."""
    admin = session.scalar(select(User.id).order_by(User.id).limit(1)) or 0
    actor = Actor.system(ACTOR, user_id=admin)
    functional = versions.create_scheme(
        session, actor, load_template("smile_functional"), template="smile_functional"
    )
    versions.publish(session, actor, functional)
    versions.create_scheme(
        session, actor, load_template("smile_frontline"), template="smile_frontline"
    )
