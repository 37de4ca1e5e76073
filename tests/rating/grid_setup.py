"""A department and its supervisor's grid, written straight into a fresh tenant: a scheme
with every scoring mode (points, yes/no, scale, a section rated as a whole, deduction count,
critical), an open cycle, five staff of 工程维修部 whose supervisor sheets are the manager's,
and one subject rated by another manager."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit
from saas.models.user import Role, User
from saas.org.units import seed_example_org
from saas.schemes import versions
from saas.scoring.scheme import Scheme
from tenants.slugs import schema_for
from tests.conftest import login
from tests.cycles.factory import add_subject, assign, make_cycle
from tests.org.conftest import PASSWORD, add_employee, add_user

SOURCE = "supervisor"
STAFF = ("张伟", "王芳", "李娜", "刘洋", "陈静")
SCHEME = {
    "name": "工程部月度考核",
    "subject": "employee",
    "period": "quarter",
    "scale": 50,
    "sources": [{"kind": "supervisor", "weight": 100}],
    "sections": [
        {
            "key": "A",
            "title": "Conduct",
            "max": 20,
            "items": [
                {"key": "A1", "text": "Punctuality", "max": 10},
                {"key": "A2", "text": "Uniform", "max": 5, "mode": "yes_no"},
                {
                    "key": "A3",
                    "text": "Courtesy",
                    "max": 5,
                    "mode": "scale",
                    "scale": [
                        {"label": "优", "points": 5},
                        {"label": "良", "points": 3},
                        {"label": "差", "points": 0},
                    ],
                },
            ],
        },
        {
            "key": "B",
            "title": "Service",
            "max": 10,
            "scoring": "section",
            "items": [{"key": "B1", "text": "Smiles at every customer"}],
        },
        {
            "key": "C",
            "title": "Safety",
            "max": 20,
            "items": [
                {
                    "key": "C1",
                    "text": "Late arrivals",
                    "max": 10,
                    "mode": "deduction",
                    "per_occurrence": 2,
                },
                {"key": "C2", "text": "No accident", "max": 10, "mode": "critical"},
            ],
        },
    ],
    "bands": [{"threshold": 0, "label": "合格"}],
}
# One complete, valid row of every mode, as typed, as stored, and its total:
# A 8.5 + 5 + 3 = 16.5; B 7; C (10 − 2 × 2) + 0 = 6 → 29.5.
TYPED = {"A1": "8.5", "A2": "yes", "A3": "良", "B": "7", "C1": "2", "C2": "no"}
STORED = {"A1": "8.5", "A2": True, "A3": "良", "B": "7", "C1": "2", "C2": False}
TOTAL = "29.5"


@dataclass
class GridWorld:
    tenant: object
    schema: str
    cycle_id: int
    version_id: int
    manager_email: str
    other_email: str
    sheets: list[int] = field(default_factory=list)  # the manager's, in STAFF order
    other_sheet: int = 0  # another manager's sheet in the same cycle and source
    subjects: list[int] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def url(self, path: str = "", cycle_id: int | None = None, source: str = SOURCE) -> str:
        return f"/t/{self.slug}/rating/grid/{cycle_id or self.cycle_id}/{source}{path}"

    def log_in(self, client, email: str | None = None):
        login(client, self.tenant, password=PASSWORD, email=email or self.manager_email)
        return client


def build(db, make_tenant, locale: str = "en") -> GridWorld:
    tenant = make_tenant(locale=locale)
    schema = schema_for(tenant.slug)
    system = Actor.system("seed@example.com")
    with db.tenant(schema) as session:
        seed_example_org(session, system)
        units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        manager = add_employee(session, units["GC"], "M-001", "周主管")
        add_user(session, "manager@grid.example.com", Role.MANAGER, employee=manager)
        other = add_employee(session, units["BJ"], "M-002", "吴主管")
        add_user(session, "other@grid.example.com", Role.MANAGER, employee=other)
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        as_admin = Actor.system(tenant.admin_email, user_id=admin.id)
        version = versions.create_scheme(session, as_admin, Scheme.model_validate(SCHEME))
        versions.publish(session, as_admin, version)
        cycle = make_cycle(session, version.id)
        world = GridWorld(
            tenant,
            schema,
            cycle.id,
            version.id,
            "manager@grid.example.com",
            "other@grid.example.com",
        )
        for number, name in enumerate(STAFF, start=1):
            person = add_employee(session, units["GC"], f"GC-{number:03d}", name)
            subject = add_subject(session, cycle, person)
            world.subjects.append(subject.id)
            world.sheets.append(assign(session, subject, SOURCE, employee=manager).id)
        outsider = add_employee(session, units["BJ"], "BJ-001", "赵保洁")
        subject = add_subject(session, cycle, outsider)
        world.other_sheet = assign(session, subject, SOURCE, employee=other).id
    return world
