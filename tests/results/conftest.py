"""A tenant with a scored cycle for the results pages' tests.

The example organisation; a user per role (the manager manages 工程维修部 GC, which holds
水电班组 GC-SD); the all-steps scheme published; a cycle of 2026-Q3 with the twelve subjects
of ``cohort_inputs`` spread over GC, GC-SD, 客服中心 KF and 行政办公室 ZH-XZ, scored with the
real engine and stored as finished run 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit
from saas.models.user import Role
from saas.org.units import seed_example_org
from saas.platform.onboarding import NewTenant
from tenants.slugs import schema_for
from tests.conftest import ADMIN_PASSWORD, login, unique_slug
from tests.cycles.factory import add_subject, make_cycle
from tests.org.conftest import PASSWORD, add_employee, add_user
from tests.results.scored import cohort_inputs, publish_scheme, rich_scheme, score_and_store

HTMX = {"HX-Request": "true", "HX-Target": "results"}
# Where each of the twelve subjects works, and their names (sorted by name: 员工00 … 员工11).
UNITS = ["GC", "GC-SD", "GC", "KF", "GC-SD", "KF", "ZH-XZ", "GC", "KF", "KF", "GC", "ZH-XZ"]


@dataclass
class Scored:
    tenant: NewTenant
    schema: str
    units: dict[str, int]
    version_id: int
    cycle_id: int
    run_id: int
    subjects: list[int]  # cycle subject ids, in cohort order
    users: dict[Role, str] = field(default_factory=dict)  # role → e-mail

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def url(self, path: str = "", cycle_id: int | None = None) -> str:
        return f"/t/{self.slug}/cycles/{cycle_id or self.cycle_id}/results{path}"

    def client(self, app, role: Role = Role.TENANT_ADMIN, locale: str = "en"):
        client = app.test_client()
        if role is Role.TENANT_ADMIN:
            login(client, self.tenant)
        else:
            login(client, self.tenant, password=PASSWORD, email=self.users[role])
        with client.session_transaction() as session:
            session["lang"] = locale
        return client


def make_scored(db, settings) -> Scored:
    from saas.platform.onboarding import create_tenant

    slug = unique_slug("results")
    tenant = create_tenant(
        db, settings, slug, "结果测试", f"admin@{slug}.example.com", ADMIN_PASSWORD, locale="en"
    )
    schema = schema_for(slug)
    with db.tenant(schema) as session:
        seed_example_org(session, Actor.system("seed@example.com"))
        units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        users = {}
        for role, code in (
            (Role.MANAGER, "GC"),
            (Role.EMPLOYEE, "GC"),
            (Role.COMMITTEE, "ZH-XZ"),
            (Role.INSPECTOR, "ZH-XZ"),
        ):
            person = add_employee(session, units[code], f"U-{role.value}", f"用户{role.value}")
            email = f"{role.value}@{slug}.example.com"
            add_user(session, email, role, employee=person)
            users[role] = email
            if role is Role.MANAGER:
                session.get(OrgUnit, units["GC"]).manager_id = person.id
        scheme = rich_scheme()
        version_id = publish_scheme(session, scheme, tenant.admin_email)
        cycle = make_cycle(session, version_id, status="scoring")
        subjects = [
            add_subject(
                session, cycle, add_employee(session, units[code], f"E{n:03d}", f"员工{n:02d}")
            )
            for n, code in enumerate(UNITS)
        ]
        inputs = cohort_inputs([str(s.id) for s in subjects])
        run = score_and_store(session, cycle, scheme, subjects, inputs)
        result = Scored(
            tenant,
            schema,
            units,
            version_id,
            cycle.id,
            run.id,
            [s.id for s in subjects],
            users,
        )
    return result


@pytest.fixture(scope="module")
def scored(db, settings) -> Scored:
    return make_scored(db, settings)
