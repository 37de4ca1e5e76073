"""The demo organisation `kaohe up` creates: a property-management company with its units,
the default position ladder with the reference scheme's eligibility rule, a few dozen
employees, and this quarter's cycle of the reference scheme, open, with two thirds of the
supervisors' ratings already submitted, so every page has something to show on a first visit
(run scoring from the cycle's page to see results)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.cycles import raters
from saas.cycles import service as cycles
from saas.models.cycle import CycleStatus, RatingSheet
from saas.models.org import OrgUnit, PositionLevel, UnitKind
from saas.models.scheme import SchemeVersion
from saas.models.user import User
from saas.org.units import seed_example_org
from saas.people.employees import EmployeeData, create_employee
from saas.people.levels import seed_reference_levels
from saas.rating import service as rating
from saas.rating import sheets as rating_sheets
from saas.schemes import versions
from saas.schemes.templates import load_template
from saas.scoring.period import label_of
from saas.scoring.scheme import Mode, Scheme

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
    functional = _seed_schemes(session)
    _seed_cycle(session, functional)
    return len(units) * (1 + STAFF_PER_UNIT)


def _seed_schemes(session: Session) -> int:
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
    return functional.id


def _seed_cycle(session: Session, version_id: int) -> None:
    """This quarter's cycle, open, raters generated, two supervisor sheets in three rated
    and submitted through the rating service (values vary by person, every one valid)."""
    actor = Actor.system(ACTOR)
    scheme = versions.definition(session.get(SchemeVersion, version_id))
    period = label_of(scheme.period, dt.date.today())
    cycle = cycles.create_cycle(session, actor, version_id=version_id, period=period)
    cycles.move(session, actor, cycle, CycleStatus.OPEN)
    raters.generate(session, actor, cycle)
    sheet_ids = session.scalars(
        select(RatingSheet.id).where(RatingSheet.cycle_id == cycle.id).order_by(RatingSheet.id)
    ).all()
    for n, sheet_id in enumerate(sheet_ids):
        if n % 3 == 2:
            continue  # still to rate: the cycle page shows who is late
        found = rating_sheets.find(session, None, sheet_id)
        if found is None:  # pragma: no cover - just created
            continue
        rating.save_all(session, actor, found, _demo_values(found.scheme, n))
        rating.submit(session, actor, found)


def _demo_values(scheme: Scheme, n: int) -> dict[str, str]:
    """A plausible, valid rating of every rated item: near the top, lower for some people."""
    values = {}
    for i, (_section, item) in enumerate(scheme.rated()):
        if item.mode in (Mode.YES_NO, Mode.CRITICAL):
            values[item.key] = "no" if (n + i) % 17 == 0 else "yes"
        elif item.mode is Mode.SCALE:
            values[item.key] = item.scale[(n + i) % len(item.scale)].label
        elif item.mode is Mode.DEDUCTION:
            values[item.key] = str((n + i) % 3)
        else:
            top = item.max or Decimal(0)
            values[item.key] = str(max(Decimal(0), top - Decimal((n * 7 + i) % 5)))
    return values
