"""Each kind of input that once answered with a 500 now gets a clear 4xx, a form error in the
user's language, or the page it meant; and error pages keep the tenant's layout and menu.

The walk over every route (test_hostile_input.py) looks for 5xx everywhere; these tests pin
down what each of the cases found by hand answers."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from saas.models.goal import Goal, GoalActual
from saas.models.people import Employee
from saas.models.user import Role
from saas.schemes.templates import load_template
from saas.validation import finite_decimal, page_number, record_id
from tenants.slugs import schema_for
from tests.goals.test_import_actuals import xlsx
from tests.web.world import SCHEME_TEMPLATE, World, build_world

HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def world(app, db, settings) -> World:
    return build_world(app, db, settings, "bad")


def admin(world: World):
    return world.clients[Role.TENANT_ADMIN]


def post(world: World, path: str, data: dict, **options):
    data = {"csrf_token": world.tokens[Role.TENANT_ADMIN], **data}
    return admin(world).post(f"/t/{world.slug}/{path}", data=data, **options)


def upload(world: World, path: str, content: bytes, name: str, **fields):
    files = {**fields, "file": (io.BytesIO(content), name)}
    return post(world, path, files, content_type="multipart/form-data")


def in_chinese(world: World) -> None:
    post_lang(world, "zh_CN")


def post_lang(world: World, lang: str) -> None:
    token = world.tokens[Role.TENANT_ADMIN]
    assert admin(world).post("/lang", data={"lang": lang, "csrf_token": token}).status_code == 302


@pytest.fixture
def chinese(world):
    in_chinese(world)
    yield
    post_lang(world, "en")


def count(db, world: World, model) -> int:
    with db.tenant(schema_for(world.slug)) as session:
        return session.scalar(select(func.count()).select_from(model))


# -- the number readers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),  # str.isdigit() is true for it; int() refuses it
        ("٣", None),  # int() reads it as 3: an id is written 0-9
        ("１２", None),
        ("-1", None),
        ("0", None),
        ("2147483647", 2147483647),
        ("2147483648", None),  # past PostgreSQL's integer
        ("99999999999", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_record_id_takes_ascii_digits_within_the_database_range(text, expected):
    assert record_id(text) == expected


def test_a_page_number_is_the_first_page_unless_it_is_one():
    assert [page_number(v) for v in ("3", "²", "0", "-2", "99999999999", None)] == [
        3,
        1,
        1,
        1,
        1,
        1,
    ]


@pytest.mark.parametrize(
    "text", ["1e999999999", "-1e999999999", "1e-999999999", "NaN", "sNaN", "-Infinity", "x" * 60]
)
def test_finite_decimal_refuses_what_no_arithmetic_survives(text):
    assert finite_decimal(text) is None


def test_finite_decimal_reads_plain_numbers_and_bounds_them():
    from decimal import Decimal

    assert finite_decimal(" 12.50 ") == Decimal("12.50")
    assert finite_decimal("-3") == Decimal(-3)
    assert finite_decimal("0e-999999999") == 0
    assert finite_decimal("1e13", below=Decimal("1e14")) == Decimal("1e13")
    assert finite_decimal("1e14", below=Decimal("1e14")) is None


# -- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/t/no-such-tenant/org/", "/t/NO_SUCH/org/units/1", "/t/x/org/units/1/row", "/t/ab/people/"],
)
def test_an_unknown_or_invalid_tenant_is_a_plain_404(app, world, path):
    response = admin(world).get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "此地址下没有内容。" in body  # no tenant: the default language
    assert 'class="menu"' not in body and "权限测试" not in body  # no tenant, no menu


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # An id past the database's range, or not in ASCII digits, names no record.
        ("org/units/99999999999", 404),
        ("org/units/2147483648/edit", 404),
        ("org/units/٣", 404),
        ("goals/99999999999", 404),
        ("people/99999999999", 404),
        ("imports/99999999999", 404),
        ("schemes/v/99999999999", 404),
        # Nonsense in a list's query string still shows the list.
        ("people/?unit=²", 200),
        ("people/?page=²", 200),
        ("people/?unit=99999999999&page=99999999999", 200),
        ("people/?q=a%00b", 200),
        ("audit/?page=²", 200),
        ("audit/?page=99999999999", 200),
        ("goals/?unit=²&employee=99999999999", 200),
        ("org/?focus=²", 200),
        ("imports/?page=²", 200),
    ],
)
def test_nonsense_in_an_address(world, path, status):
    assert admin(world).get(f"/t/{world.slug}/{path}").status_code == status


def test_a_404_on_a_known_tenant_keeps_its_layout_and_menu(world):
    for path in ("org/units/99999999999", "no/such/page"):
        response = admin(world).get(f"/t/{world.slug}/{path}")
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "There is nothing at this address." in body
        nav = re.search(r'<ul class="menu">.*?</ul>', body, re.S)
        assert nav is not None and f'href="/t/{world.slug}/org/"' in nav.group(0)
        assert "权限测试" in body  # the tenant's name in the top bar


def test_a_404_on_a_known_tenant_shows_no_menu_to_a_visitor(world):
    response = world.clients[None].get(f"/t/{world.slug}/no/such/page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and 'class="menu"' not in body


def test_a_404_page_is_in_the_user_s_language(world, chinese):
    body = admin(world).get(f"/t/{world.slug}/no/such/page").get_data(as_text=True)
    assert "此地址" in body and "There is nothing" not in body


# -- query strings and headers ---------------------------------------------------------------


def test_nul_is_taken_out_of_every_query_parameter_and_form_field(world, db):
    body = admin(world).get(f"/t/{world.slug}/people/?q=%00A-%00emp").get_data(as_text=True)
    assert "A-employee" in body  # the search was for "A-emp"
    unit_id = str(world.ids[None]["parent_id"])
    response = post(
        world, "people/new", {"number": "N\x00UL-1", "name": "零\x00字符", "unit_id": unit_id}
    )
    assert response.status_code == 302
    with db.tenant(schema_for(world.slug)) as session:
        assert session.scalar(select(Employee.name).where(Employee.number == "NUL-1")) == "零字符"


def test_bytes_that_are_not_utf8_in_the_query_are_read_as_escapes(world):
    raw = {"QUERY_STRING": b"q=\xff\xfe&page=\xff".decode("latin-1")}
    response = admin(world).get(f"/t/{world.slug}/people/", environ_overrides=raw)
    assert response.status_code == 200


@pytest.mark.parametrize("current", ["http://[::1", "http://[x]/?archived=1", "%"])
def test_a_malformed_current_url_header_gives_the_page_s_defaults(world, current):
    headers = {**HTMX, "HX-Current-URL": current}
    parent = world.ids[None]["parent_id"]
    for path in ("org/", f"org/units/{parent}/children"):
        response = admin(world).get(f"/t/{world.slug}/{path}", headers=headers)
        assert response.status_code == 200, path


@pytest.mark.parametrize("target", ["/a\r\nb", "/a\nSet-Cookie: x=1", "/\x7f", "http://[::1"])
def test_a_language_switch_to_a_broken_address_goes_home(world, target):
    token = world.tokens[Role.TENANT_ADMIN]
    response = admin(world).post("/lang", data={"lang": "en", "next": target, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# -- forms --------------------------------------------------------------------------------------


def test_a_unit_move_to_a_superscript_digit_is_a_form_error(world, chinese):
    response = post(world, f"org/units/{world.ids[None]['unit_id']}/move", {"parent": "²"})
    assert response.status_code == 400
    assert "请从列表中选择部门。" in response.get_data(as_text=True)


@pytest.mark.parametrize("parent", ["²", "99999999999", "-1"])
def test_a_goal_move_under_no_real_goal_is_a_form_error(world, parent):
    goal = world.ids[None]["goal_id"]
    response = post(world, f"goals/{goal}/move", {"parent": parent})
    assert response.status_code == 400
    # Not an id at all: as if nothing was chosen, and the goal keeps its parent.
    assert "Choose the goal to move it under." in response.get_data(as_text=True)


def test_a_goal_cascade_to_no_real_unit_is_a_form_error(world):
    goal = world.ids[None]["goal_id"]
    response = post(world, f"goals/{goal}/cascade", {"unit": ["²", "99999999999"]})
    assert response.status_code == 400
    assert "Choose the units or people to cascade the goal to." in response.get_data(as_text=True)


def test_a_goal_for_no_real_owner_is_refused_with_a_message(world, db):
    before = count(db, world, Goal)
    response = post(world, "goals/new", {"owner": "unit:²", "title": "x"}, follow_redirects=True)
    assert "Choose whose goal it is." in response.get_data(as_text=True)
    assert count(db, world, Goal) == before


@pytest.mark.parametrize("target", ["1e999999999", "-1e999999999", "1e-999999999", "NaN", "1e14"])
def test_a_goal_target_no_arithmetic_survives_is_a_form_error(world, db, target):
    goal = world.ids[None]["goal_id"]
    response = post(world, f"goals/{goal}/edit", {"title": "营收", "target": target})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a number." in body
    before = count(db, world, Goal)
    post(world, "goals/new", {"owner": f"unit:{world.ids[None]['parent_id']}", "target": target})
    assert count(db, world, Goal) == before


@pytest.mark.parametrize("value", ["1e999999999", "Infinity", "NaN"])
def test_an_actual_no_arithmetic_survives_is_a_form_error(world, db, value, chinese):
    goal = world.ids[None]["goal_id"]
    response = post(world, f"goals/{goal}/actuals", {"value": value, "on": "2026-08-03"})
    assert response.status_code == 400
    assert "请输入数字。" in response.get_data(as_text=True)
    assert count(db, world, GoalActual) == 0


def test_an_imported_actual_no_arithmetic_survives_is_a_problem_of_its_row(world, db):
    goal = world.ids[None]["goal_id"]
    content = xlsx([[goal, "营收", "1e999999999", "", "2026-08-03", ""]])
    response = upload(world, "goals/import/", content, "actuals.xlsx")
    assert response.status_code == 400
    assert count(db, world, GoalActual) == 0


@pytest.mark.parametrize("rating", ["1e400", "1e999999999", "NaN", "-Infinity"])
def test_a_preview_rating_no_arithmetic_survives_is_named_as_a_problem(world, rating):
    scheme = load_template(SCHEME_TEMPLATE)
    # Its first section is rated as a whole: the preview names it by its title.
    section = scheme.sections[0]
    field = f"r.{scheme.sources[0].kind.value}.{section.key}"
    version = world.ids[None]["version_id"]
    response = post(world, f"schemes/v/{version}/preview", {field: rating, "goal": rating})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{section.title}: {rating} is not a rating this item takes." in body
    assert "Goal attainment must be a percentage such as 95." in body


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfea",  # UTF-16 of an odd number of bytes
        b"\xff\xfe" + "工号,姓名\n".encode("utf-16-le")[:-1],
    ],
)
def test_a_cut_utf16_csv_is_a_form_error_in_the_user_s_language(world, content, chinese):
    response = upload(world, "imports/", content, "staff.csv", kind="")
    assert response.status_code == 400
    assert "UTF-16" in response.get_data(as_text=True)


def test_a_utf16_csv_holding_nul_is_not_a_spreadsheet(world):
    content = b"\xff\xfe" + "工号,姓名\n1,\x00\n".encode("utf-16-le")
    response = upload(world, "imports/", content, "staff.csv", kind="")
    assert response.status_code == 400
    assert "not a spreadsheet Kaohe can read" in response.get_data(as_text=True)
