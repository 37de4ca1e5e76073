"""The grid as Excel: download → fill in with openpyxl → upload gives the same stored values
as typing them in the grid; anything wrong in the file — one bad cell among good ones,
another rater's row, a submitted row, an unknown column, a changed layout, a formula, a
file too large or not a workbook — is refused whole, named by row and column in the
rater's language, and nothing is written."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from saas.models.audit import AuditEntry
from saas.models.cycle import RatingSheet
from tests.conftest import csrf_token
from tests.rating.grid_setup import STAFF, STORED, build

# In the file: yes/no as the file's words, numbers as numbers.
FILLED_EN = {"A1": 8.5, "A2": "yes", "A3": "良", "B": 7, "C1": 2, "C2": "no"}
COLUMNS = ("A1", "A2", "A3", "B", "C1", "C2")
FIRST = 3  # the first person's row: instructions, then headers


@pytest.fixture
def world(db, make_tenant):
    return build(db, make_tenant)


@pytest.fixture
def manager(app, world):
    return world.log_in(app.test_client())


def _download(client, world):
    response = client.get(world.url("/grid.xlsx"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, world, content: bytes, name: str = "grid.xlsx"):
    token = csrf_token(client, world.url())
    return client.post(
        world.url("/upload"),
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _fill(sheet, row: int, values: dict) -> None:
    for offset, key in enumerate(COLUMNS, start=5):
        if key in values:
            sheet.cell(row, offset, values[key])


def _stored(db, world) -> dict[int, dict]:
    with db.tenant(world.schema) as session:
        found = session.execute(
            select(RatingSheet.id, RatingSheet.values).where(
                RatingSheet.id.in_([*world.sheets, world.other_sheet])
            )
        ).all()
    return {sheet: dict(values) for sheet, values in found}


def _nothing_written(db, world) -> None:
    assert all(values == {} for values in _stored(db, world).values())


def test_the_file_has_instructions_a_hidden_id_column_headers_with_maxima_and_lists(manager, world):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    assert "One row per person" in sheet.cell(1, 1).value
    headers = [cell.value for cell in sheet[2]]
    assert headers == [
        "ID",
        "Number",
        "Person assessed",
        "Unit",
        "Punctuality (max 10)",
        "Uniform (max 5)",
        "Courtesy (max 5)",
        "Service (max 10)",
        "Late arrivals (max 10; times)",
        "No accident (max 10)",
    ]
    assert sheet.column_dimensions["A"].hidden
    assert [sheet.cell(row, 1).value for row in range(FIRST, FIRST + 5)] == world.sheets
    assert [sheet.cell(row, 3).value for row in range(FIRST, FIRST + 5)] == list(STAFF)
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    kinds = {ref[0]: rule.type for ref, rule in rules.items()}
    assert kinds == {
        "E": "decimal",
        "F": "list",
        "G": "list",
        "H": "decimal",
        "I": "whole",
        "J": "list",
    }
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    columns = {
        lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, 5)] for c in range(1, 4)
    }
    assert columns["Courtesy (max 5)"] == ["优", "良", "差"]
    assert columns["Uniform (max 5)"][:2] == ["yes", "no"]


def test_round_trip_every_mode_stores_what_the_grid_would(manager, world, db):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    for row in range(FIRST, FIRST + 5):
        _fill(sheet, row, FILLED_EN)
    response = _upload(manager, world, _bytes(book))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = manager.get(world.url()).get_data(as_text=True)
    assert "File uploaded: 30 cells changed" in page
    stored = _stored(db, world)
    assert [stored[sheet_id] for sheet_id in world.sheets] == [STORED] * 5
    assert stored[world.other_sheet] == {}
    # Downloaded again, the file shows what was stored; uploaded unchanged, nothing changes.
    again = _download(manager, world)
    values = [again.worksheets[0].cell(FIRST, c).value for c in range(5, 11)]
    assert values == [8.5, "yes", "良", 7, 2, "no"]
    assert _upload(manager, world, _bytes(again)).status_code == 302
    assert "0 cells changed" in manager.get(world.url()).get_data(as_text=True)
    with db.tenant(world.schema) as session:
        uploads = session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "rating_sheet.upload").limit(1)
        )
    assert uploads is not None


def test_the_chinese_file_uses_chinese_words_and_names_a_bad_cell_in_chinese(app, world, db):
    client = world.log_in(app.test_client())
    token = csrf_token(client, world.url())
    client.post("/lang", data={"csrf_token": token, "lang": "zh_CN"})
    book = _download(client, world)
    sheet = book.worksheets[0]
    assert sheet.cell(2, 2).value != "Number"  # the headers are in Chinese
    _fill(sheet, FIRST, {**FILLED_EN, "A2": "是", "C2": "否"})
    _fill(sheet, FIRST + 2, {"A1": 11})
    response = _upload(client, world, _bytes(book))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "第 5 行「Punctuality」：" in html
    _nothing_written(db, world)


def test_one_bad_cell_among_good_ones_commits_nothing(manager, world, db):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    for row in range(FIRST, FIRST + 5):
        _fill(sheet, row, FILLED_EN)
    sheet.cell(FIRST + 3, 6, "perhaps")  # row 6, Uniform
    sheet.cell(FIRST + 4, 7, "中")  # row 7, Courtesy
    response = _upload(manager, world, _bytes(book))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert "Row 6, “Uniform”: Answer yes or no." in html
    assert "Row 7, “Courtesy”: Choose one of: 优、良、差." in html
    _nothing_written(db, world)


def _with_row_of(manager, world, sheet_id: int):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    _fill(sheet, FIRST, FILLED_EN)
    sheet.cell(FIRST + 5, 1, sheet_id)
    sheet.cell(FIRST + 5, 3, "someone")
    _fill(sheet, FIRST + 5, FILLED_EN)
    return book


def test_another_raters_row_is_refused(manager, world, db):
    response = _upload(manager, world, _bytes(_with_row_of(manager, world, world.other_sheet)))
    assert response.status_code == 400
    assert "Row 8: this row is not one of the ratings assigned to you." in response.get_data(
        as_text=True
    )
    _nothing_written(db, world)


def test_a_submitted_row_is_refused(manager, world, db):
    book = _download(manager, world)
    with db.tenant(world.schema) as session:
        sheet = session.get(RatingSheet, world.sheets[1])
        sheet.status, sheet.submitted_at = "submitted", sheet.created_at
    _fill(book.worksheets[0], FIRST, FILLED_EN)
    _fill(book.worksheets[0], FIRST + 1, FILLED_EN)
    response = _upload(manager, world, _bytes(book))
    assert response.status_code == 400
    assert f"Row 4: {STAFF[1]}'s rating is already submitted." in response.get_data(as_text=True)
    assert _stored(db, world)[world.sheets[0]] == {}


def test_a_row_twice_is_refused(manager, world, db):
    response = _upload(manager, world, _bytes(_with_row_of(manager, world, world.sheets[0])))
    assert "Row 8: this person appears twice in the file." in response.get_data(as_text=True)
    _nothing_written(db, world)


def test_an_unknown_column_or_a_changed_layout_is_refused(manager, world, db):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    _fill(sheet, FIRST, FILLED_EN)
    sheet.cell(2, 11, "Bonus")
    response = _upload(manager, world, _bytes(book))
    assert "Column “Bonus” is not a column of this grid." in response.get_data(as_text=True)
    book = _download(manager, world)
    sheet = book.worksheets[0]
    _fill(sheet, FIRST, FILLED_EN)
    first, second = sheet.cell(2, 5).value, sheet.cell(2, 6).value
    sheet.cell(2, 5, second)
    sheet.cell(2, 6, first)
    response = _upload(manager, world, _bytes(book))
    assert response.status_code == 400
    assert "header row was changed" in response.get_data(as_text=True)
    book = _download(manager, world)
    book.worksheets[0].delete_cols(1)  # the hidden ID column
    assert "header row was changed" in _upload(manager, world, _bytes(book)).get_data(as_text=True)
    _nothing_written(db, world)


def test_a_formula_is_refused(manager, world, db):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    _fill(sheet, FIRST, FILLED_EN)
    sheet.cell(FIRST + 1, 5, "=4+4")
    response = _upload(manager, world, _bytes(book))
    assert response.status_code == 400
    assert "Row 4, “Punctuality (max 10)”: formulas are not accepted" in response.get_data(
        as_text=True
    )
    _nothing_written(db, world)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"number,name\n1,2\n", "grid.csv", "This is not an Excel (.xlsx) file."),
        (b"PK\x03\x04 broken", "grid.xlsx", "This is not an Excel (.xlsx) file."),
        (b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), "grid.xlsx", "larger than 2 MB"),
    ],
    ids=["csv", "broken zip", "too large"],
)
def test_a_file_that_is_not_the_grid_is_refused(manager, world, db, content, name, message):
    response = _upload(manager, world, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    _nothing_written(db, world)


def test_more_rows_than_the_grid_or_no_file_is_refused(manager, world, db):
    book = _download(manager, world)
    sheet = book.worksheets[0]
    for row in range(FIRST, FIRST + 80):
        sheet.cell(row, 1, world.sheets[0])
        _fill(sheet, row, FILLED_EN)
    response = _upload(manager, world, _bytes(book))
    assert "more rows than the grid" in response.get_data(as_text=True)
    token = csrf_token(manager, world.url())
    response = manager.post(world.url("/upload"), data={"csrf_token": token})
    assert response.status_code == 400
    _nothing_written(db, world)
