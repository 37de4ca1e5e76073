"""Importing goal actuals from Excel: every row recorded or none, each problem listed with its
row and column, and only goals the user may record for — others are simply not found."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from saas.auth.permissions import Actor
from saas.goals import actuals_import as actuals
from saas.goals import service
from saas.goals.service import GoalData
from saas.goals.views import visible_clause
from saas.imports.columns import normalise
from saas.imports.formats import UnreadableFile
from saas.models.audit import AuditEntry
from saas.models.goal import Goal, GoalActual
from saas.models.org import OrgUnit
from saas.models.user import Role
from saas.org.access import Scope
from tests.conftest import csrf_token, login
from tests.org.conftest import PASSWORD, make_org

PERIOD = "2026-Q3"
HEADERS = ["目标编号", "目标名称", "实际值", "是否完成", "日期", "备注"]
EN_HEADERS = ["goal id", "goal", "actual", "done", "date", "note"]
# A committee member: reads every goal, records actuals for none.
READER = Actor(
    None,
    "reader@example.com",
    frozenset({Role.COMMITTEE}),
    Scope(read_all=True, write_all=False, managed_paths=(), employee_id=None),
)


# -- helpers ---------------------------------------------------------------------------------


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS, title: str = "实际值") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def goal(db, team, owner: str, title: str = "营收", period: str = PERIOD, **options) -> int:
    """A goal drafted by ``owner`` for a unit (unit=CODE) or a person (employee=name)."""
    where = {k: options.pop(k) for k in ("unit", "employee") if k in options}
    with db.tenant(team.schema) as session:
        actor = team.actor(session, owner)
        owners = {
            k: team.unit(session, v) if k == "unit" else team.person(session, v)
            for k, v in where.items()
        }
        data = GoalData(title=title, target="100", **options)
        made = service.create_goal(session, actor, data, period=period, **owners)
        return made.id


def as_user(client, team, name: str) -> None:
    if name == "admin":
        response = login(client, team.org.tenant)
    else:
        email = f"{name}@{team.org.slug}.example.com"
        response = login(client, team.org.tenant, PASSWORD, email)
    assert response.status_code == 302


def page(team) -> str:
    return f"/t/{team.org.slug}/goals/import/"


def upload(client, team, content: bytes, filename: str = "actuals.xlsx"):
    token = csrf_token(client, page(team))
    return client.post(
        page(team),
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def actuals_of(db, schema: str) -> list[GoalActual]:
    with db.tenant(schema) as session:
        found = list(session.scalars(select(GoalActual).order_by(GoalActual.id)))
        session.expunge_all()
        return found


def problems(response) -> list[tuple[int, str, str]]:
    """(row, column, code) of each problem the page lists."""
    text = response.get_data(as_text=True)
    return [
        (int(row), column, code)
        for row, code, column in re.findall(
            r'<tr data-row="(\d+)" data-code="([a-z_]+)" data-column="([a-z_]*)">', text
        )
    ]


# -- through the page ------------------------------------------------------------------------


def test_a_good_file_records_every_actual_with_an_audit_row_each(client, db, team):
    company = goal(db, team, "admin", "营收", unit="WY")
    repairs = goal(db, team, "gc", "报修及时率", unit="GC", direction="lower")
    launch = goal(db, team, "gc", "系统上线", unit="GC", measure="milestone")
    as_user(client, team, "gc")
    content = xlsx(
        [
            [repairs, "报修及时率", 96.5, None, dt.date(2026, 8, 3), "七月"],
            [launch, "系统上线", None, "是", "2026-08-04", None],
            [repairs, None, "1,250.25", None, "2026/8/31", "  月底  "],
        ]
    )
    response = upload(client, team, content)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 actuals recorded." in shown
    recorded = actuals_of(db, team.schema)
    assert [(a.goal_id, a.value, a.done, a.on, a.note) for a in recorded] == [
        (repairs, Decimal("96.5"), None, dt.date(2026, 8, 3), "七月"),
        (launch, None, True, dt.date(2026, 8, 4), None),
        (repairs, Decimal("1250.25"), None, dt.date(2026, 8, 31), "月底"),
    ]
    assert {a.recorded_by for a in recorded} == {team.users["gc"]}
    assert company not in {a.goal_id for a in recorded}
    with db.tenant(team.schema) as session:
        audited = session.scalars(
            select(AuditEntry.record_id).where(AuditEntry.action == "goal.actual")
        ).all()
    assert sorted(audited) == sorted(str(g) for g in (repairs, launch, repairs))


def test_one_bad_row_among_good_ones_records_nothing_and_is_listed(client, db, team):
    repairs = goal(db, team, "gc", unit="GC")
    li = goal(db, team, "li", employee="li")
    as_user(client, team, "gc")
    content = xlsx(
        [
            [repairs, None, 10, None, "2026-08-01", None],
            [li, None, "十二", None, "2026-08-01", None],
            [li, None, 12, None, "2026-08-02", None],
        ]
    )
    response = upload(client, team, content)
    assert response.status_code == 400
    assert problems(response) == [(3, "actual", "bad_number")]
    text = response.get_data(as_text=True)
    assert "1 problem was found. Nothing was recorded" in text
    assert "<code>十二</code>" in text and "Not a number" in text
    assert actuals_of(db, team.schema) == []
    with db.tenant(team.schema) as session:
        audited = select(func.count(AuditEntry.id)).where(AuditEntry.action == "goal.actual")
        assert session.scalar(audited) == 0


def test_every_problem_of_every_row_is_listed_in_the_file_language(client, db, team):
    numeric = goal(db, team, "gc", unit="GC")
    milestone = goal(db, team, "gc", "上线", unit="GC", measure="milestone")
    as_user(client, team, "gc")
    content = xlsx(
        [
            [numeric, None, None, "是", "2026-08-01", None],  # 2: yes/no for a number
            [milestone, None, 5, None, "2026-08-01", None],  # 3: a number for a milestone
            [milestone, None, None, "也许", "2026-13-01", None],  # 4: bad word, bad date
            [None, None, 5, None, None, None],  # 5: no goal id, no date
            [numeric, None, 5, None, "2026-08-01", "x" * 1001],  # 6: note too long
            [None, None, None, None, None, None],  # 7: empty, skipped
            [numeric, None, None, None, None, None],  # 8: nothing to record, skipped
        ],
        headers=EN_HEADERS,
        title="Sheet1",
    )
    response = upload(client, team, content)
    assert response.status_code == 400
    assert problems(response) == [
        (2, "done", "done_for_numeric"),
        (3, "actual", "number_for_milestone"),
        (4, "done", "bad_done"),
        (4, "date", "bad_date"),
        (5, "goal_id", "missing_goal_id"),
        (5, "date", "missing_date"),
        (6, "note", "too_long"),
    ]
    text = response.get_data(as_text=True)
    assert "Too long: at most 1000 characters." in text
    assert ">Sheet1</td>" in text and ">goal id</td>" in text  # the tenant's pages are English
    assert actuals_of(db, team.schema) == []


def test_another_branchs_goal_is_not_found_like_a_goal_that_does_not_exist(client, db, team):
    gc_goal = goal(db, team, "gc", unit="GC")
    bj_goal = goal(db, team, "bj", unit="BJ")
    as_user(client, team, "bj")
    content = xlsx(
        [
            [bj_goal, None, 1, None, "2026-08-01", None],
            [gc_goal, None, 1, None, "2026-08-01", None],
            [999_999, None, 1, None, "2026-08-01", None],
        ]
    )
    response = upload(client, team, content)
    assert response.status_code == 400
    assert problems(response) == [
        (3, "goal_id", "goal_not_found"),
        (4, "goal_id", "goal_not_found"),
    ]
    text = response.get_data(as_text=True)
    assert f"Goal {gc_goal} not found." in text and "Goal 999999 not found." in text
    assert actuals_of(db, team.schema) == []


def test_another_tenants_goal_is_not_found_and_neither_tenant_changes(
    client, db, team, make_tenant
):
    ours = goal(db, team, "admin", unit="WY")
    other = make_org(db, make_tenant)
    with db.tenant(other.schema) as session:
        theirs = [
            service.create_goal(
                session,
                Actor.system("x@example.com", user_id=1),
                GoalData(title=f"别家 {n}", target="1"),
                period=PERIOD,
                unit=session.get(OrgUnit, other.ids["WY"]),
            ).id
            for n in range(ours + 1)
        ]
    foreign = theirs[-1]
    with db.tenant(team.schema) as session:
        assert session.get(Goal, foreign) is None  # an id only the other tenant has
    as_user(client, team, "admin")
    content = xlsx(
        [[ours, None, 1, None, "2026-08-01", None], [foreign, None, 2, None, "2026-08-01", None]]
    )
    response = upload(client, team, content)
    assert response.status_code == 400
    assert problems(response) == [(3, "goal_id", "goal_not_found")]
    assert actuals_of(db, team.schema) == [] and actuals_of(db, other.schema) == []


def test_milestones_take_yes_or_no_in_either_language(client, db, team):
    launch = goal(db, team, "sd", "上线", unit="GC-SD", measure="milestone")
    as_user(client, team, "sd")
    content = xlsx(
        [
            [launch, None, None, "否", "2026-07-01", None],
            [launch, None, None, "yes", "2026-07-15", None],
            [launch, None, None, True, "2026-07-20", None],
            [launch, None, None, "是", "2026-08-01", "验收通过"],
        ]
    )
    assert upload(client, team, content).status_code == 303
    assert [(a.done, a.value) for a in actuals_of(db, team.schema)] == [
        (False, None),
        (True, None),
        (True, None),
        (True, None),
    ]


def test_excel_date_cells_and_text_dates(client, db, team):
    li = goal(db, team, "li", employee="li")
    as_user(client, team, "li")
    content = xlsx(
        [
            [li, None, 1, None, dt.datetime(2026, 7, 3, 0, 0), None],
            [li, None, 2, None, dt.date(2026, 7, 4), None],
            [li, None, 3, None, "2026-08-03", None],
            [li, None, 4, None, "2026/8/4", None],
            [li, None, 5, None, "2026年8月5日", None],
        ]
    )
    assert upload(client, team, content).status_code == 303
    assert [a.on for a in actuals_of(db, team.schema)] == [
        dt.date(2026, 7, 3),
        dt.date(2026, 7, 4),
        dt.date(2026, 8, 3),
        dt.date(2026, 8, 4),
        dt.date(2026, 8, 5),
    ]


def test_an_employee_imports_for_their_own_goals_only(client, db, team):
    own = goal(db, team, "li", employee="li")
    team_goal = goal(db, team, "sd", unit="GC-SD")
    as_user(client, team, "li")
    refused = upload(client, team, xlsx([[team_goal, None, 1, None, "2026-08-01", None]]))
    assert refused.status_code == 400
    assert problems(refused) == [(2, "goal_id", "goal_not_found")]
    done = upload(client, team, xlsx([[own, "我的目标", 42, None, "2026-08-01", "完成过半"]]))
    assert done.status_code == 303
    assert [(a.goal_id, a.value, a.recorded_by) for a in actuals_of(db, team.schema)] == [
        (own, Decimal(42), team.users["li"])
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"goal id,actual,date\r\n1,2,2026-08-01\r\n", "actuals.csv", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "actuals.xls", "old Excel 97"),
        (b"PK\x03\x04 not really a zip", "actuals.xlsx", "not an Excel workbook"),
        (b"", "actuals.xlsx", "The file is empty."),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(client, db, team, content, filename, message):
    as_user(client, team, "admin")
    response = upload(client, team, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert actuals_of(db, team.schema) == []


def test_a_file_over_2_mb_is_refused(client, db, team):
    as_user(client, team, "admin")
    response = upload(client, team, b"PK\x03\x04" + b"\0" * actuals.MAX_BYTES)
    assert response.status_code == 400
    assert "larger than 2 MB" in response.get_data(as_text=True)


def test_the_page_documents_the_format_and_needs_a_login(client, team):
    assert client.get(page(team)).status_code in (302, 401)
    as_user(client, team, "li")
    text = client.get(page(team)).get_data(as_text=True)
    for header in (*HEADERS, *EN_HEADERS):
        assert f"<code>{header}</code>" in text
    assert "goals/import/template.xlsx" in text


# -- the template ----------------------------------------------------------------------------


def template(client, team, period: str = PERIOD):
    response = client.get(f"{page(team)}template.xlsx?period={period}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def test_the_template_holds_exactly_the_goals_the_user_may_record_for(client, db, team):
    goal(db, team, "admin", unit="WY")
    goal(db, team, "gc", unit="GC")
    goal(db, team, "bj", unit="BJ")
    mine = [
        goal(db, team, "sd", "班组产值", unit="GC-SD"),
        goal(db, team, "li", "个人产值", employee="li"),
        goal(db, team, "sd", "上线", employee="sd", measure="milestone"),
    ]
    goal(db, team, "sd", "明年", unit="GC-SD", period="2027")
    as_user(client, team, "sd")
    book = template(client, team)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert [normalise(h) for h in rows[0][:6]] == [normalise(h) for h in EN_HEADERS]
    assert [r[0] for r in rows[1:]] == mine
    assert [r[1] for r in rows[1:]] == ["班组产值", "个人产值", "上线"]
    assert [r[6] for r in rows[1:]] == ["水电班组", "li", "sd"]
    assert rows[3][7] == "milestone: yes/no"


def test_a_reader_who_may_record_nothing_gets_an_empty_template(db, team):
    goal(db, team, "gc", unit="GC")
    with db.tenant(team.schema) as session:
        found = actuals.recordable(session, READER, visible_clause(READER.scope))
        assert len(found.seen) == 1 and found.allowed == []


def test_the_filled_in_template_imports(client, db, team):
    numeric = goal(db, team, "gc", "营收", unit="GC")
    milestone = goal(db, team, "gc", "上线", unit="GC", measure="milestone")
    untouched = goal(db, team, "gc", "成本", unit="GC")
    as_user(client, team, "gc")
    book = template(client, team)
    sheet = book.worksheets[0]
    by_id = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(by_id) == {numeric, milestone, untouched}
    by_id[numeric][2].value, by_id[numeric][4].value = 88, dt.date(2026, 8, 3)
    by_id[milestone][3].value, by_id[milestone][4].value = "yes", "2026-08-04"
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, team, buffer.getvalue())
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    recorded = actuals_of(db, team.schema)
    assert [(a.goal_id, a.value, a.done) for a in recorded] == [
        (numeric, Decimal(88), None),
        (milestone, None, True),
    ]


# -- reading and checking, without a page ----------------------------------------------------


def test_headers_may_carry_notes_sit_below_a_title_and_come_in_any_order():
    book = Workbook()
    sheet = book.active
    sheet.append(["2026 年第三季度实际值"])
    sheet.append([])
    sheet.append(["日期（如 2026-08-03）", "说明", "目标编号", "实际值（数值目标填写）", "负责人"])
    sheet.append([dt.date(2026, 8, 3), "好", 7, 12.5, "李工"])
    buffer = io.BytesIO()
    book.save(buffer)
    (line,) = actuals.read_actuals(buffer.getvalue())
    assert line.number == 4
    assert line.values == {
        "date": dt.datetime(2026, 8, 3),
        "note": "好",
        "goal_id": 7,
        "actual": 12.5,
    }


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([["目标", "实际值"], ["营收", 1]], "no_header"),
        ([["目标编号", "实际值"], [1, 1]], "missing_column"),
        ([["目标编号", "goal id", "日期"], [1, 1, "2026-08-01"]], "duplicate_column"),
        ([HEADERS, [1, None, None, None, None, None]], "no_rows"),
        ([HEADERS, *[[1, None, 1, None, "2026-08-01", None]] * 5001], "too_many_rows"),
    ],
)
def test_files_that_cannot_be_read(rows, code):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(UnreadableFile) as caught:
        actuals.read_actuals(buffer.getvalue())
    assert caught.value.code == code


def test_a_goal_seen_but_not_recordable_is_refused_as_not_allowed(db, team):
    gc_goal = goal(db, team, "gc", unit="GC")
    lines = [actuals.Line("s", 2, {"goal_id": gc_goal, "actual": 1, "date": "2026-08-01"})]
    with db.tenant(team.schema) as session:
        checked = actuals.check(
            session, READER, lines, visible_clause(READER.scope), dt.date(2026, 10, 1)
        )
    assert [(p.row, p.column, p.code) for p in checked.problems] == [(2, "goal_id", "not_allowed")]
    assert checked.entries == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
        ("1,234,567.5", Decimal("1234567.5")),
        (" -3 ", Decimal(-3)),
        ("1e3", Decimal(1000)),
    ],
)
def test_numbers_are_read_exactly(raw, expected):
    assert actuals._number(raw) == expected


@pytest.mark.parametrize("raw", ["12,34", "abc", True, "NaN", "1e20", dt.date(2026, 1, 1)])
def test_what_is_not_a_number(raw):
    with pytest.raises(actuals.BadValue):
        actuals._number(raw)


def test_an_upload_over_the_request_limit_gets_the_page_with_the_reason(client, team):
    as_user(client, team, "admin")
    response = upload(client, team, b"PK\x03\x04" + b"\0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than 2 MB" in text and 'id="actuals-upload"' in text


def test_a_template_of_a_period_kaohe_cannot_read_says_so(client, team):
    as_user(client, team, "admin")
    response = client.get(f"{page(team)}template.xlsx?period=2026-Q5", follow_redirects=True)
    assert response.status_code == 200
    assert "2026-Q5 is not a period" in response.get_data(as_text=True)
