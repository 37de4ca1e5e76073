"""A tenant (in English, so messages can be asserted) with users of every role, and schemes
made straight through the service."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.scheme import SchemeVersion
from saas.models.user import Role, User
from saas.platform.onboarding import NewTenant
from saas.schemes import versions
from saas.scoring.checks import parse
from tenants.slugs import schema_for
from tests.conftest import csrf_token, login
from tests.org.conftest import PASSWORD, add_user

HTMX = {"HX-Request": "true"}

SMALL = {
    "name": "Window service",
    "sources": [{"kind": "supervisor", "weight": 100}],
    "sections": [
        {
            "key": "A",
            "title": "Discipline",
            "max": 40,
            "items": [
                {"key": "A1", "text": "On time", "max": 20},
                {"key": "A2", "text": "No favours", "max": 20, "mode": "yes_no"},
            ],
        },
        {
            "key": "B",
            "title": "Service",
            "max": 60,
            "items": [
                {"key": "B1", "text": "Smiles", "max": 60},
            ],
        },
    ],
    "bands": [
        {"threshold": 90, "label": "Excellent", "award": 300},
        {"threshold": 0, "label": "Other"},
    ],
    "rules": [{"event": "praise", "label": "Praise letter", "points": 10}],
}

# A draft with what the check must not let pass: a section of 10 whose items total 55, one of
# 20 whose items total 20.01, and exclusions naming a level and a category the tenant lacks.
FLAWED = {
    "name": "窗口服务考核（待检查）",
    "sources": [{"kind": "supervisor", "weight": 100}],
    "unit_categories": ["窗口服务部门"],
    "sections": [
        {
            "key": "A",
            "title": "文明礼貌",
            "max": 10,
            "items": [
                {"key": "A1", "text": "主动问候，面带微笑", "max": 5},
                {"key": "A2", "text": "仪容仪表整洁", "max": 50},
            ],
        },
        {
            "key": "B",
            "title": "遵章守纪",
            "max": 20,
            "items": [
                {"key": f"B{n}", "text": text, "max": "6.67"}
                for n, text in enumerate(("按时上岗", "不吃拿卡要", "服从安排"), start=1)
            ],
        },
        {
            "key": "C",
            "title": "优质服务",
            "max": 70,
            "scoring": "section",
            "items": [{"key": "C1", "text": "办事快捷，解答耐心"}],
        },
    ],
    "bands": [{"threshold": 90, "label": "优秀", "award": 300}, {"threshold": 0, "label": "合格"}],
    "eligibility": [
        {"kind": "level_at_least", "value": "部门主管", "note": "部门主管以上不在考核范围"}
    ],
}


@dataclass
class Place:
    tenant: NewTenant
    schema: str

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/schemes/{path}"

    def admin_id(self, db) -> int:
        with db.tenant(self.schema) as session:
            return session.scalar(select(User.id).where(User.email == self.tenant.admin_email))


def make_place(db, make_tenant) -> Place:
    tenant = make_tenant(locale="en")
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        for role in (Role.COMMITTEE, Role.MANAGER, Role.INSPECTOR, Role.EMPLOYEE):
            add_user(session, f"{role.value}@{tenant.slug}.example.com", role)
    return Place(tenant, schema)


@pytest.fixture
def place(db, make_tenant) -> Place:
    return make_place(db, make_tenant)


def new_scheme(db, place: Place, data: dict | None = None, *, publish: bool = False) -> int:
    """A scheme made through the service; returns its first version's id."""
    scheme, issues = parse(data or SMALL)
    assert scheme is not None, issues
    actor = Actor.system(place.tenant.admin_email, user_id=place.admin_id(db))
    with db.tenant(place.schema) as session:
        version = versions.create_scheme(session, actor, scheme)
        if publish:
            versions.publish(session, actor, version)
        return version.id


def stored(db, place: Place, version_id: int) -> SchemeVersion:
    with db.tenant(place.schema) as session:
        found = session.get(SchemeVersion, version_id)
        session.expunge(found)
        return found


def login_as(client, place: Place, role: Role | None = None) -> None:
    if role is None or role is Role.TENANT_ADMIN:
        response = login(client, place.tenant)
    else:
        response = login(client, place.tenant, PASSWORD, f"{role.value}@{place.slug}.example.com")
    assert response.status_code == 302


def token(client, place: Place) -> str:
    return csrf_token(client, f"/t/{place.slug}/")
