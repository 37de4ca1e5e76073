"""A tenant for the notices tests: the example organisation, a published checklist (the
canteen hygiene template, with its inspection block naming an overdue event and a rule that
prices it), and one user per role:

- manager: manages 工程维修部 GC (so also its teams, e.g. 水电班组 GC-SD, which has no manager);
- other_manager: manages 行政办公室 ZH-XZ;
- inspector, committee, employee (in GC);
- provider: the contact of 某某保安公司 WB-BA; provider2: the contact of 某某电梯维保公司 WB-DT.

Inspections are written straight into the table (done, by the inspector) and finished with
``after_inspection``, as the inspections pages do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.inspections.consequences import after_inspection
from saas.models.inspection import Inspection, RectificationNotice
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.scheme import SchemeVersion
from saas.models.user import Role, User
from saas.schemes import versions
from saas.schemes.templates import load_template
from saas.scoring.scheme import InspectionSettings, Rule, Scheme
from tests.conftest import actor_of, csrf_token, login
from tests.org.conftest import PASSWORD, Org, add_employee, add_user, make_org

DAY = dt.date(2026, 9, 1)  # the inspections' day; notices are due DAY + 7
DONE_AT = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
EVENT = "overdue_notice"
# Two failed items of the canteen checklist (points items of 3): HY-1.1 and HY-2.1.
FAILING = {"HY-1.1": 1, "HY-1.2": 3, "HY-2.1": 0}
NOTES = {"HY-1.1": "大门把手有油污", "HY-2.1": "保温台内有菜汤"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a5ff0000000049454e44ae426082"
)


def done_at(day: dt.date) -> dt.datetime:
    """10:00 in Shanghai on ``day``: when an inspection of that day was finished."""
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


def checklist(event: str | None = EVENT, rectify_days: int = 7) -> Scheme:
    """The canteen hygiene template as a checklist whose overdue notices are ledger events."""
    base = load_template("canteen_hygiene")
    data = base.model_dump(mode="json")
    data["inspection"] = InspectionSettings(
        rectify_days=rectify_days, overdue_notice_event=event
    ).model_dump(mode="json")
    if event:
        rule = Rule(event=event, label="整改逾期", label_en="Overdue rectification", points=-5)
        data["rules"] = [*data.get("rules", []), rule.model_dump(mode="json")]
    return Scheme.model_validate(data)


@dataclass
class Site:
    org: Org
    admin_id: int
    version_id: int
    users: dict[str, int] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.org.schema

    @property
    def slug(self) -> str:
        return self.org.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/notices/{path}"

    def admin(self) -> Actor:
        return Actor.system(self.org.tenant.admin_email, user_id=self.admin_id)

    def actor(self, session, who: str) -> Actor:
        if who == "admin":
            return actor_of(session, session.get(User, self.admin_id))
        return actor_of(session, session.get(User, self.users[who]))

    def email(self, who: str) -> str:
        return f"{who}@{self.slug}.example.com"

    def log_in(self, client, who: str) -> str:
        """Log ``client`` in as ``who``; its CSRF token."""
        if who == "admin":
            login(client, self.org.tenant)
        else:
            login(client, self.org.tenant, PASSWORD, self.email(who))
        return csrf_token(client, f"/t/{self.slug}/")

    def inspect(
        self,
        session,
        unit: str = "GC-SD",
        values: dict | None = None,
        notes: dict | None = None,
        today: dt.date = DAY,
        version_id: int | None = None,
    ) -> tuple[Inspection, list[RectificationNotice]]:
        """A finished inspection of ``unit`` and the notices its failed items raised."""
        version = session.get(SchemeVersion, version_id or self.version_id)
        inspection = Inspection(
            version_id=version.id,
            unit_id=self.org.ids[unit],
            method="inspection",
            planned_on=today,
            inspector_id=self.users["inspector"],
            status="done",
            started_at=done_at(today),
            done_at=done_at(today),
            values=FAILING if values is None else values,
            notes=NOTES if notes is None else notes,
        )
        session.add(inspection)
        session.flush()
        inspector = self.actor(session, "inspector")
        after_inspection(session, inspector, inspection, versions.definition(version), today)
        notices = session.scalars(
            select(RectificationNotice)
            .where(RectificationNotice.inspection_id == inspection.id)
            .order_by(RectificationNotice.serial)
        ).all()
        return inspection, list(notices)


def make_site(db, make_tenant, **options) -> Site:
    org = make_org(db, make_tenant, **options)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        system = Actor.system(org.tenant.admin_email, user_id=admin.id)
        version = versions.create_scheme(session, system, checklist(), template="canteen_hygiene")
        versions.publish(session, system, version)
        site = Site(org, admin.id, version.id)
        for who, role, unit, manages in (
            ("manager", Role.MANAGER, "GC", "GC"),
            ("other_manager", Role.MANAGER, "ZH-XZ", "ZH-XZ"),
            ("inspector", Role.INSPECTOR, "PZ", None),
            ("committee", Role.COMMITTEE, "PZ", None),
            ("employee", Role.EMPLOYEE, "GC", None),
        ):
            person = add_employee(session, org.ids[unit], f"N-{who}", f"{who}姓名")
            site.users[who] = add_user(session, site.email(who), role, employee=person).id
            if manages:
                session.get(OrgUnit, org.ids[manages]).manager_id = person.id
        for who, unit, company in (
            ("provider", "WB-BA", "某某保安服务有限公司"),
            ("provider2", "WB-DT", "某某电梯维保有限公司"),
        ):
            contact = add_user(session, site.email(who), Role.PROVIDER)
            site.users[who] = contact.id
            session.add(
                ProviderContract(
                    unit_id=org.ids[unit],
                    company=company,
                    contact_user_id=contact.id,
                    starts_on=dt.date(2026, 1, 1),
                    ends_on=dt.date(2026, 12, 31),
                    monthly_fee=Decimal("50000"),
                )
            )
    return site


@pytest.fixture
def site(db, make_tenant) -> Site:
    return make_site(db, make_tenant)
