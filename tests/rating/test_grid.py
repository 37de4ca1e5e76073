"""The department grid: the page, a cell saved per scoring mode (two statements), the whole
grid posted at once (all or nothing), "submit all complete rows", and who reaches what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from saas.models.audit import AuditEntry
from saas.models.cycle import Cycle, RatingSheet
from saas.models.user import Role
from saas.rating.grid import cell_field
from tenants.resolver import TenantResolver
from tests.conftest import csrf_token, login
from tests.org.conftest import add_user
from tests.rating.grid_setup import SOURCE, STAFF, STORED, TOTAL, TYPED, build


@pytest.fixture
def world(db, make_tenant):
    return build(db, make_tenant)


@pytest.fixture
def manager(app, world):
    return world.log_in(app.test_client())


def _token(client, world) -> str:
    return csrf_token(client, world.url())


def _values(db, world, sheet_id: int) -> tuple[dict, str]:
    with db.tenant(world.schema) as session:
        sheet = session.get(RatingSheet, sheet_id)
        return dict(sheet.values), sheet.status


def _save(client, world, token, sheet, key, value):
    return client.post(
        world.url("/cell"),
        data={"sheet": sheet, "key": key, "value": value},
        headers={"X-CSRFToken": token},
    )


# -- the page ---------------------------------------------------------------------------------


def test_the_page_shows_each_person_and_each_rated_item_with_its_mode_and_maximum(manager, world):
    html = manager.get(world.url()).get_data(as_text=True)
    rows = re.findall(r'<tr data-row data-sheet="(\d+)"', html)
    assert [int(r) for r in rows] == world.sheets
    for name in STAFF:
        assert name in html
    cells = re.findall(r"<(input|select)\b[^>]*data-cell[^>]*>", html)
    assert len(cells) == len(STAFF) * 6
    first = world.sheets[0]

    def attributes(key: str) -> str:
        found = re.search(rf'<(?:input|select) [^>]*name="{cell_field(first, key)}"[^>]*>', html)
        assert found, key
        return found.group(0)

    expected = {
        "A1": ("points", "10", "0", "20"),
        "A2": ("yes_no", "5", "0", "20"),
        "A3": ("scale", "5", "0", "20"),
        "B": ("points", "10", "1", "10"),
        "C1": ("deduction", "10", "2", "20"),
        "C2": ("critical", "10", "2", "20"),
    }
    for key, (mode, top, section, section_max) in expected.items():
        tag = attributes(key)
        assert f'data-mode="{mode}"' in tag
        assert f'data-max="{top}"' in tag
        assert f'data-section="{section}"' in tag
        assert f'data-section-max="{section_max}"' in tag
    assert 'data-per="2"' in attributes("C1") and 'data-floor="0"' in attributes("C1")
    assert attributes("A3").startswith("<select") and attributes("A2").startswith("<select")
    assert 'inputmode="decimal"' in attributes("A1")
    assert 'data-points="3"' in html  # the scale's 良
    # Headers: each column's maximum, and a section rated as a whole as one column.
    assert "max 10, times" in html and "Service" in html and "max 20" in html
    assert 'src="/static/grid.js"' in html


def test_the_index_lists_the_grids_of_open_cycles(manager, world):
    html = manager.get(f"/t/{world.slug}/rating/grid/").get_data(as_text=True)
    assert world.url() in html and "0 / 5" in html


# -- one cell at a time -----------------------------------------------------------------------


def test_each_scoring_mode_saves_through_a_cell(manager, world, db):
    token = _token(manager, world)
    sheet = world.sheets[0]
    for key, typed in TYPED.items():
        response = _save(manager, world, token, sheet, key, typed)
        assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["total"] == TOTAL and answer["status"] == "draft" and answer["missing"] == 0
    values, status = _values(db, world, sheet)
    assert values == STORED and status == "draft"
    # Emptying a cell removes the value.
    answer = _save(manager, world, token, sheet, "A1", "").get_json()
    assert answer["total"] == "21" and answer["missing"] == 1
    assert "A1" not in _values(db, world, sheet)[0]


def test_a_section_total_is_capped_at_its_maximum(manager, world):
    token = _token(manager, world)
    sheet = world.sheets[1]
    for key, typed in {"A1": "10", "A2": "是", "A3": "优"}.items():
        answer = _save(manager, world, token, sheet, key, typed).get_json()
    assert answer["total"] == "20"  # 10 + 5 + 5, the section's maximum


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("A1", "10.5", "Enter a number from 0 to 10."),
        ("A1", "1.234", "At most two decimals."),
        ("A2", "maybe", "Answer yes or no."),
        ("A3", "中", "Choose one of: 优、良、差."),
        ("C1", "1.5", "Enter how many times"),
        ("C2", "x?", "Answer yes or no."),
        ("ZZ", "1", "This grid has no such column."),
    ],
)
def test_a_bad_value_is_refused_with_its_message_and_nothing_is_saved(
    manager, world, db, key, typed, message
):
    token = _token(manager, world)
    sheet = world.sheets[0]
    assert _save(manager, world, token, sheet, "B", "5").status_code == 200
    response = _save(manager, world, token, sheet, key, typed)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert _values(db, world, sheet)[0] == {"B": "5"}


def test_a_cell_save_costs_at_most_two_statements(app, db, manager, world, monkeypatch):
    monkeypatch.setitem(app.extensions, "kaohe.tenants", TenantResolver(db, cache_seconds=600))
    token = _token(manager, world)
    _save(manager, world, token, world.sheets[0], "A1", "1")  # the tenant is cached now
    engine = app.extensions["kaohe.db"].engine
    statements: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        response = _save(manager, world, token, world.sheets[0], "A1", "9.25")
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    assert response.status_code == 200
    principal = [s for s in statements if "user_role.role" in s]
    registry = [s for s in statements if "public.tenant" in s]
    own = [s for s in statements if s not in principal and s not in registry]
    assert len(principal) == 1 and registry == []
    assert len(own) <= 2, own
    assert own[-1].lstrip().upper().startswith("UPDATE")


def test_the_page_reads_the_grid_in_two_statements(app, db, manager, world, monkeypatch):
    monkeypatch.setitem(app.extensions, "kaohe.tenants", TenantResolver(db, cache_seconds=600))
    manager.get(world.url())
    engine = app.extensions["kaohe.db"].engine
    statements: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        assert manager.get(world.url()).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    own = [s for s in statements if "user_role.role" not in s and "public.tenant" not in s]
    assert len(own) == 2, own


def test_a_draft_cycle_has_no_grid_yet(manager, world, db):
    with db.tenant(world.schema) as session:
        session.get(Cycle, world.cycle_id).status = "draft"
    assert manager.get(world.url()).status_code == 404


def test_a_submitted_sheet_or_a_closed_cycle_takes_no_cell(manager, world, db):
    token = _token(manager, world)
    with db.tenant(world.schema) as session:
        sheet = session.get(RatingSheet, world.sheets[0])
        sheet.status, sheet.submitted_at = "submitted", sheet.created_at
    response = _save(manager, world, token, world.sheets[0], "A1", "5")
    assert response.status_code == 403 and "submitted" in response.get_json()["error"]
    with db.tenant(world.schema) as session:
        session.get(Cycle, world.cycle_id).status = "scoring"
    response = _save(manager, world, token, world.sheets[1], "A1", "5")
    assert response.status_code == 403 and "not open" in response.get_json()["error"]
    assert _values(db, world, world.sheets[1])[0] == {}
    # The page is still there to read, without inputs to type in.
    html = manager.get(world.url()).get_data(as_text=True)
    assert "not open for rating" in html and "Submit all complete rows" not in html


def test_another_raters_sheet_is_not_found(manager, world, db):
    token = _token(manager, world)
    for sheet, path_source in ((world.other_sheet, SOURCE), (world.sheets[0], "peer")):
        response = manager.post(
            world.url("/cell", source=path_source),
            data={"sheet": sheet, "key": "A1", "value": "5"},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 404
    assert _values(db, world, world.other_sheet)[0] == {}


# -- the whole grid at once, and submitting ------------------------------------------------------


def test_the_grid_posted_without_javascript_saves_all_or_nothing(manager, world, db):
    token = _token(manager, world)
    good = {cell_field(world.sheets[0], key): typed for key, typed in TYPED.items()}
    bad = {**good, cell_field(world.sheets[1], "A1"): "12"}
    response = manager.post(world.url(), data={"csrf_token": token, **bad})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html and "Enter a number from 0 to 10." in html
    assert 'aria-invalid="true"' in html and 'value="12"' in html
    assert _values(db, world, world.sheets[0])[0] == {}
    response = manager.post(world.url(), data={"csrf_token": token, **good})
    assert response.status_code == 302
    assert _values(db, world, world.sheets[0]) == (STORED, "draft")
    with db.tenant(world.schema) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.record_type == "rating_sheet",
                AuditEntry.record_id == str(world.sheets[0]),
            )
        ).all()
    assert actions == ["rating_sheet.grid_save"]


def test_submit_all_complete_rows_submits_those_and_lists_the_others(manager, world, db):
    token = _token(manager, world)
    for key, typed in TYPED.items():
        _save(manager, world, token, world.sheets[0], key, typed)
    _save(manager, world, token, world.sheets[1], "A1", "3")
    response = manager.post(world.url("/submit"), data={"csrf_token": token})
    assert response.status_code == 302
    html = manager.get(world.url()).get_data(as_text=True)
    assert "1 rating submitted." in html
    assert all(name in html for name in STAFF[1:])  # listed as not complete
    assert _values(db, world, world.sheets[0])[1] == "submitted"
    assert _values(db, world, world.sheets[1])[1] == "draft"
    with db.tenant(world.schema) as session:
        sheet = session.get(RatingSheet, world.sheets[0])
        assert sheet.submitted_at is not None
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rating_sheet.grid_submit")
        ).all()
    assert [a.record_id for a in audit] == [str(world.sheets[0])]
    assert audit[0].after == {"status": "submitted", "total": TOTAL}
    # The submitted row's cells are locked on the page.
    row = re.search(rf'data-sheet="{world.sheets[0]}".*?</tr>', html, re.S).group(0)
    assert row.count("disabled") == 6


# -- who reaches what -----------------------------------------------------------------------------


def test_a_manager_sees_only_the_sheets_assigned_to_them(app, world):
    other = world.log_in(app.test_client(), world.other_email)
    html = other.get(world.url()).get_data(as_text=True)
    assert "赵保洁" in html and not any(name in html for name in STAFF)
    assert re.findall(r'data-sheet="(\d+)"', html) == [str(world.other_sheet)]


def test_someone_without_sheets_here_finds_no_grid(app, world, db):
    with db.tenant(world.schema) as session:
        add_user(session, "clerk@grid.example.com", Role.EMPLOYEE)
    clerk = world.log_in(app.test_client(), "clerk@grid.example.com")
    token = csrf_token(clerk, f"/t/{world.slug}/rating/grid/")
    assert clerk.get(world.url()).status_code == 404
    assert clerk.get(world.url("/grid.xlsx")).status_code == 404
    assert clerk.post(world.url("/submit"), data={"csrf_token": token}).status_code == 404
    assert _save(clerk, world, token, world.sheets[0], "A1", "5").status_code == 404


def test_another_tenants_user_gets_404_on_every_grid_route(app, world, db, make_tenant):
    stranger_tenant = make_tenant(locale="en")
    stranger = app.test_client()
    login(stranger, stranger_tenant)
    own = f"/t/{stranger_tenant.slug}/rating/grid/{world.cycle_id}/{SOURCE}"
    token = csrf_token(stranger, f"/t/{stranger_tenant.slug}/rating/grid/")
    # Their own tenant has no such cycle or sheets: every route is not found.
    assert stranger.get(own).status_code == 404
    assert stranger.get(own + "/grid.xlsx").status_code == 404
    for path, data in (
        ("", {}),
        ("/cell", {"sheet": world.sheets[0], "key": "A1", "value": "5"}),
        ("/submit", {}),
        ("/upload", {}),
    ):
        assert stranger.post(own + path, data={"csrf_token": token, **data}).status_code == 404
    # And this tenant's URLs do not take them in.
    response = stranger.get(world.url())
    assert response.status_code in (302, 404)
    assert _values(db, world, world.sheets[0])[0] == {}
