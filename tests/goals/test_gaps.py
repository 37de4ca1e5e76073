"""The gap report: what it finds on a prepared tree, what approval closes, whose gaps each user
sees, tenant isolation, a fixed number of queries, and the page.

The prepared tree (period 2026-Q3), built with the goals service:

C  全年营收     WY     weight 100                    approved
├── G 工程维修收入 GC   weight 100, 50% of C           submitted   ← covered 60 of 100
│   └── S 水电及时率 GC-SD  weight 100, 60% of G      returned
│       └── L 李工维修单量 li  weight 70, 100% of S    approved
└── B 保洁满意度   BJ   weight 60, 50% of C            draft       ← BJ's weights total 60
M  李工安全培训   li    weight 20                      approved    ← li's weights total 90
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from saas.auth.permissions import Actor
from saas.goals import service
from saas.goals.gaps import gap_report
from saas.goals.service import GoalData
from saas.models.eligibility import RuleKind
from saas.models.goal import Goal
from saas.models.org import OrgUnit
from saas.models.people import Employee, EmployeeStatus
from saas.people.eligibility import add_rule
from saas.scoring.period import label_of
from saas.validation import Invalid
from tests.conftest import login
from tests.org.conftest import ADMIN, add_employee, log_in, make_org

PERIOD = "2026-Q3"
TITLES = {
    "C": "全年营收",
    "G": "工程维修收入",
    "S": "水电维修及时率",
    "L": "李工维修单量",
    "B": "保洁满意度",
    "M": "李工安全培训",
    "K": "空调维修收入",
}


def goal(session, team, by: str, key: str, *, owner: dict, weight: str, parent=None, share=None):
    actor = team.actor(session, by)
    data = GoalData(title=TITLES[key], weight=weight, contribution=share, target="100")
    return service.create_goal(session, actor, data, period=PERIOD, parent=parent, **owner)


def submit(session, team, by: str, made: Goal) -> None:
    service.submit(session, team.actor(session, by), made)


def approve(session, team, by: str, made: Goal) -> None:
    service.approve(session, team.actor(session, by), made)


def prepare(session, team) -> dict[str, Goal]:
    """The tree of the module docstring; returns its goals by letter."""
    unit, person = team.unit, team.person
    c = goal(session, team, "admin", "C", owner={"unit": unit(session, "WY")}, weight="100")
    g = goal(
        session,
        team,
        "gc",
        "G",
        owner={"unit": unit(session, "GC")},
        weight="100",
        parent=c,
        share="50",
    )
    b = goal(
        session,
        team,
        "bj",
        "B",
        owner={"unit": unit(session, "BJ")},
        weight="60",
        parent=c,
        share="50",
    )
    s = goal(
        session,
        team,
        "sd",
        "S",
        owner={"unit": unit(session, "GC-SD")},
        weight="100",
        parent=g,
        share="60",
    )
    li = {"employee": person(session, "li")}
    lg = goal(session, team, "li", "L", owner=li, weight="70", parent=s, share="100")
    m = goal(session, team, "li", "M", owner=li, weight="20")
    for made, by, approver in ((c, "admin", "admin2"), (lg, "li", "sd"), (m, "li", "sd")):
        submit(session, team, by, made)
        approve(session, team, approver, made)
    submit(session, team, "gc", g)
    submit(session, team, "sd", s)
    service.return_goal(session, team.actor(session, "gc"), s, "目标值偏低")
    return {"C": c, "G": g, "S": s, "L": lg, "B": b, "M": m}


def report_for(session, team, name: str, period: str = PERIOD):
    scope = team.actor(session, name).scope
    return gap_report(session, scope, period)


def all_unit_codes(session) -> set[str]:
    return set(session.scalars(select(OrgUnit.code).where(OrgUnit.archived_at.is_(None))))


def people_names(report) -> list[str]:
    return [person.name for person in report.people_without_goals]


def owners(report) -> dict[tuple[str, str], tuple[Decimal, int]]:
    return {(row.owner.kind, row.owner.code): (row.total, row.goals) for row in report.weights_off}


# -- what the report finds -------------------------------------------------------------------------


def test_each_kind_of_gap_is_found_exactly(db, team):
    with db.tenant(team.schema) as session:
        goals = prepare(session, team)
        report = report_for(session, team, "admin")

        [uncovered] = report.uncovered
        assert uncovered.goal.id == goals["G"].id
        assert (uncovered.covered, uncovered.missing, uncovered.children) == (
            Decimal("60.00"),
            Decimal("40.00"),
            1,
        )
        assert (uncovered.goal.owner.kind, uncovered.goal.owner.code) == ("unit", "GC")

        codes = {unit.code for unit in report.units_without_goals}
        assert codes == all_unit_codes(session) - {"WY"}
        in_order = [unit.code for unit in report.units_without_goals]
        assert in_order[:7] == ["ZH", "ZH-XZ", "ZH-RL", "CW", "PZ", "GC", "GC-SD"]  # the tree's
        assert people_names(report) == ["bj", "gc", "sd"]  # by employee number

        unfinished = {ref.id: (ref.status, ref.owner.name) for ref in report.unfinished}
        assert unfinished == {
            goals["G"].id: ("submitted", "工程维修部"),
            goals["S"].id: ("returned", "水电班组"),
            goals["B"].id: ("draft", "保洁部"),
        }
        assert [ref.id for ref in report.unfinished] == [goals[k].id for k in "GSB"]  # the tree's
        [returned] = [ref for ref in report.unfinished if ref.status == "returned"]
        assert returned.review_comment == "目标值偏低"

        assert owners(report) == {
            ("unit", "BJ"): (Decimal("60.00"), 1),
            ("person", "E-li"): (Decimal("90.00"), 2),
        }
        assert report.total == 1 + len(codes) + 3 + 3 + 2


def test_approved_goals_and_full_shares_close_the_gaps(db, team):
    with db.tenant(team.schema) as session:
        goals = prepare(session, team)
        # G's missing 40% goes to the air-conditioning team; BJ's one goal takes all its weight.
        goal(
            session,
            team,
            "gc",
            "K",
            owner={"unit": team.unit(session, "GC-KT")},
            weight="100",
            parent=goals["G"],
            share="40",
        )
        b = goals["B"]
        data = GoalData(title=b.title, weight="100", contribution="50", target="100")
        service.change_goal(session, team.actor(session, "bj"), b, data)
        submit(session, team, "bj", b)
        submit(session, team, "sd", goals["S"])
        for made in (goals["G"], goals["S"], b):
            approve(session, team, "admin", made)
        report = report_for(session, team, "admin")

        assert report.uncovered == []
        assert [ref.title for ref in report.unfinished] == [TITLES["K"]]  # a new draft
        assert {unit.code for unit in report.units_without_goals} == all_unit_codes(session) - {
            "WY",
            "GC",
            "GC-SD",
            "BJ",
        }
        assert owners(report) == {("person", "E-li"): (Decimal("90.00"), 2)}


def test_a_person_with_an_approved_goal_is_no_longer_a_gap(db, team):
    with db.tenant(team.schema) as session:
        prepare(session, team)
        assert "gc" in people_names(report_for(session, team, "admin"))
        mine = goal(
            session, team, "gc", "G", owner={"employee": team.person(session, "gc")}, weight="100"
        )
        submit(session, team, "gc", mine)
        assert "gc" in people_names(report_for(session, team, "admin"))  # submitted is not enough
        approve(session, team, "admin", mine)
        assert sorted(people_names(report_for(session, team, "admin"))) == ["bj", "sd"]


def test_only_assessed_people_are_gaps(db, team):
    with db.tenant(team.schema) as session:
        prepare(session, team)
        add_rule(
            session, Actor.system("admin@example.com"), RuleKind.EMPLOYMENT_FORM, value="劳务派遣"
        )
        team.person(session, "bj").employment_form = "劳务派遣"
        team.person(session, "sd").status = EmployeeStatus.LEFT
        add_employee(session, team.org.ids["BJ-1"], "E-new", "new", status=EmployeeStatus.ON_LEAVE)
        session.flush()
        assert sorted(people_names(report_for(session, team, "admin"))) == ["gc", "new"]


def test_a_period_without_goals_has_every_unit_and_person_as_a_gap(db, team):
    with db.tenant(team.schema) as session:
        prepare(session, team)
        report = report_for(session, team, "admin", "2026-Q4")
        assert report.uncovered == report.unfinished == report.weights_off == []
        assert {unit.code for unit in report.units_without_goals} == all_unit_codes(session)
        assert sorted(people_names(report)) == ["bj", "gc", "li", "sd"]


def test_an_archived_unit_is_not_a_gap(db, team):
    with db.tenant(team.schema) as session:
        team.unit(session, "WB-LH").archived_at = dt.datetime.now(dt.UTC)
        session.flush()
        codes = {unit.code for unit in report_for(session, team, "admin").units_without_goals}
        assert "WB-LH" not in codes and "WB-BA" in codes


def test_a_period_kaohe_cannot_read_is_refused(db, team):
    with db.tenant(team.schema) as session, pytest.raises(Invalid):
        report_for(session, team, "admin", "2026-Q5")


def test_the_current_quarter():
    assert label_of("quarter", dt.date(2026, 1, 1)) == "2026-Q1"
    assert label_of("quarter", dt.date(2026, 9, 30)) == "2026-Q3"
    assert label_of("quarter", dt.date(2026, 10, 1)) == "2026-Q4"


# -- whose gaps ------------------------------------------------------------------------------------


def test_a_manager_sees_only_their_subtrees_gaps(db, team):
    with db.tenant(team.schema) as session:
        goals = prepare(session, team)
        bj = report_for(session, team, "bj")
        assert bj.uncovered == []
        assert [ref.id for ref in bj.unfinished] == [goals["B"].id]
        assert [unit.code for unit in bj.units_without_goals] == ["BJ", "BJ-1", "BJ-2", "BJ-LH"]
        assert people_names(bj) == ["bj"]
        assert owners(bj) == {("unit", "BJ"): (Decimal("60.00"), 1)}

        gc = report_for(session, team, "gc")
        assert [row.goal.id for row in gc.uncovered] == [goals["G"].id]
        assert {ref.id for ref in gc.unfinished} == {goals["G"].id, goals["S"].id}
        assert {unit.code for unit in gc.units_without_goals} == {"GC", "GC-SD", "GC-KT", "GC-DT"}
        assert sorted(people_names(gc)) == ["gc", "sd"]
        assert owners(gc) == {("person", "E-li"): (Decimal("90.00"), 2)}


def test_another_tenant_sees_none_of_these_goals(db, team, make_tenant):
    with db.tenant(team.schema) as session:
        prepare(session, team)
    other = make_org(db, make_tenant)
    with db.tenant(other.schema) as session:
        report = gap_report(session, ADMIN, PERIOD)
        assert report.uncovered == report.unfinished == report.weights_off == []
        assert report.people_without_goals == []
        assert {unit.code for unit in report.units_without_goals} == all_unit_codes(session)
        assert {unit.id for unit in report.units_without_goals} == set(other.ids.values())


# -- a fixed number of queries ---------------------------------------------------------------------


@contextmanager
def counting(db):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(session, team, goals: int, start: int = 0) -> None:
    """Goals ``start`` .. ``goals`` − 1 of a ternary tree of mixed owners, statuses, weights and
    shares under goal 0 (the company's), and a person for every fourth goal."""
    units = sorted(team.org.ids.values())
    for i in range(start, goals, 4):
        add_employee(session, units[i % len(units)], f"G-{i:04d}", f"员工{i}")
    people = sorted(session.scalars(select(Employee.id)))
    ids: list[int] = sorted(session.scalars(select(Goal.id).where(Goal.period == PERIOD)))
    statuses = ("draft", "submitted", "approved", "returned")
    for i in range(start, goals):
        parent = session.get(Goal, ids[(i - 1) // 3]) if i else None
        owner = (
            {"unit_id": units[i % len(units)]}
            if i % 2
            else {"employee_id": people[i % len(people)]}
        )
        made = Goal(
            period=PERIOD,
            period_kind="quarter",
            title=f"目标{i}",
            path="",
            created_by=1,
            status=statuses[i % 4],
            weight=Decimal((30, 50, 100)[i % 3]),
            contribution=Decimal(25) if parent else None,
            parent_id=parent.id if parent else None,
            **owner,
        )
        session.add(made)
        session.flush()
        made.path = f"{parent.path if parent else ''}{made.id}/"
        ids.append(made.id)
    session.flush()


@pytest.mark.parametrize("who", ["admin", "gc"])
def test_the_report_costs_the_same_queries_for_20_or_200_goals(db, team, who):
    with db.tenant(team.schema) as session:
        grow(session, team, 20)
        scope = team.actor(session, who).scope
        with counting(db) as small:
            few = gap_report(session, scope, PERIOD)
        grow(session, team, 200, start=20)
        with counting(db) as large:
            many = gap_report(session, scope, PERIOD)
    assert 0 < len(small) == len(large) <= 8
    # The larger tree has more of every kind of gap: the count held while the rows grew.
    assert len(many.unfinished) > len(few.unfinished)
    assert len(many.uncovered) > len(few.uncovered)
    assert len(many.weights_off) > len(few.weights_off)
    assert len(many.people_without_goals) > len(few.people_without_goals)


# -- the page --------------------------------------------------------------------------------------


def gaps_url(team, period: str | None = PERIOD) -> str:
    query = f"?period={period}" if period is not None else ""
    return f"/t/{team.org.slug}/goals/gaps{query}"


def test_the_page_lists_the_gaps_with_links_to_fix_them(db, team, client):
    with db.tenant(team.schema) as session:
        goals = prepare(session, team)
        ids = {key: made.id for key, made in goals.items()}
    slug = team.org.slug
    assert login(client, team.org.tenant).status_code == 302
    response = client.get(gaps_url(team))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'<a href="/t/{slug}/goals/{ids["G"]}">{TITLES["G"]}</a>' in body
    assert f'<a href="/t/{slug}/goals/{ids["B"]}">{TITLES["B"]}</a>' in body
    assert f'href="/t/{slug}/goals/?unit={team.org.ids["CW"]}&amp;period=2026-Q3"' in body
    assert f'href="/t/{slug}/goals/?employee={team.employees["sd"]}&amp;period=2026-Q3"' in body
    assert f'href="/t/{slug}/goals/?employee={team.employees["li"]}&amp;period=2026-Q3"' in body
    assert "目标值偏低" in body
    assert "40%" in body and "60%" in body  # G's missing and BJ's total weight
    assert f'/goals/{ids["C"]}"' not in body  # approved and fully covered: no gap
    assert 'id="gaps-unfinished">Goals not yet approved <span class="gaps-count">3<' in body


def test_the_page_defaults_to_the_current_quarter_and_says_none(db, team, client, make_tenant):
    other = make_org(db, make_tenant)
    assert login(client, other.tenant).status_code == 302
    body = client.get(gaps_url(team, None).replace(team.org.slug, other.slug)).get_data(
        as_text=True
    )
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert f'name="period" value="{label_of("quarter", today)}"' in body
    assert body.count('<p class="muted gaps-none">none</p>') == 4  # all but the units


def test_a_bad_period_is_a_message_not_an_error(db, team, client):
    assert login(client, team.org.tenant).status_code == 302
    response = client.get(gaps_url(team, "2026-Q5"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "2026-Q5 is not a period such as 2026, 2026-H2, 2026-Q3 or 2026-07." in body
    assert "gaps-section" not in body


def test_a_lower_case_period_is_read(db, team, client):
    with db.tenant(team.schema) as session:
        prepare(session, team)
    assert login(client, team.org.tenant).status_code == 302
    body = client.get(gaps_url(team, "2026-q3")).get_data(as_text=True)
    assert TITLES["G"] in body


def test_a_manager_sees_their_subtree_and_an_employee_is_refused(db, team, client):
    with db.tenant(team.schema) as session:
        prepare(session, team)
    log_in(client, team.org, f"bj@{team.org.slug}.example.com")
    body = client.get(gaps_url(team)).get_data(as_text=True)
    assert TITLES["B"] in body
    assert all(TITLES[key] not in body for key in ("G", "S", "C"))
    assert "工程维修部" not in body and "水电班组" not in body

    employee = client.application.test_client()
    log_in(employee, team.org, f"li@{team.org.slug}.example.com")
    assert employee.get(gaps_url(team)).status_code == 403


def test_another_tenants_admin_sees_none_of_these_goals_on_the_page(db, team, client, make_tenant):
    with db.tenant(team.schema) as session:
        prepare(session, team)
    other = make_org(db, make_tenant)
    assert login(client, other.tenant).status_code == 302
    body = client.get(f"/t/{other.slug}/goals/gaps?period={PERIOD}").get_data(as_text=True)
    assert all(title not in body for title in TITLES.values())
    # Logged in to the other tenant only: the first tenant's report asks to log in.
    response = client.get(gaps_url(team))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logged_out_is_sent_to_log_in(team, client):
    response = client.get(gaps_url(team))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
