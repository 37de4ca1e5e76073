"""One tenant with a logged-in client per role and real records each role may reach, and the
app's tenant routes: what the access walk (test_access.py) and the hostile-input walk
(test_hostile_input.py) both go through, each with a world of its own."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from saas.attachments import service as attachments
from saas.auth.permissions import Actor
from saas.feedback import intake as feedback_intake
from saas.feedback import tokens as feedback_tokens
from saas.goals import service as goals
from saas.goals.service import GoalData
from saas.ledger import service as ledger
from saas.models.attachment import AttachmentOwner
from saas.models.cycle import ExternalRater, RatingSheet
from saas.models.eligibility import EligibilityRule, RuleKind
from saas.models.org import OrgUnit, PositionLevel
from saas.models.provider import ProviderContract
from saas.models.scheme import SchemeVersion
from saas.models.user import Role, User
from saas.org.units import create_unit, seed_example_org
from saas.people.eligibility import add_rule
from saas.people.levels import add_level, seed_reference_levels
from saas.platform.onboarding import create_tenant
from saas.rating.external import make_token
from saas.schemes import versions
from saas.schemes.templates import load_template
from tenants.slugs import schema_for
from tests.conftest import ADMIN_PASSWORD, actor_of, csrf_token, login
from tests.cycles.factory import add_subject, assign, make_cycle
from tests.imports.conftest import csv_bytes, unit, units_sheet
from tests.org.conftest import PASSWORD, add_employee, add_user

TENANT = "/t/<tenant_slug>"
PERIOD = "2026-Q3"
ROLES = tuple(Role)
SCHEME_TEMPLATE = "smile_functional"
GRID_PERIOD = "2026-Q2"  # the rating grid's cycle
FORM_PERIOD = "2026-Q1"  # the rating form's cycle
PNG = bytes.fromhex(  # a 1×1 white PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a5ff0000000049454e44ae426082"
)


def probe_app():
    """The app's blueprints on a bare Flask app: its routes, to name test cases when a module
    is collected (before the app fixture exists)."""
    from flask import Flask

    from saas.app import register_blueprints

    probe = Flask("probe")
    register_blueprints(probe)
    return probe


def tenant_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith(TENANT)),
        key=lambda rule: rule.rule,
    )


def permission_of(app, endpoint: str) -> str | None:
    return getattr(app.view_functions[endpoint], "permission", None)


@dataclass
class World:
    slug: str
    ids: dict[Role | None, dict[str, object]] = field(default_factory=dict)
    clients: dict[Role | None, object] = field(default_factory=dict)
    tokens: dict[Role | None, str] = field(default_factory=dict)
    log_in: object = None  # log_in(role): a fresh login of that role's client

    def url(self, rule, role: Role | None) -> str:
        values = {"tenant_slug": self.slug, **self.ids[role]}
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
        return path


def _scored_cycle(session, version_id: int, person) -> dict[str, int]:
    """A cycle of the published scheme with one subject (the employee, in the manager's
    unit), scored with the engine as finished run 1: the results pages' records."""
    from saas.scoring.inputs import Rating, SubjectInput
    from tests.cycles.factory import add_subject, make_cycle
    from tests.results.scored import score_and_store

    cycle = make_cycle(session, version_id, period=PERIOD, status="review")
    subject = add_subject(session, cycle, person)
    scheme = versions.definition(session.get(SchemeVersion, version_id))
    ratings = tuple(
        Rating(section.key, "supervisor", "s", section.max - 1) for section in scheme.sections
    )
    score_and_store(session, cycle, scheme, [subject], [SubjectInput(str(subject.id), ratings)])
    return {"cycle_id": cycle.id, "subject_id": subject.id}


def _notices(session, as_admin, inspector, units) -> dict[str, dict[str, int]]:
    """A published canteen checklist and, per unit code, a finished inspection of it with
    the notice its failed item raised: {code: {"inspection_id", "notice_id"}}."""
    from saas.inspections.consequences import after_inspection
    from saas.models.inspection import Inspection, RectificationNotice
    from tests.notices.conftest import DONE_AT, checklist

    version = versions.create_scheme(session, as_admin, checklist())
    versions.publish(session, as_admin, version)
    found = {}
    for code in ("GC", "WB-BA"):
        inspection = Inspection(
            version_id=version.id,
            unit_id=units[code],
            planned_on=DONE_AT.date(),
            inspector_id=inspector.id,
            status="done",
            done_at=DONE_AT,
            values={"HY-1.1": 1},
            notes={"HY-1.1": "把手有油污"},
        )
        session.add(inspection)
        session.flush()
        after_inspection(
            session, as_admin, inspection, versions.definition(version), DONE_AT.date()
        )
        notice = session.scalar(
            select(RectificationNotice.id).where(RectificationNotice.inspection_id == inspection.id)
        )
        found[code] = {"inspection_id": inspection.id, "notice_id": notice}
    return found


def _inspections(session, as_admin: Actor, units: dict, users: dict) -> dict:
    """A published checklist; an announced inspection of 工程维修部 (the manager's unit) by the
    inspector, one the committee member carries out, one of the provider's unit; a schedule.
    Each role walks the one it may run or read (the admin, the manager and the employee the
    first); ``schedule_id`` is the schedule's."""
    from saas.inspections import schedules
    from saas.inspections import service as inspection_service

    version = versions.create_scheme(
        session, as_admin, load_template("outsourced_cleaning"), template="outsourced_cleaning"
    )
    versions.publish(session, as_admin, version)
    today = dt.date.today()

    def planned(unit: str, inspector: Role) -> int:
        return inspection_service.plan(
            session,
            as_admin,
            scheme_id=version.scheme_id,
            unit_id=units[unit],
            planned_on=today,
            method="inspection",
            unannounced=False,
            inspector_id=users[inspector].id,
            today=today,
        ).id

    gc = planned("GC", Role.INSPECTOR)
    schedule = schedules.add(
        session,
        as_admin,
        scheme_id=version.scheme_id,
        unit_id=units["GC"],
        every="week",
        next_on=today + dt.timedelta(days=30),
        method="spot_check",
        unannounced=True,
        inspector_id=users[Role.INSPECTOR].id,
        today=today,
    )
    return {
        **{role: gc for role in ROLES},
        None: gc,
        Role.COMMITTEE: planned("GC", Role.COMMITTEE),
        Role.PROVIDER: planned("WB-BA", Role.INSPECTOR),
        "schedule_id": schedule.id,
    }


def _email(role: Role) -> str:
    return f"{role.value}@world.example.com"


def build_world(app, db, settings, prefix: str) -> World:
    """A fresh tenant (English) named ``prefix-…``, with the example organisation, a user per
    role with an employee record and a goal, a published scheme, a level, a rule, a
    bystander account and an import batch; a logged-in client and a CSRF token per role, and
    an anonymous one (role None)."""
    slug = f"{prefix}-{secrets.token_hex(3)}"
    tenant = create_tenant(
        db, settings, slug, "权限测试", f"admin@{slug}.example.com", ADMIN_PASSWORD, locale="en"
    )
    system = Actor.system("seed@world.example.com")
    with db.tenant(schema_for(slug)) as session:
        seed_example_org(session, system)
        units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        engineering = session.get(OrgUnit, units["GC"])
        spare = create_unit(session, system, engineering, name="备用班组", code="SPARE")
        # The manager manages 工程维修部 (GC); the employee works there; committee member and
        # inspector work in 行政 (ZH-XZ). Every one of them has an employee record.
        people, users = {}, {}
        for role, unit_code in (
            (Role.MANAGER, "GC"),
            (Role.EMPLOYEE, "GC"),
            (Role.COMMITTEE, "ZH-XZ"),
            (Role.INSPECTOR, "ZH-XZ"),
        ):
            person = add_employee(session, units[unit_code], f"A-{role.value}", role.value)
            users[role] = add_user(session, _email(role), role, employee=person)
            people[role] = person
        engineering.manager_id = people[Role.MANAGER].id
        add_user(session, "bystander@world.example.com", Role.EMPLOYEE)
        # The provider's contact: no employee record, confined to 某某保安公司 (WB-BA).
        users[Role.PROVIDER] = add_user(session, _email(Role.PROVIDER), Role.PROVIDER)
        session.add(
            ProviderContract(
                unit_id=units["WB-BA"],
                company="某某保安服务有限公司",
                contact_user_id=users[Role.PROVIDER].id,
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
            )
        )
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        session.flush()
        as_admin = Actor.system(tenant.admin_email, user_id=admin.id)
        # Each role's own goal, drafted by themself; the employee's is the one admin and
        # manager act on (so the four-eyes rule does not stop them).
        # Each has a sub-goal, so the matrix's "delete" is refused and the goal stays.
        own_goal = {}
        for role, person in people.items():
            drafter = actor_of(session, users[role])
            made = goals.create_goal(
                session,
                drafter,
                GoalData(title=f"{role.value} 的目标"),
                period=PERIOD,
                employee=person,
            )
            goals.create_goal(
                session,
                drafter,
                GoalData(title="分解"),
                period=PERIOD,
                employee=person,
                parent=made,
            )
            own_goal[role] = made.id
        # The reference scheme excludes 部门主管 and above: the tenant needs that level first.
        seed_reference_levels(session, system)
        version = versions.create_scheme(
            session, as_admin, load_template(SCHEME_TEMPLATE), template=SCHEME_TEMPLATE
        )
        versions.publish(session, as_admin, version)
        level = add_level(session, system, "备用职级", 99)
        rule = add_rule(session, system, RuleKind.EMPLOYMENT_FORM, value="备用")
        # An open cycle whose supervisor sheet of the employee is the manager's, and one the
        # administrator rates too (the hostile walk goes through the admin's grid).
        cycle = make_cycle(session, version.id, period=GRID_PERIOD)
        rated = add_subject(session, cycle, people[Role.EMPLOYEE])
        assign(session, rated, "supervisor", employee=people[Role.MANAGER])
        assign(session, rated, "supervisor", user_id=admin.id)
        bystander = session.scalar(
            select(User.id).where(User.email == "bystander@world.example.com")
        )
        # An open cycle of that scheme: each role rates someone (the admin, who has no
        # employee record, as a committee user), and a third party has a link.
        cycle = make_cycle(session, version.id, period=FORM_PERIOD)
        about = {role: add_subject(session, cycle, person) for role, person in people.items()}
        own_sheet = {
            Role.TENANT_ADMIN: assign(
                session, about[Role.EMPLOYEE], "committee", user_id=admin.id
            ).id
        }
        for role, source, subject in (
            (Role.MANAGER, "supervisor", Role.EMPLOYEE),
            (Role.EMPLOYEE, "peer", Role.COMMITTEE),
            (Role.COMMITTEE, "committee", Role.EMPLOYEE),
            (Role.INSPECTOR, "peer", Role.EMPLOYEE),
        ):
            own_sheet[role] = assign(session, about[subject], source, employee=people[role]).id
        rater_token, digest = make_token()
        outsider = ExternalRater(cycle_id=cycle.id, name="第三方", token_hash=digest)
        session.add(outsider)
        session.flush()
        session.add(
            RatingSheet(
                cycle_id=cycle.id,
                cycle_subject_id=about[Role.EMPLOYEE].id,
                source="third_party",
                rater_key=f"x:{outsider.id}",
                rater_external_id=outsider.id,
                values={},
            )
        )
        session.flush()
        common = {
            "unit_id": spare.id,
            "parent_id": units["GC"],
            "employee_id": people[Role.EMPLOYEE].id,
            "goal_id": own_goal[Role.EMPLOYEE],
            "actual_id": 999999,  # no such actual: 404 to whoever may change the goal
            "version_id": version.id,
            "form_id": "general",
            "key": "A",
            "kind": "source",
            "index": 0,
            "level_id": level.id,
            "rule_id": rule.id,
            "user_id": bystander,
            "statement_id": 999999,  # nobody's: 404 to whoever may open statements
            "sheet_id": 999999,  # nobody's: 404 to whoever may open set-up sheets
            "job_id": "no-such-job",
            "cycle_id": cycle.id,
            "source": "supervisor",
            "token": "not-a-token",
            "rater_token": rater_token,
            # The contact's own provider: theirs to read, out of the manager's reach.
            "provider_id": units["WB-BA"],
            "contract_id": session.scalar(
                select(ProviderContract.id).where(ProviderContract.unit_id == units["WB-BA"])
            ),
        }
        # A pending complaint about the employee (under the manager's unit), for the ledger.
        common["entry_id"] = ledger.add_entry(
            session,
            as_admin,
            employee_id=people[Role.EMPLOYEE].id,
            on=dt.date(2026, 8, 3),
            event="company_complaint",
        ).id
        # The employee's customer feedback link, and a customer's praise through it.
        _link, common["feedback_token"] = feedback_tokens.add_link(
            session, "seed", None, employee_id=people[Role.EMPLOYEE].id, unit_id=units["GC"]
        )
        common["reference"] = feedback_intake.submit(
            session,
            _link.id,
            feedback_intake.read("praise", "attitude", "服务周到", None),
            client_hash="0" * 64,
            today=dt.date(2026, 8, 4),
            locale="en",
        ).reference
        # A scan of the complaint letter on that entry.
        common["attachment_id"] = attachments.add(
            session, as_admin, AttachmentOwner.LEDGER_ENTRY, common["entry_id"], PNG, "letter.png"
        ).id
        assert session.get(PositionLevel, level.id) and session.get(EligibilityRule, rule.id)
        common.update(_scored_cycle(session, version.id, people[Role.EMPLOYEE]))
        # A rectification notice of 工程维修部 (the manager's) and one of 某某保安公司 (the
        # provider contact's), each raised by a finished inspection of the canteen checklist.
        notices = _notices(session, as_admin, users[Role.INSPECTOR], units)
        common.update(notices["GC"])
        inspections = _inspections(session, as_admin, units, users)
        common["schedule_id"] = inspections.pop("schedule_id")
        common["inspection_id"] = inspections[Role.TENANT_ADMIN]
    world = World(slug)
    for role in (*ROLES, None):
        world.ids[role] = dict(common)
    for role, sheet_id in own_sheet.items():
        world.ids[role]["rating_sheet_id"] = sheet_id
    for role, inspection_id in inspections.items():
        world.ids[role]["inspection_id"] = inspection_id
    world.ids[None]["rating_sheet_id"] = own_sheet[Role.EMPLOYEE]
    world.ids[Role.PROVIDER]["rating_sheet_id"] = own_sheet[Role.EMPLOYEE]  # not theirs
    world.ids[Role.PROVIDER].update(notices["WB-BA"])
    for role in (Role.EMPLOYEE, Role.COMMITTEE, Role.INSPECTOR):
        world.ids[role]["goal_id"] = own_goal[role]
        world.ids[role]["employee_id"] = people[role].id
    # An import batch, uploaded by the admin.
    admin_client = app.test_client()
    login(admin_client, tenant)
    token = csrf_token(admin_client, f"/t/{slug}/imports/")
    content = csv_bytes(units_sheet(unit("NEW", "新部门", "WY")))
    response = admin_client.post(
        f"/t/{slug}/imports/",
        data={"csrf_token": token, "kind": "", "file": (io.BytesIO(content), "units.csv")},
        content_type="multipart/form-data",
    )
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    for ids in world.ids.values():
        ids["batch_id"] = batch_id
    world.clients[Role.TENANT_ADMIN] = admin_client

    def log_in(role: Role) -> None:
        client = world.clients.setdefault(role, app.test_client())
        if role is Role.TENANT_ADMIN:
            login(client, tenant)
        else:
            login(client, tenant, password=PASSWORD, email=_email(role))
        world.tokens[role] = csrf_token(client, f"/t/{slug}/login")

    for role in ROLES[1:]:
        log_in(role)
    world.clients[None] = app.test_client()
    for role, client in world.clients.items():
        world.tokens[role] = csrf_token(client, f"/t/{slug}/login")
    world.log_in = log_in
    return world
