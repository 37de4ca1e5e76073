"""A tenant with one cycle of a scheme that has every scoring mode, its raters and their
sheets, for the rating form's tests.

工程维修部 GC: 李工 (li) rates 王工 (wang) as supervisor; 赵工 (zhao) rates 王工 as a peer;
王工 rates 李工 as a peer (so li is a subject too). The admin has no sheet. A third party
(外部专家) has a link and one sheet about 王工 for the third-party source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.cycle import ExternalRater, RatingSheet
from saas.models.user import Role, User
from saas.rating.external import make_token
from saas.schemes import versions
from saas.scoring.checks import parse
from tests.conftest import actor_of
from tests.cycles.factory import add_subject, assign, make_cycle
from tests.org.conftest import PASSWORD, add_employee, add_user, log_in, make_org

ALL_MODES = {
    "name": "全模式测试",
    "period": "quarter",
    "sources": [
        {"kind": "supervisor", "weight": 50},
        {"kind": "peer", "weight": 40},
        {"kind": "third_party", "weight": 10},
    ],
    "sections": [
        {
            "key": "A",
            "title": "遵章守纪",
            "max": 40,
            "items": [
                {"key": "A1", "text": "出勤", "max": 10, "mode": "points"},
                {"key": "A2", "text": "着装规范", "max": 5, "mode": "yes_no"},
                {
                    "key": "A3",
                    "text": "服务态度",
                    "max": 10,
                    "mode": "scale",
                    "scale": [
                        {"label": "优", "points": 10},
                        {"label": "良", "points": 8},
                        {"label": "差", "points": 0},
                    ],
                },
                {
                    "key": "A4",
                    "text": "迟到早退",
                    "max": 10,
                    "mode": "deduction",
                    "per_occurrence": 2,
                    "floor": 0,
                },
                {
                    "key": "A5",
                    "text": "安全操作",
                    "max": 5,
                    "mode": "critical",
                    "on_fail": "disqualify",
                },
            ],
        },
        {
            "key": "B",
            "title": "文明礼貌",
            "max": 60,
            "scoring": "section",
            "items": [{"key": "B1", "text": "使用礼貌用语"}, {"key": "B2", "text": "微笑服务"}],
        },
    ],
    "bands": [{"threshold": 90, "label": "优秀"}, {"threshold": 0, "label": "合格"}],
}
FULL = {"A1": "8.5", "A2": "yes", "A3": "良", "A4": "2", "A5": "yes", "B": "55"}


@dataclass
class Place:
    org: object
    db: object
    users: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    sheets: dict[str, int] = field(default_factory=dict)
    cycle_id: int = 0
    version_id: int = 0
    token: str = ""
    external_id: int = 0

    @property
    def slug(self) -> str:
        return self.org.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/rating/{path}"

    def email(self, name: str) -> str:
        return f"{name}@{self.slug}.example.com"

    def sheet(self, name: str) -> RatingSheet:
        with self.db.tenant(self.org.schema) as session:
            found = session.get(RatingSheet, self.sheets[name])
            session.expunge(found)
            return found

    def set_cycle(self, status: str) -> None:
        from saas.models.cycle import Cycle

        with self.db.tenant(self.org.schema) as session:
            session.get(Cycle, self.cycle_id).status = status

    def actor(self, session, name: str) -> Actor:
        return actor_of(session, session.get(User, self.users[name]))


def publish(session, admin_id: int, admin_email: str, data: dict) -> int:
    scheme, issues = parse(data)
    assert scheme is not None, issues
    actor = Actor.system(admin_email, user_id=admin_id)
    version = versions.create_scheme(session, actor, scheme)
    versions.publish(session, actor, version)
    return version.id


@pytest.fixture
def place(db, make_tenant) -> Place:
    return make_place(db, make_tenant)


def make_place(db, make_tenant) -> Place:
    """The tenant described at the top, in a fresh tenant from ``make_tenant``; also used by
    bench/rating_screenshots.py."""
    org = make_org(db, make_tenant)
    found = Place(org, db)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        found.users["admin"] = admin.id
        for name, number in (("li", "E-1"), ("wang", "E-2"), ("zhao", "E-3")):
            person = add_employee(session, org.ids["GC"], number, name)
            found.people[name] = person.id
            found.users[name] = add_user(
                session, found.email(name), Role.EMPLOYEE, employee=person
            ).id
        found.users["committee"] = add_user(session, found.email("committee"), Role.COMMITTEE).id
        found.version_id = publish(session, admin.id, org.tenant.admin_email, ALL_MODES)
        cycle = make_cycle(session, found.version_id)
        found.cycle_id = cycle.id
        from saas.models.people import Employee

        li, wang, zhao = (session.get(Employee, found.people[n]) for n in ("li", "wang", "zhao"))
        about_wang = add_subject(session, cycle, wang)
        about_li = add_subject(session, cycle, li)
        found.sheets["li"] = assign(session, about_wang, "supervisor", employee=li).id
        found.sheets["zhao"] = assign(session, about_wang, "peer", employee=zhao).id
        found.sheets["wang"] = assign(session, about_li, "peer", employee=wang).id
        token, digest = make_token()
        rater = ExternalRater(
            cycle_id=cycle.id, name="外部专家", organisation="某咨询公司", token_hash=digest
        )
        session.add(rater)
        session.flush()
        found.token, found.external_id = token, rater.id
        sheet = RatingSheet(
            cycle_id=cycle.id,
            cycle_subject_id=about_wang.id,
            source="third_party",
            rater_key=f"x:{rater.id}",
            rater_external_id=rater.id,
            values={},
        )
        session.add(sheet)
        session.flush()
        found.sheets["external"] = sheet.id
    return found


def client_of(app, place: Place, name: str):
    client = app.test_client()
    if name == "admin":
        log_in(client, place.org)
    else:
        log_in(client, place.org, place.email(name))
    return client


def csrf(client, path: str) -> str:
    body = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert match, body[:800]
    return match.group(1)


HTMX = {"HX-Request": "true"}
__all__ = ["ALL_MODES", "FULL", "HTMX", "PASSWORD", "Place", "client_of", "csrf", "make_place"]
