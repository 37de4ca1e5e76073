"""Finding people: by name, number and pinyin initials; by unit subtree and status; in pages."""

from __future__ import annotations

from saas.models.org import OrgUnit
from saas.org.access import Scope
from saas.people.employees import EmployeeQuery, search_employees
from tests.people.conftest import ADMIN_SCOPE, add_employee


def numbers(db, org, scope=ADMIN_SCOPE, **query) -> list[str]:
    with db.tenant(org.schema) as session:
        page = search_employees(session, scope, EmployeeQuery(**query))
    return [row.number for row in page.rows]


def test_name_matches_anywhere_in_the_name(db, org):
    assert numbers(db, org, q="三") == ["E101"]
    assert numbers(db, org, q="经理") == ["E100"]


def test_number_matches_as_a_prefix_and_ignores_case(db, org):
    assert numbers(db, org, q="E1") == ["E100", "E101"]
    assert numbers(db, org, q="e10") == ["E100", "E101"]
    assert numbers(db, org, q="101") == []  # not a prefix


def test_pinyin_initials_match_as_a_prefix(db, org):
    assert numbers(db, org, q="zsf") == ["E101"]
    assert numbers(db, org, q="ZS") == ["E101"]
    assert numbers(db, org, q="lxh") == ["E200"]
    assert numbers(db, org, q="sf") == []  # initials match from the start only


def test_like_wildcards_in_the_search_are_literal(db, org):
    assert numbers(db, org, q="%") == []
    assert numbers(db, org, q="_") == []


def test_unit_filter_takes_the_whole_subtree(db, org):
    assert numbers(db, org, unit=org.company) == ["E100", "E101", "E200"]
    assert numbers(db, org, unit=org.logistics) == ["E100", "E101"]
    assert numbers(db, org, unit=org.canteen) == ["E101"]
    assert numbers(db, org, unit=org.office) == ["E200"]
    assert numbers(db, org, unit=987654) == []


def test_unit_filter_does_not_match_a_sibling_whose_id_shares_a_prefix(db, org):
    """Paths end in '/', so unit 2's subtree is '…/2/%', never '…/21/'."""
    with db.tenant(org.schema) as session:
        company = session.get(OrgUnit, org.company)
        prefix, unit = str(org.logistics), None
        # Add siblings until one's id starts with the logistics unit's id (2 → 2x).
        while unit is None or not (str(unit.id).startswith(prefix) and unit.id != org.logistics):
            unit = OrgUnit(
                name="班组",
                code=f"S{0 if unit is None else unit.id}",
                kind="team",
                parent_id=company.id,
                path="",
            )
            session.add(unit)
            session.flush()
            unit.path = f"{company.path}{unit.id}/"
        add_employee(session, "E900", "周九", unit)
    assert numbers(db, org, unit=unit.id) == ["E900"]
    assert numbers(db, org, unit=org.logistics) == ["E100", "E101"]


def test_status_filter(db, org):
    with db.tenant(org.schema) as session:
        from saas.models.people import Employee

        session.get(Employee, org.clerk).status = "left"
        session.get(Employee, org.cook).status = "on_leave"
    assert numbers(db, org, status="left") == ["E200"]
    assert numbers(db, org, status="on_leave") == ["E101"]
    assert numbers(db, org, status="active") == ["E100"]
    assert numbers(db, org, status="on_leave", q="zsf", unit=org.logistics) == ["E101"]


def test_pagination_counts_and_pages(db, org):
    with db.tenant(org.schema) as session:
        office = session.get(OrgUnit, org.office)
        for i in range(117):
            add_employee(session, f"P{i:04d}", f"员工{i}", office)
    with db.tenant(org.schema) as session:
        first = search_employees(session, ADMIN_SCOPE, EmployeeQuery(q="P"))
        last = search_employees(session, ADMIN_SCOPE, EmployeeQuery(q="P", page=3))
        beyond = search_employees(session, ADMIN_SCOPE, EmployeeQuery(q="P", page=99))
    assert (first.total, first.pages, len(first.rows)) == (117, 3, 50)
    assert (first.first, first.last) == (1, 50)
    assert first.rows[0].number == "P0000"
    assert (last.page, len(last.rows), last.first, last.last) == (3, 17, 101, 117)
    assert last.rows[-1].number == "P0116"
    # A page past the end shows the last page rather than nothing.
    assert beyond.page == 3 and beyond.rows == last.rows
    assert first.window() == [1, 2, 3]


def test_page_window_shows_gaps():
    from saas.paging import Page as EmployeePage

    page = EmployeePage(rows=[], total=50 * 20, page=10)
    assert page.window() == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_rows_carry_unit_and_level_names(db, org):
    with db.tenant(org.schema) as session:
        (row,) = search_employees(session, ADMIN_SCOPE, EmployeeQuery(q="zsf")).rows
    assert (row.unit_name, row.level_name, row.position) == ("餐饮班组", "员工", "厨师")


def test_a_manager_finds_only_their_subtree(db, org):
    with db.tenant(org.schema) as session:
        path = session.get(OrgUnit, org.logistics).path
    scope = Scope(read_all=False, write_all=False, managed_paths=(path,), employee_id=org.boss)
    assert numbers(db, org, scope=scope) == ["E100", "E101"]
    assert numbers(db, org, scope=scope, unit=org.office) == []
    assert numbers(db, org, scope=scope, q="lxh") == []


def test_query_string_is_parsed_tolerantly_and_round_trips():
    query = EmployeeQuery.from_args({"q": "  张  三 ", "unit": "7", "status": "left", "page": "2"})
    assert query == EmployeeQuery(q="张 三", unit=7, status="left", page=2)
    assert query.args(page=3) == {"q": "张 三", "unit": 7, "status": "left", "page": 3}
    junk = EmployeeQuery.from_args({"unit": "x'; drop", "status": "gone", "page": "-4"})
    assert junk == EmployeeQuery()
    assert junk.args() == {}
