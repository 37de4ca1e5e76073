"""A tenant with both checklists published (外包保洁服务检查, 员工餐厅卫生检查) and one user per
way of meeting an inspection:

- the inspector (assigned to the inspections made here) and a second inspector;
- a committee member; the manager of 工程维修部 (GC) and the manager of 保洁部 (BJ);
- an employee of GC;
- the contact of the greening provider 某某绿化工程公司 (WB-LH) and of the security provider
  某某保安公司 (WB-BA).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.inspections import service
from saas.models.inspection import Inspection
from saas.models.provider import ProviderContract
from saas.models.scheme import SchemeVersion
from saas.models.user import Role, User
from saas.schemes import versions
from saas.schemes.templates import load_template
from tests.conftest import actor_of, csrf_token, login
from tests.org.conftest import PASSWORD, Org, add_employee, add_user, make_org

TODAY = dt.date(2026, 8, 3)


@dataclass
class Site:
    org: Org
    admin_id: int
    cleaning: int  # scheme id of 外包保洁服务检查
    canteen: int  # scheme id of 员工餐厅卫生检查
    users: dict[str, int] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.org.schema

    @property
    def slug(self) -> str:
        return self.org.slug

    def unit(self, code: str) -> int:
        return self.org.ids[code]

    def url(self, path: str = "") -> str:
        return f"/t/{self.slug}/inspections/{path}"

    def admin(self) -> Actor:
        return Actor.system(self.org.tenant.admin_email, user_id=self.admin_id)

    def actor(self, session, who: str) -> Actor:
        if who == "admin":
            return self.admin()
        return actor_of(session, session.get(User, self.users[who]))

    def email(self, who: str) -> str:
        return f"{who}@{self.slug}.example.com"

    def log_in(self, client, who: str) -> str:
        """Log ``who`` in on ``client``; returns a CSRF token."""
        if who == "admin":
            response = login(client, self.org.tenant)
        else:
            response = login(client, self.org.tenant, PASSWORD, self.email(who))
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return csrf_token(client, f"/t/{self.slug}/")


def _publish(session, actor: Actor, code: str) -> int:
    version = versions.create_scheme(session, actor, load_template(code), template=code)
    versions.publish(session, actor, version)
    return version.scheme_id


def make_site(db, make_tenant, **options) -> Site:
    org = make_org(db, make_tenant, **options)
    with db.tenant(org.schema) as session:
        admin = session.scalar(select(User).where(User.email == org.tenant.admin_email))
        system = Actor.system(org.tenant.admin_email, user_id=admin.id)
        site = Site(org, admin.id, _publish(session, system, "outsourced_cleaning"), 0)
        site.canteen = _publish(session, system, "canteen_hygiene")
        people = (
            ("inspector", Role.INSPECTOR, "ZH-XZ"),
            ("inspector2", Role.INSPECTOR, "ZH-XZ"),
            ("committee", Role.COMMITTEE, "ZH-XZ"),
            ("manager", Role.MANAGER, "GC"),
            ("bj_manager", Role.MANAGER, "BJ"),
            ("employee", Role.EMPLOYEE, "GC"),
        )
        from saas.models.org import OrgUnit

        for who, role, code in people:
            person = add_employee(session, org.ids[code], f"P-{who}", who)
            site.users[who] = add_user(session, site.email(who), role, employee=person).id
            if role is Role.MANAGER:
                session.get(OrgUnit, org.ids[code]).manager_id = person.id
        for who, code in (("greening", "WB-LH"), ("security", "WB-BA")):
            contact = add_user(session, site.email(who), Role.PROVIDER)
            site.users[who] = contact.id
            session.add(
                ProviderContract(
                    unit_id=org.ids[code],
                    company=f"{code} 公司",
                    contact_user_id=contact.id,
                    starts_on=dt.date(2026, 1, 1),
                    ends_on=dt.date(2026, 12, 31),
                )
            )
    return site


@pytest.fixture
def site(db, make_tenant) -> Site:
    return make_site(db, make_tenant)


def plan(
    db,
    site: Site,
    unit: str = "WB-LH",
    *,
    checklist: str = "cleaning",
    method: str = "inspection",
    unannounced: bool = False,
    inspector: str = "inspector",
    on: dt.date = TODAY,
) -> int:
    with db.tenant(site.schema) as session:
        return service.plan(
            session,
            site.admin(),
            scheme_id=getattr(site, checklist),
            unit_id=site.unit(unit),
            planned_on=on,
            method=method,
            unannounced=unannounced,
            inspector_id=site.users[inspector],
            today=TODAY,
        ).id


def full_marks(checklist) -> dict[str, object]:
    """Every item at its full marks, as stored."""
    values: dict[str, object] = {}
    for _s, item in checklist.rated():
        mode = item.mode.value
        if mode in ("yes_no", "critical"):
            values[item.key] = True
        elif mode == "scale":
            values[item.key] = max(item.scale, key=lambda level: level.points).label
        elif mode == "deduction":
            values[item.key] = "0"
        else:
            values[item.key] = format(item.max.normalize(), "f")
    return values


def drawn(width: int = 700, height: int = 350, *, ink: bool = True) -> str:
    """A signature as the page posts it: a PNG data URL of strokes on a transparent canvas."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        pen = ImageDraw.Draw(image)
        pen.line([(40, 200), (160, 80), (300, 260), (460, 100), (640, 220)], fill="black", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def photo_bytes(color: str = "gray", size: tuple[int, int] = (1200, 900)) -> bytes:
    image = Image.new("RGB", size, color)
    pen = ImageDraw.Draw(image)
    for x in range(0, size[0], 60):
        pen.line([(x, 0), (size[0] - x, size[1])], fill=(200, 80, 40), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def version_of(session, inspection_id: int) -> SchemeVersion:
    return session.get(SchemeVersion, session.get(Inspection, inspection_id).version_id)
