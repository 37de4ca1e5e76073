"""A small hand-built organisation for the cycle tests, and schemes of each subject kind.

某某公司 WY (company) — managed by boss
├── 工程部 GC (department, 职能部门) — managed by gc (部门经理)
│   └── 水电班组 SD (team) — managed by sd; staff li, wang (manager of record: gc), zhao,
│       sun, intern (实习: a tenant rule excludes that form), qian (has left)
├── 保洁部 BJ (department, 职能部门) — managed by bj (a committee member); staff bj1
└── 外包 WB (business unit) — 保安公司 WB-BA and 绿化公司 WB-LH (providers)

Users: admin (tenant admin), cm (committee, no employee record), bj (committee, linked to
the employee bj), gc (manager), li (employee).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.cycles import service
from saas.models.cycle import Cycle
from saas.models.org import OrgUnit, UnitKind
from saas.models.people import Employee, EmployeeStatus
from saas.models.user import Role, User
from saas.org.units import create_unit
from saas.people.eligibility import add_rule
from saas.people.levels import add_level
from saas.schemes import versions
from saas.schemes.templates import load_template
from saas.scoring.scheme import Source, SourceKind, Subject
from tenants.slugs import schema_for
from tests.conftest import actor_of
from tests.org.conftest import add_employee, add_user

ALL_SOURCES = (
    (SourceKind.SELF, 10),
    (SourceKind.SUPERVISOR, 40),
    (SourceKind.PEER, 20),
    (SourceKind.SUBORDINATE, 10),
    (SourceKind.COMMITTEE, 10),
    (SourceKind.THIRD_PARTY, 10),
)


@dataclass
class Shop:
    tenant: object
    schema: str
    units: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def actor(self, session, name: str = "admin") -> Actor:
        return actor_of(session, session.get(User, self.users[name]))

    def person(self, session, name: str) -> Employee:
        return session.get(Employee, self.people[name])

    def new_cycle(self, session, version: str = "all", period: str = "2026-Q3", **options) -> Cycle:
        return service.create_cycle(
            session,
            self.actor(session),
            version_id=self.versions[version],
            period=period,
            name=options.pop("name", None),
            rating_due=options.pop("rating_due", None),
            peer_count=options.pop("peer_count", 2),
        )


def _publish(session, actor, scheme, name: str) -> int:
    version = versions.create_scheme(session, actor, scheme.model_copy(update={"name": name}))
    versions.publish(session, actor, version)
    return version.id


def build_shop(db, make_tenant) -> Shop:
    tenant = make_tenant(locale="en")
    shop = Shop(tenant, schema_for(tenant.slug))
    system = Actor.system("seed@cycles.example.com")
    with db.tenant(shop.schema) as session:
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        shop.users["admin"] = admin.id
        as_admin = Actor.system(tenant.admin_email, user_id=admin.id)
        staff = add_level(session, system, "员工", 1)
        add_level(session, system, "部门主管", 5)
        head = add_level(session, system, "部门经理", 6)
        add_rule(session, system, "employment_form", value="实习", note="实习生不参加考核")
        wy = create_unit(session, system, None, name="某某公司", code="WY", kind=UnitKind.COMPANY)
        gc = create_unit(session, system, wy, name="工程部", code="GC", category="职能部门")
        sd = create_unit(session, system, gc, name="水电班组", code="SD", kind=UnitKind.TEAM)
        bj = create_unit(session, system, wy, name="保洁部", code="BJ", category="职能部门")
        wb = create_unit(session, system, wy, name="外包", code="WB", kind=UnitKind.BUSINESS_UNIT)
        ba = create_unit(session, system, wb, name="保安公司", code="WB-BA", kind=UnitKind.PROVIDER)
        lh = create_unit(session, system, wb, name="绿化公司", code="WB-LH", kind=UnitKind.PROVIDER)
        for unit in (wy, gc, sd, bj, wb, ba, lh):
            shop.units[unit.code] = unit.id
        people = {}
        for name, unit, extra in (
            ("boss", wy, {"position_level_id": head.id}),
            ("gc", gc, {"position_level_id": head.id}),
            ("sd", sd, {"position_level_id": staff.id}),
            ("li", sd, {}),
            ("wang", sd, {}),
            ("zhao", sd, {}),
            ("sun", sd, {}),
            ("intern", sd, {"employment_form": "实习"}),
            ("qian", sd, {"status": EmployeeStatus.LEFT}),
            ("bj", bj, {}),
            ("bj1", bj, {}),
        ):
            people[name] = add_employee(session, unit.id, f"N-{name}", name, **extra)
            shop.people[name] = people[name].id
        people["wang"].manager_id = people["gc"].id
        wy.manager_id, gc.manager_id = people["boss"].id, people["gc"].id
        sd.manager_id, bj.manager_id = people["sd"].id, people["bj"].id
        shop.users["cm"] = add_user(session, f"cm@{tenant.slug}.example.com", Role.COMMITTEE).id
        for name, role in (("bj", Role.COMMITTEE), ("gc", Role.MANAGER), ("li", Role.EMPLOYEE)):
            user = add_user(
                session, f"{name}@{tenant.slug}.example.com", role, employee=people[name]
            )
            shop.users[name] = user.id
        session.flush()
        base = load_template("smile_functional")
        sources = tuple(Source(kind=kind, weight=Decimal(w)) for kind, w in ALL_SOURCES)
        shop.versions["all"] = _publish(
            session, as_admin, base.model_copy(update={"sources": sources}), "全来源"
        )
        shop.versions["functional"] = _publish(session, as_admin, base, "职能部门")
        shop.versions["units"] = _publish(
            session,
            as_admin,
            load_template("canteen_hygiene").model_copy(
                update={"unit_categories": ("职能部门",), "subject": Subject.UNIT}
            ),
            "部门",
        )
        shop.versions["providers"] = _publish(
            session, as_admin, load_template("outsourced_provider"), "服务商"
        )
        assert session.get(OrgUnit, sd.id).path.startswith(session.get(OrgUnit, gc.id).path)
    return shop


@pytest.fixture
def shop(db, make_tenant) -> Shop:
    return build_shop(db, make_tenant)
