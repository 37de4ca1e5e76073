"""Who is assessed: each kind of rule, combinations, people who have left, and the database
helper that evaluates many employees at once."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from saas.auth.permissions import Actor
from saas.models.eligibility import EligibilityRule, RuleKind
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.people.eligibility import (
    EmployeeFacts,
    RuleFacts,
    add_rule,
    assess_eligibility,
    assess_employees,
    assessed_employee_ids,
    delete_rule,
)
from saas.people.levels import REFERENCE_RULE_NOTE, seed_reference_levels
from saas.validation import Invalid
from tests.people.conftest import add_employee

SUPERVISOR_RULE = RuleFacts(
    RuleKind.LEVEL_AT_LEAST, note=REFERENCE_RULE_NOTE, level_name="部门主管", level_rank=3
)
FRONT_LINE_RULE = RuleFacts(RuleKind.UNIT_CATEGORY, value="一线生产部门")
AGENCY_RULE = RuleFacts(RuleKind.EMPLOYMENT_FORM, note="派遣人员由派遣单位考核", value="劳务派遣")


def reasons(facts: EmployeeFacts, rules: list[RuleFacts]) -> list[str]:
    return [str(reason) for reason in assess_eligibility(facts, rules).reasons]


def test_nobody_is_excluded_without_rules():
    result = assess_eligibility(EmployeeFacts(level_name="公司领导", level_rank=5), [])
    assert result.assessed and result.reasons == []


@pytest.mark.parametrize(
    ("level", "rank", "assessed"),
    [("员工", 1, True), ("班组长", 2, True), ("部门主管", 3, False), ("公司领导", 5, False)],
)
def test_level_at_least_excludes_that_rank_and_above(level, rank, assessed):
    facts = EmployeeFacts(level_name=level, level_rank=rank)
    assert assess_eligibility(facts, [SUPERVISOR_RULE]).assessed is assessed


def test_level_reason_names_both_levels_and_the_rule():
    facts = EmployeeFacts(level_name="部门经理", level_rank=4)
    assert reasons(facts, [SUPERVISOR_RULE]) == [
        "Position level 部门经理 is at or above 部门主管 (rule: 部门主管以上不在考核范围)"
    ]


def test_someone_without_a_level_is_not_caught_by_a_level_rule():
    assert assess_eligibility(EmployeeFacts(), [SUPERVISOR_RULE]).assessed


def test_unit_category_rule_matches_ignoring_spacing_and_case():
    assert not assess_eligibility(
        EmployeeFacts(unit_category="一线生产部门"), [FRONT_LINE_RULE]
    ).assessed
    assert assess_eligibility(EmployeeFacts(unit_category="职能部门"), [FRONT_LINE_RULE]).assessed
    assert assess_eligibility(EmployeeFacts(), [FRONT_LINE_RULE]).assessed
    latin = RuleFacts(RuleKind.UNIT_CATEGORY, value="Front line")
    assert not assess_eligibility(EmployeeFacts(unit_category=" front  LINE "), [latin]).assessed
    assert reasons(EmployeeFacts(unit_category="一线生产部门"), [FRONT_LINE_RULE]) == [
        "Unit category 一线生产部门 is excluded (rule: unit category 一线生产部门)"
    ]


def test_employment_form_rule():
    assert not assess_eligibility(EmployeeFacts(employment_form="劳务派遣"), [AGENCY_RULE]).assessed
    assert assess_eligibility(EmployeeFacts(employment_form="正式员工"), [AGENCY_RULE]).assessed
    assert reasons(EmployeeFacts(employment_form="劳务派遣"), [AGENCY_RULE]) == [
        "Employment form 劳务派遣 is excluded (rule: 派遣人员由派遣单位考核)"
    ]


def test_people_who_have_left_are_not_assessed_but_on_leave_is():
    left = reasons(EmployeeFacts(status="left"), [])
    assert len(left) == 1 and "left" in left[0]
    assert assess_eligibility(EmployeeFacts(status="on_leave"), []).assessed


def test_every_matching_rule_is_named():
    facts = EmployeeFacts(
        status="left",
        level_name="部门主管",
        level_rank=3,
        unit_category="一线生产部门",
        employment_form="劳务派遣",
    )
    rules = [SUPERVISOR_RULE, FRONT_LINE_RULE, AGENCY_RULE]
    found = reasons(facts, rules)
    assert len(found) == 4
    assert "部门主管以上不在考核范围" in found[1]
    assert "一线生产部门" in found[2] and "劳务派遣" in found[3]
    # Only the rules that match are named.
    partial = reasons(
        EmployeeFacts(level_name="员工", level_rank=1, employment_form="劳务派遣"), rules
    )
    assert len(partial) == 1 and "劳务派遣" in partial[0]


def test_reasons_are_translated_when_shown(app):
    from flask_babel import force_locale

    facts = EmployeeFacts(level_name="部门经理", level_rank=4)
    (reason,) = assess_eligibility(facts, [SUPERVISOR_RULE]).reasons
    with app.test_request_context(), force_locale("zh_CN"):
        shown = str(reason)
    # Whatever the catalog says, the names of the levels and the rule stay in the sentence.
    assert "部门经理" in shown and "部门主管以上不在考核范围" in shown


def test_database_helper_uses_rules_levels_and_inherited_unit_categories(db, org):
    with db.tenant(org.schema) as session:
        add_rule(session, Actor.system("hr"), RuleKind.UNIT_CATEGORY, value="职能部门")
        # The canteen team has no category of its own: it inherits 一线生产部门.
        add_rule(
            session,
            Actor.system("hr"),
            RuleKind.UNIT_CATEGORY,
            value="一线生产部门",
            note="一线另行考核",
        )
        results = assess_employees(session)
    assert set(results) == {org.boss, org.cook, org.clerk}
    assert not any(result.assessed for result in results.values())
    assert "一线另行考核" in str(results[org.cook].reasons[0])
    # The seeded reference rule excludes the boss (部门主管) on level as well.
    assert len(results[org.boss].reasons) == 2


def test_database_helper_filters_and_lists_assessed_ids(db, org):
    with db.tenant(org.schema) as session:
        assert assessed_employee_ids(session) == sorted([org.cook, org.clerk])
        only = assess_employees(session, Employee.id == org.boss)
        assert list(only) == [org.boss]
        assert not only[org.boss].assessed


def test_database_helper_runs_a_fixed_number_of_queries(db, org):
    with db.tenant(org.schema) as session:
        office = session.get(OrgUnit, org.office)
        for i in range(40):
            add_employee(session, f"Q{i:03d}", f"员工{i}", office, employment_form="劳务派遣")
        add_rule(session, Actor.system("hr"), RuleKind.EMPLOYMENT_FORM, value="劳务派遣")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.tenant(org.schema) as session:
            results = assess_employees(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(results) == 43
    assert sum(not result.assessed for result in results.values()) == 41  # 40 + the boss
    assert len(statements) == 3, statements


def test_rules_are_managed_with_audit_rows_and_duplicates_refused(db, org):
    from saas.models.audit import AuditEntry

    with db.tenant(org.schema) as session:
        rule = add_rule(
            session, Actor.system("hr@example.com"), RuleKind.EMPLOYMENT_FORM, value=" 实习生 "
        )
        assert rule.value == "实习生"
        with pytest.raises(Invalid) as exc:
            add_rule(session, Actor.system("hr"), RuleKind.EMPLOYMENT_FORM, value="实习生")
        assert "exists" in str(exc.value.errors["value"][0])
        with pytest.raises(Invalid):
            add_rule(
                session, "hr", RuleKind.LEVEL_AT_LEAST, position_level_id=org.levels["部门主管"]
            )
        with pytest.raises(Invalid):
            add_rule(session, Actor.system("hr"), RuleKind.UNIT_CATEGORY, value="  ")
        with pytest.raises(Invalid):
            add_rule(session, Actor.system("hr"), RuleKind.LEVEL_AT_LEAST, position_level_id=424242)
        with pytest.raises(Invalid):
            add_rule(session, Actor.system("hr"), "age_above", value="60")
        delete_rule(session, Actor.system("hr@example.com"), rule)
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_type == "eligibility_rule")
        ).all()
    # The seeded reference rule, then this one created and deleted.
    assert actions == [
        "eligibility_rule.created",
        "eligibility_rule.created",
        "eligibility_rule.deleted",
    ]


def test_seeding_the_reference_ladder_is_idempotent(db, org):
    with db.tenant(org.schema) as session:
        assert seed_reference_levels(session, Actor.system("hr")) == []
        levels = session.execute(
            select(PositionLevel.name, PositionLevel.rank).order_by(PositionLevel.rank)
        ).all()
        assert [tuple(level) for level in levels] == [
            ("员工", 1),
            ("班组长", 2),
            ("部门主管", 3),
            ("部门经理", 4),
            ("公司领导", 5),
        ]
        (rule,) = session.scalars(select(EligibilityRule)).all()
        assert rule.kind == "level_at_least" and rule.note == REFERENCE_RULE_NOTE
        assert rule.position_level_id == org.levels["部门主管"]
        # Delete the rule and one level: seeding again restores just those.
        session.delete(rule)
        session.delete(session.get(PositionLevel, org.levels["班组长"]))
        session.flush()
        assert seed_reference_levels(session, Actor.system("hr")) == ["班组长", REFERENCE_RULE_NOTE]
        assert session.scalar(select(func.count()).select_from(PositionLevel)) == 5
