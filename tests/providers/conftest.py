"""A tenant (English) with the example organisation, the outsourced-provider scheme published,
and around its providers:

- 某某保安公司 (WB-BA): a 2026 contract (¥20,000 a month, tiers from the scheme), its contact
  ``contact@…``, managed by the manager (so it is under their units);
- 某某电梯维保公司 (WB-DT): a 2026 contract, its own contact ``other@…``, out of the manager's
  reach;
- 某某绿化工程公司 (WB-LH): no contract;

and a committee member, an inspector and an employee. ``grade`` adds a scored month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.cycle import Cycle, CycleResult, CycleSubject, RunStatus, ScoringRun
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.user import Role, User
from saas.schemes import versions
from saas.schemes.templates import load_template
from tenants.resolver import TenantRecord, TenantResolver
from tests.conftest import actor_of, csrf_token, login
from tests.cycles.factory import make_cycle
from tests.org.conftest import PASSWORD, Org, add_employee, add_user, make_org

TIERS = [
    {"band": "优秀", "share": "100"},
    {"band": "良好", "share": "100"},
    {"band": "合格", "share": "95"},
    {"band": "不合格", "share": "90"},
]


@dataclass
class Site:
    org: Org
    admin_id: int
    version_id: int  # the published provider scheme
    users: dict[str, int] = field(default_factory=dict)  # role or name → user id
    contracts: dict[str, int] = field(default_factory=dict)  # unit code → contract id

    @property
    def schema(self) -> str:
        return self.org.schema

    @property
    def slug(self) -> str:
        return self.org.slug

    def unit(self, code: str) -> int:
        return self.org.ids[code]

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/providers/{path}"

    def tenant(self, db) -> TenantRecord:
        """The tenant as requests see it (its plan's seats counted by invitations)."""
        return TenantResolver(db).find(self.slug)

    def admin(self) -> Actor:
        return Actor.system(self.org.tenant.admin_email, user_id=self.admin_id)

    def actor(self, session, who: str) -> Actor:
        return actor_of(session, session.get(User, self.users[who]))

    def email(self, who: str) -> str:
        return f"{who}@{self.slug}.example.com"

    def grade(self, session, code: str, period: str, band: str | None, final: str, **kw):
        return grade(session, self.version_id, self.unit(code), period, band, final, **kw)

    def log_in(self, client, who: str) -> str:
        """Log ``client`` in as ``who`` ("admin", a role, "contact", "other"); its CSRF token."""
        if who == "admin":
            login(client, self.org.tenant)
        else:
            login(client, self.org.tenant, PASSWORD, self.email(who))
        return csrf_token(client, f"/t/{self.slug}/login")


def make_site(db, make_tenant, **options) -> Site:
    org = make_org(db, make_tenant, **options)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        system = Actor.system(org.tenant.admin_email, user_id=admin.id)
        version = versions.create_scheme(
            session, system, load_template("outsourced_provider"), template="outsourced_provider"
        )
        versions.publish(session, system, version)
        site = Site(org, admin.id, version.id)
        boss = add_employee(session, org.ids["ZH"], "P-BOSS", "王经理")
        session.get(OrgUnit, org.ids["WB-BA"]).manager_id = boss.id
        for role, person in (
            (Role.MANAGER, boss),
            (Role.COMMITTEE, add_employee(session, org.ids["ZH-XZ"], "P-C", "委员")),
            (Role.INSPECTOR, add_employee(session, org.ids["ZH-XZ"], "P-I", "检查员")),
            (Role.EMPLOYEE, add_employee(session, org.ids["ZH-XZ"], "P-E", "员工")),
        ):
            user = add_user(session, site.email(role.value), role, employee=person)
            site.users[role.value] = user.id
        for who, code, company in (
            ("contact", "WB-BA", "某某保安服务有限公司"),
            ("other", "WB-DT", "某某电梯维保有限公司"),
        ):
            user = add_user(session, site.email(who), Role.PROVIDER)
            site.users[who] = user.id
            contract = ProviderContract(
                unit_id=org.ids[code],
                company=company,
                contact_user_id=user.id,
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
                monthly_fee=Decimal("20000.00"),
                tiers=TIERS,
            )
            session.add(contract)
            session.flush()
            site.contracts[code] = contract.id
    return site


@pytest.fixture
def site(db, make_tenant) -> Site:
    return make_site(db, make_tenant)


def grade(
    session,
    version_id: int,
    unit_id: int,
    period: str,
    band: str | None,
    final: str,
    status: str = "published",
) -> Cycle:
    """A cycle of the provider scheme ``version_id`` for ``period`` (one per period), in
    ``status``, whose finished run gave the provider ``band`` and ``final``."""
    cycle = session.scalar(select(Cycle).where(Cycle.period == period))
    if cycle is None:
        cycle = make_cycle(session, version_id, period=period, status=status)
    subject = CycleSubject(cycle_id=cycle.id, kind="provider", unit_id=unit_id)
    session.add(subject)
    session.flush()
    run = session.scalar(select(ScoringRun).where(ScoringRun.cycle_id == cycle.id))
    if run is None:
        run = ScoringRun(
            cycle_id=cycle.id,
            number=1,
            status=RunStatus.FINISHED,
            finished_at=dt.datetime.now(dt.UTC),
        )
        session.add(run)
        session.flush()
    session.add(
        CycleResult(
            run_id=run.id,
            cycle_subject_id=subject.id,
            unit_id=subject.unit_id,
            final=Decimal(final),
            band=band,
            breakdown={},
            trace=[],
        )
    )
    session.flush()
    return cycle
