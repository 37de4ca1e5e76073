from sqlalchemy import func, select

from saas.demo import STAFF_PER_UNIT, seed_demo
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.people.eligibility import assess_employees
from tenants.slugs import schema_for


def test_demo_organisation_has_units_people_and_the_reference_rule(db, tenant):
    with db.tenant(schema_for(tenant.slug)) as session:
        added = seed_demo(session)
    with db.tenant(schema_for(tenant.slug)) as session:
        units = session.scalar(select(func.count()).select_from(OrgUnit))
        people = session.scalar(select(func.count()).select_from(Employee))
        assert people == added == (units - 1) * (1 + STAFF_PER_UNIT)
        managed = session.scalar(
            select(func.count()).select_from(OrgUnit).where(OrgUnit.manager_id.is_not(None))
        )
        assert managed == units - 1
        verdicts = assess_employees(session)
    assessed = [v for v in verdicts.values() if v.assessed]
    # The reference rule 部门主管以上不在考核范围 leaves out each unit's supervisor.
    assert len(assessed) == (units - 1) * STAFF_PER_UNIT


def test_demo_has_the_reference_scheme_published_and_the_front_line_one_drafted(db, tenant):
    from saas.models.scheme import SchemeVersion

    with db.tenant(schema_for(tenant.slug)) as session:
        seed_demo(session)
    with db.tenant(schema_for(tenant.slug)) as session:
        rows = session.execute(
            select(SchemeVersion.status, SchemeVersion.definition["name"].astext)
        ).all()
    assert sorted(rows) == [
        ("draft", "精准化微笑服务考核（一线生产作业部门）"),
        ("published", "精准化微笑服务考核（职能部门）"),
    ]


def test_demo_has_an_open_cycle_partly_rated_that_scores(db, tenant):
    from saas.models.cycle import Cycle, CycleResult, CycleSubject, RatingSheet
    from saas.runs import service as runs
    from saas.runs.inputs import read_cycle

    with db.tenant(schema_for(tenant.slug)) as session:
        seed_demo(session)
    with db.tenant(schema_for(tenant.slug)) as session:
        cycle = session.scalar(select(Cycle))
        assert cycle.status == "open"
        subjects = session.scalar(
            select(func.count()).select_from(CycleSubject).where(CycleSubject.included)
        )
        states = dict(
            session.execute(
                select(RatingSheet.status, func.count()).group_by(RatingSheet.status)
            ).all()
        )
        # Every assessed person has a supervisor sheet; two in three are submitted.
        assert sum(states.values()) == subjects > 0
        assert states["submitted"] == subjects - subjects // 3 and states["assigned"] > 0
        assert session.scalar(select(func.count()).select_from(CycleResult)) == 0
        scored = runs.score(read_cycle(session, cycle.id))
    rated = [r for r in scored if r.checklist is not None]
    assert len(rated) == states["submitted"] and all(0 < r.final <= 100 for r in rated)
