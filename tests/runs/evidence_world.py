"""A tenant whose inspections feed its scores: the example organisation, the canteen hygiene
checklist (its failed items and overdue notices named as ledger events), the outsourced
provider scheme (whose rules price those events), an inspector 张三, and inspections and
notices written straight into the tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.cycle import CycleSubject
from saas.models.inspection import Inspection, RectificationNotice
from saas.models.user import Role, User
from saas.schemes import versions
from saas.schemes.templates import load_template
from saas.scoring.scheme import InspectionSettings, Mode, Scheme
from tests.cycles.factory import make_cycle
from tests.org.conftest import Org, add_user, make_org

EVENTS = InspectionSettings(
    failed_item_event="inspection_failed_item",
    failed_critical_event="inspection_failed_critical",
    overdue_notice_event="notice_overdue",
)
AUGUST = "2026-08"
CANTEEN = "BJ"  # 保洁部 runs the staff canteen in these tests
PROVIDER = "WB-BA"  # 某某保安公司, a provider


def checklist(settings: InspectionSettings | None = EVENTS) -> Scheme:
    """The canteen checklist as a monthly unit assessment with its inspection block."""
    return load_template("canteen_hygiene").model_copy(update={"inspection": settings})


def full_marks(scheme: Scheme) -> dict[str, Any]:
    """Every rated item at its full marks, stored as an inspection stores values."""
    values: dict[str, Any] = {}
    for _section, item in scheme.rated():
        if item.mode in (Mode.YES_NO, Mode.CRITICAL):
            values[item.key] = True
        elif item.mode is Mode.SCALE:
            values[item.key] = max(item.scale, key=lambda level: level.points).label
        elif item.mode is Mode.DEDUCTION:
            values[item.key] = "0"
        else:
            values[item.key] = str(item.max.normalize())
    return values


@dataclass
class World:
    org: Org
    admin_id: int
    inspector_id: int
    checklist_id: int  # the canteen checklist's published version
    provider_id: int  # the provider scheme's published version
    cycle_id: int = 0
    subjects: dict[str, int] = field(default_factory=dict)  # unit code → cycle subject id

    @property
    def schema(self) -> str:
        return self.org.schema

    @property
    def slug(self) -> str:
        return self.org.slug

    def unit(self, code: str) -> int:
        return self.org.ids[code]

    def actor(self) -> Actor:
        return Actor.system("admin@evidence.example.com", user_id=self.admin_id)


def publish(session, actor: Actor, scheme: Scheme) -> int:
    version = versions.create_scheme(session, actor, scheme)
    versions.publish(session, actor, version)
    return version.id


def make_world(db, make_tenant, *, settings: InspectionSettings | None = EVENTS) -> World:
    org = make_org(db, make_tenant)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        actor = Actor.system(org.tenant.admin_email, user_id=admin.id)
        inspector = add_user(session, f"zhang@{org.slug}.example.com", Role.INSPECTOR)
        inspector.name = "张三"
        world = World(
            org,
            admin.id,
            inspector.id,
            checklist_id=publish(session, actor, checklist(settings)),
            provider_id=publish(session, actor, load_template("outsourced_provider")),
        )
    return world


def add_cycle(db, world: World, version_id: int, codes: list[str], kind: str = "unit") -> int:
    """A cycle of August in "scoring" with the units of ``codes`` as its subjects."""
    with db.tenant(world.schema) as session:
        cycle = make_cycle(session, version_id, period=AUGUST, status="scoring")
        for code in codes:
            subject = CycleSubject(cycle_id=cycle.id, kind=kind, unit_id=world.unit(code))
            session.add(subject)
            session.flush()
            world.subjects[code] = subject.id
        world.cycle_id = cycle.id
        return cycle.id


def add_inspection(
    db,
    world: World,
    code: str,
    *,
    values: dict[str, Any] | None = None,
    done_at: dt.datetime | None = None,
    status: str = "done",
    score: Decimal | None = Decimal("86"),
    version_id: int | None = None,
) -> int:
    """An inspection of the unit ``code`` written straight into the table."""
    done = status == "done"
    when = done_at or dt.datetime(2026, 8, 3, 2, 30, tzinfo=dt.UTC)
    with db.tenant(world.schema) as session:
        inspection = Inspection(
            version_id=version_id or world.checklist_id,
            unit_id=world.unit(code),
            planned_on=when.date(),
            inspector_id=world.inspector_id,
            status=status,
            values=values or {},
            started_at=when if status != "planned" else None,
            done_at=when if done else None,
            score=score if done else None,
            cancelled_reason="雨天改期" if status == "cancelled" else None,
        )
        session.add(inspection)
        session.flush()
        return inspection.id


def add_notice(db, world: World, inspection_id: int, code: str, *, serial: str, due: dt.date):
    with db.tenant(world.schema) as session:
        notice = RectificationNotice(
            serial=serial,
            inspection_id=inspection_id,
            item_key="HY-1.4",
            unit_id=world.unit(code),
            what="装饰物及粘贴标语牌洁净",
            deadline=due,
        )
        session.add(notice)
        session.flush()
        return notice.id
