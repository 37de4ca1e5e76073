"""Accounts for front-line staff (issue #11, item 17): created for a selection of people,
set-up links printed on a PDF sheet with QR codes (rendered by a real worker with real
WeasyPrint, read back with poppler and a QR decoder), logins by e-mail, mobile number or
employee number, and links that are single-use, expiring, revocable and log the user in.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select, update

from saas.models.audit import AuditEntry
from saas.models.people import Employee
from saas.models.tokens import AccountSheet, AccountToken
from saas.models.user import Role, User
from tenants.slugs import schema_for
from tests.accounts.conftest import english, logged_in, post, set_password
from tests.conftest import login
from tests.people.conftest import PASSWORD, add_employee, add_unit
from tests.people.conftest import add_user as add_account

SHEET = re.compile(r"/people/accounts/sheets/(\d+)\"")


@dataclass
class Staff:
    schema: str
    canteen: int
    cleaning: int
    people: dict[str, int]  # employee number -> id
    manager_email: str


@pytest.fixture
def staff(db, tenant) -> Staff:
    """A canteen (managed by 刘经理) and a cleaning team; front-line people without e-mail."""
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        company = add_unit(session, "总公司", kind="company")
        canteen = add_unit(session, "餐饮班组", company, kind="team")
        cleaning = add_unit(session, "保洁班组", company, kind="team")
        people = {
            "C001": add_employee(session, "C001", "张三丰", canteen, mobile="13800138001"),
            "C002": add_employee(session, "C002", "李四", canteen),
            "C003": add_employee(session, "C003", "赵六", canteen, status="left"),
            "Q001": add_employee(session, "Q001", "王五", cleaning, email="wang@example.com"),
        }
        boss = add_employee(session, "M001", "刘经理", canteen)
        manager_email = f"liu@{tenant.slug}.example.com"
        add_account(session, manager_email, Role.MANAGER, employee=boss)
        canteen.manager_id = boss.id
        ids = {number: person.id for number, person in people.items()}
        ids["M001"] = boss.id
        return Staff(schema, canteen.id, cleaning.id, ids, manager_email)


def create(client, tenant, **form):
    return post(client, tenant, "/people/accounts", form)


def sheet_id_on(response) -> int:
    match = SHEET.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:3000]
    return int(match.group(1))


def wait_for_pdf(client, tenant, sheet_id: int, timeout: float = 120) -> bytes:
    """Open the sheet page until the worker has printed it, then download the PDF."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(f"/t/{tenant.slug}/people/accounts/sheets/{sheet_id}")
        assert page.status_code == 200
        if f"/sheets/{sheet_id}.pdf" in page.get_data(as_text=True):
            break
        assert time.monotonic() < deadline, "the worker never printed the sheet"
        time.sleep(0.3)
    response = client.get(f"/t/{tenant.slug}/people/accounts/sheets/{sheet_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def qr_links(pdf: bytes, folder: Path) -> list[str]:
    """Every QR code on every page, decoded from the rendered pages."""
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(folder / "page")], check=True)
    found = []
    for image in sorted(folder.glob("page-*.png")):
        found += [code.text for code in zxingcpp.read_barcodes(Image.open(image))]
    return found


def accounts_of(db, staff: Staff) -> dict[str, User]:
    with db.tenant(staff.schema) as session:
        rows = session.execute(
            select(Employee.number, User).join(User, User.id == Employee.user_id)
        ).all()
        session.expunge_all()
        return dict(rows)


# -- the whole path: choose people, print the sheet, scan, set a password ---------------------


def test_a_unit_gets_accounts_and_a_printed_sheet_whose_qr_codes_set_passwords(
    app, db, worker, tenant, staff, tmp_path
):
    admin = logged_in(app, tenant)
    response = create(admin, tenant, everyone="unit", unit=staff.canteen)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # Everyone in the canteen but the one who left; 刘经理 already has an account: listed.
    assert "刘经理" in body and "already has an account" in body
    accounts = accounts_of(db, staff)
    assert set(accounts) == {"C001", "C002", "M001"}
    for number in ("C001", "C002"):
        user = accounts[number]
        assert user.email is None and user.password_hash is None
        assert user.role_names == {"employee"}

    pdf = wait_for_pdf(admin, tenant, sheet_id_on(response))
    text = pdf_text(pdf, tmp_path)
    assert "张三丰" in text and "李四" in text and "餐饮班组" in text
    assert "C001" in text and "138 0013 8001" in text
    assert "赵六" not in text and "刘经理" not in text and "王五" not in text
    links = qr_links(pdf, tmp_path)
    assert len(links) == 2
    paths = [urlsplit(link).path for link in links]
    assert all(re.fullmatch(rf"/t/{tenant.slug}/accounts/welcome/[\w-]{{43}}", p) for p in paths)

    # Each QR code opens its person's set-up page; setting the password logs them in.
    for path in paths:
        visitor = english(app.test_client())
        page = visitor.get(path)
        assert page.status_code == 200
        name = "张三丰" if "C001" in page.get_data(as_text=True) else "李四"
        done = set_password(visitor, path, name=name)
        assert done.status_code == 302 and done.headers["Location"].endswith(f"/t/{tenant.slug}/")
        home = visitor.get(f"/t/{tenant.slug}/")
        assert home.status_code == 200 and name in home.get_data(as_text=True)
        # Used once: the same code now opens nothing.
        assert english(app.test_client()).get(path).status_code == 404


def test_login_by_email_mobile_or_employee_number(app, db, tenant, staff):
    admin = logged_in(app, tenant)
    create(admin, tenant, employee=[staff.people["C001"]])
    with db.tenant(staff.schema) as session:
        user_id = session.scalar(select(Employee.user_id).where(Employee.number == "C001"))
        session.execute(
            update(User).where(User.id == user_id).values(password_hash=_hash(PASSWORD))
        )
    for identifier in (
        "C001",
        "c001",
        " C001 ",
        "13800138001",
        "138 0013 8001",
        "+86 138-0013-8001",
    ):
        client = app.test_client()
        response = login(client, tenant, password=PASSWORD, email=identifier)
        assert response.status_code == 302, identifier
        assert "张三丰" in client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert (
        login(app.test_client(), tenant, password="wrong-password", email="C001").status_code == 400
    )
    assert login(app.test_client(), tenant, password=PASSWORD, email="C002").status_code == 400
    # E-mail logins work as before.
    assert login(app.test_client(), tenant).status_code == 302


def _hash(password: str) -> str:
    from tests.accounts.conftest import password_hash

    return password_hash(password)


# -- who gets what ----------------------------------------------------------------------------


def test_people_with_an_email_get_no_card_and_those_with_accounts_are_skipped(
    app, db, tenant, staff
):
    """Without mail set up, everyone goes on the sheet; with it (tests/accounts/test_mail.py)
    those with an e-mail get their link by mail."""
    admin = logged_in(app, tenant)
    picked = [staff.people[n] for n in ("C002", "C003", "Q001", "M001")]
    response = create(admin, tenant, employee=picked)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "has left" in body and "already has an account" in body
    accounts = accounts_of(db, staff)
    assert accounts["Q001"].email == "wang@example.com"  # the person's e-mail is the login
    assert "C003" not in accounts
    with db.tenant(staff.schema) as session:
        sheet = session.scalar(select(AccountSheet).order_by(AccountSheet.id.desc()))
        assert sheet.people == 2
        on_sheet = session.scalar(
            select(func.count()).select_from(AccountToken).where(AccountToken.sheet_id == sheet.id)
        )
        assert on_sheet == 2
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("user.invited") == 2 and "account_sheet.created" in actions


def test_the_plan_must_have_room_for_the_whole_selection(app, db, make_tenant):
    tenant = make_tenant(seat_limit=3)
    schema = schema_for(tenant.slug)
    with db.tenant(schema) as session:
        unit = add_unit(session, "餐饮班组", kind="team")
        ids = [add_employee(session, f"C{i}", f"员工{i}", unit).id for i in range(3)]
    admin = logged_in(app, tenant)
    response = create(admin, tenant, employee=ids)
    assert response.status_code == 400
    assert "do not fit" in response.get_data(as_text=True)
    with db.tenant(schema) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1  # nothing written
        assert session.scalar(select(func.count()).select_from(AccountSheet)) == 0


def test_nothing_chosen_is_a_clear_error(app, tenant, staff):
    admin = logged_in(app, tenant)
    for form in ({}, {"employee": ["x", "99999999999"]}, {"everyone": "unit", "unit": "²"}):
        response = create(admin, tenant, **form)
        assert response.status_code == 400
        assert "Choose at least one person." in response.get_data(as_text=True)


# -- links: single use, expiry, re-issue ------------------------------------------------------


def _issue_for(client, tenant, employee_id: int):
    return post(client, tenant, f"/people/{employee_id}/account")


def _printed_link(app, db, tenant, client, response, tmp_path) -> str:
    pdf = wait_for_pdf(client, tenant, sheet_id_on(response))
    (link,) = qr_links(pdf, tmp_path)
    return urlsplit(link).path


def test_profile_creates_the_account_and_a_new_link_replaces_the_old(
    app, db, worker, tenant, staff, tmp_path
):
    admin = logged_in(app, tenant)
    profile = admin.get(f"/t/{tenant.slug}/people/{staff.people['C002']}")
    assert f"/people/{staff.people['C002']}/account" in profile.get_data(as_text=True)
    first = _printed_link(
        app, db, tenant, admin, _issue_for(admin, tenant, staff.people["C002"]), tmp_path / "a"
    )
    # The card got lost: a new link for the same person; the old card stops working.
    (tmp_path / "b").mkdir()
    again = _issue_for(admin, tenant, staff.people["C002"])
    assert again.status_code == 200
    second = _printed_link(app, db, tenant, admin, again, tmp_path / "b")
    assert first != second
    visitor = english(app.test_client())
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200
    assert set_password(visitor, second, name="李四").status_code == 302
    # Once a password is set, the profile offers no set-up link any more.
    page = admin.get(f"/t/{tenant.slug}/people/{staff.people['C002']}").get_data(as_text=True)
    assert f"/people/{staff.people['C002']}/account" not in page
    assert "already chosen a password" in _issue_for(admin, tenant, staff.people["C002"]).get_data(
        as_text=True
    )


@pytest.fixture
def tmp_path(tmp_path):
    (tmp_path / "a").mkdir()
    return tmp_path


def test_an_expired_set_up_link_says_so(app, db, worker, tenant, staff, tmp_path):
    admin = logged_in(app, tenant)
    link = _printed_link(
        app, db, tenant, admin, _issue_for(admin, tenant, staff.people["C001"]), tmp_path / "a"
    )
    with db.tenant(staff.schema) as session:
        session.execute(update(AccountToken).values(expires_at=func.now()))
    response = english(app.test_client()).get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


# -- who may -----------------------------------------------------------------------------------


def test_roles_without_the_right_cannot_create_accounts(app, db, tenant, staff):
    schema = staff.schema
    with db.tenant(schema) as session:
        clerk = session.get(Employee, staff.people["Q001"])
        add_account(session, f"clerk@{tenant.slug}.example.com", Role.EMPLOYEE, employee=clerk)
        add_account(session, f"committee@{tenant.slug}.example.com", Role.COMMITTEE)
    for email in (f"clerk@{tenant.slug}.example.com", f"committee@{tenant.slug}.example.com"):
        client = logged_in(app, tenant, email=email, password=PASSWORD)
        assert create(client, tenant, employee=[staff.people["C002"]]).status_code == 403
        assert _issue_for(client, tenant, staff.people["C002"]).status_code in (403, 404)
        listed = client.get(f"/t/{tenant.slug}/people/").get_data(as_text=True)
        assert "/people/accounts" not in listed
    assert "C002" not in accounts_of(db, staff)


def test_a_manager_creates_accounts_only_in_their_units_and_sees_only_their_sheets(
    app, db, tenant, staff
):
    manager = logged_in(app, tenant, email=staff.manager_email, password=PASSWORD)
    # The cleaning team is not theirs: not found among the people they may change.
    assert create(manager, tenant, employee=[staff.people["Q001"]]).status_code == 400
    assert _issue_for(manager, tenant, staff.people["Q001"]).status_code == 404
    assert create(manager, tenant, everyone="unit", unit=staff.cleaning).status_code == 400
    assert "Q001" not in accounts_of(db, staff)
    mine = create(manager, tenant, employee=[staff.people["C002"]])
    assert mine.status_code == 200 and "C002" in accounts_of(db, staff)
    # The administrator's sheet is not the manager's to open; their own is, and the admin's.
    admin = logged_in(app, tenant)
    theirs = sheet_id_on(create(admin, tenant, employee=[staff.people["C001"]]))
    own = sheet_id_on(mine)
    sheets = f"/t/{tenant.slug}/people/accounts/sheets"
    assert manager.get(f"{sheets}/{theirs}").status_code == 404
    assert manager.get(f"{sheets}/{theirs}.pdf").status_code == 404
    assert manager.get(f"{sheets}/{own}").status_code == 200
    assert admin.get(f"{sheets}/{own}").status_code == 200


def test_another_tenant_can_neither_open_the_sheet_nor_use_its_links(
    app, db, worker, tenant, staff, make_tenant, tmp_path
):
    admin = logged_in(app, tenant)
    response = _issue_for(admin, tenant, staff.people["C001"])
    sheet_id = sheet_id_on(response)
    link = _printed_link(app, db, tenant, admin, response, tmp_path / "a")
    other = make_tenant()
    stranger = logged_in(app, other)
    for path in (f"/people/accounts/sheets/{sheet_id}", f"/people/accounts/sheets/{sheet_id}.pdf"):
        assert stranger.get(f"/t/{other.slug}{path}").status_code == 404
        # Tenant A's cookie is worth nothing at tenant B, and B's at A.
        assert admin.get(f"/t/{other.slug}{path}").status_code == 302
        assert stranger.get(f"/t/{tenant.slug}{path}").status_code == 302
    token = link.rsplit("/", 1)[1]
    visitor = english(app.test_client())
    assert visitor.get(f"/t/{other.slug}/accounts/welcome/{token}").status_code == 404
    assert visitor.get(link).status_code == 200  # still good at its own tenant
