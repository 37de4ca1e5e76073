"""A cycle ready to score: the example organisation, a small scheme (points, yes/no, scale
and deduction items; supervisor and peer sources; goals 20 %; a band with a quota), eight
employees of 工程维修部 as subjects, each rated by their supervisor and one peer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.cycle import Cycle, CycleSubject
from saas.models.org import PositionLevel
from saas.models.people import Employee
from saas.models.user import User
from saas.schemes import versions
from saas.scoring.checks import parse
from tests.cycles.factory import add_subject, assign, make_cycle
from tests.org.conftest import Org, add_employee, make_org

SCHEME = {
    "name": "班组考核",
    "period": "quarter",
    "sources": [{"kind": "supervisor", "weight": 60}, {"kind": "peer", "weight": 40}],
    "goals": {"share": 20, "when_missing": "renormalise"},
    "sections": [
        {
            "key": "A",
            "title": "工作质量",
            "max": 60,
            "items": [
                {"key": "A1", "text": "完成质量", "max": 30},
                {"key": "A2", "text": "按时完成", "max": 10, "mode": "yes_no"},
                {
                    "key": "A3",
                    "text": "服务态度",
                    "max": 20,
                    "mode": "scale",
                    "scale": [
                        {"label": "优", "points": 20},
                        {"label": "良", "points": 16},
                        {"label": "差", "points": 8},
                    ],
                },
            ],
        },
        {
            "key": "B",
            "title": "纪律",
            "max": 40,
            "items": [
                {"key": "B1", "text": "出勤", "max": 20},
                {
                    "key": "B2",
                    "text": "违纪次数",
                    "max": 20,
                    "mode": "deduction",
                    "per_occurrence": 5,
                },
            ],
        },
    ],
    "bands": [
        {"threshold": 90, "label": "优秀", "award": 300, "quota": 25},
        {"threshold": 60, "label": "合格"},
        {"threshold": 0, "label": "不合格", "consequence": "retraining"},
    ],
}


def values(n: int) -> dict:
    """A sheet's stored values, different per subject number."""
    return {
        "A1": str(20 + n % 10),
        "A2": n % 3 != 0,
        "A3": ("优", "良", "差")[n % 3],
        "B1": str(15 + n % 5) + ".5",
        "B2": str(n % 4),
    }


@dataclass
class Ready:
    org: Org
    schema: str
    cycle_id: int
    version_id: int
    admin_id: int
    subjects: list[int] = field(default_factory=list)  # cycle subject ids
    employees: list[int] = field(default_factory=list)
    supervisor_id: int = 0
    sheets: list[int] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.org.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/cycles/{self.cycle_id}/runs{path}"

    def actor(self) -> Actor:
        return Actor.system("admin@runs.example.com", user_id=self.admin_id)


def make_ready(
    db, make_tenant, *, people: int = 8, status: str = "scoring", scheme=None, levels=()
) -> Ready:
    org = make_org(db, make_tenant)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        actor = Actor.system(org.tenant.admin_email, user_id=admin.id)
        for name, rank in levels:
            session.add(PositionLevel(name=name, rank=rank))
        session.flush()
        parsed, issues = parse(scheme or SCHEME)
        assert parsed is not None, issues
        version = versions.create_scheme(session, actor, parsed)
        versions.publish(session, actor, version)
        cycle = make_cycle(session, version.id, status=status)
        boss = add_employee(session, org.ids["GC"], "R-BOSS", "主管")
        ready = Ready(org, org.schema, cycle.id, version.id, admin.id, supervisor_id=boss.id)
        staff = [
            add_employee(session, org.ids["GC"], f"R-{n:03d}", f"员工{n}") for n in range(people)
        ]
        for n, person in enumerate(staff):
            subject = add_subject(session, cycle, person)
            ready.subjects.append(subject.id)
            ready.employees.append(person.id)
            sheet = assign(
                session, subject, "supervisor", employee=boss, values=values(n), submitted=True
            )
            peer = staff[(n + 1) % len(staff)]
            other = assign(
                session, subject, "peer", employee=peer, values=values(n + 1), submitted=True
            )
            ready.sheets += [sheet.id, other.id]
    return ready


@pytest.fixture
def ready(db, make_tenant) -> Ready:
    return make_ready(db, make_tenant)


def set_status(db, ready: Ready, status: str) -> None:
    with db.tenant(ready.schema) as session:
        session.get(Cycle, ready.cycle_id).status = status


def submitted_now(session, sheet, values_: dict) -> None:
    sheet.values = values_
    sheet.status = "submitted"
    sheet.submitted_at = dt.datetime.now(dt.UTC)


__all__ = ["CycleSubject", "Decimal", "Employee", "make_ready", "ready", "set_status"]
