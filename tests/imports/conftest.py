"""Helpers for the import tests: build spreadsheets in memory, upload them, read the schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from saas.models.audit import AuditEntry
from saas.models.imports import ImportBatch
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.user import User, UserRole
from tenants.slugs import schema_for
from tests.conftest import ADMIN_PASSWORD, csrf_token, login

UNIT_HEADERS = ["部门编码", "部门名称", "上级部门编码", "部门类型", "部门类别", "负责人工号"]
EMPLOYEE_HEADERS = [
    "工号",
    "姓名",
    "部门编码",
    "岗位",
    "职级",
    "用工形式",
    "直接上级工号",
    "入职日期",
    "状态",
    "手机号",
    "邮箱",
]


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A workbook with one sheet per entry: title -> rows (the first row is the header)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text as typed, even "=…", as Excel stores it
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)


def units_sheet(*rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [UNIT_HEADERS, *rows]


def employees_sheet(*rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [EMPLOYEE_HEADERS, *rows]


def unit(code, name, parent=None, kind="部门", category=None, manager=None) -> list[Any]:
    return [code, name, parent, kind, category, manager]


def person(
    number,
    name,
    unit_code,
    position=None,
    level=None,
    form=None,
    manager=None,
    hired=dt.date(2024, 3, 1),
    status="在职",
    mobile=None,
    email=None,
) -> list[Any]:
    return [number, name, unit_code, position, level, form, manager, hired, status, mobile, email]


def admin_client(app, tenant):
    client = app.test_client()
    login(client, tenant)
    return client


def upload(client, tenant, content: bytes, filename: str, kind: str = ""):
    token = csrf_token(client, f"/t/{tenant.slug}/imports/")
    return client.post(
        f"/t/{tenant.slug}/imports/",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def batch_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def commit(client, tenant, batch_id: int):
    token = csrf_token(client, f"/t/{tenant.slug}/imports/{batch_id}")
    return client.post(f"/t/{tenant.slug}/imports/{batch_id}/commit", data={"csrf_token": token})


def load_batch(db, tenant, batch_id: int) -> ImportBatch:
    with db.tenant(schema_for(tenant.slug)) as session:
        batch = session.get(ImportBatch, batch_id)
        session.expunge(batch)
        return batch


def problems_of(batch: ImportBatch) -> list[dict]:
    return [e for e in batch.errors or [] if e["code"] != "summary"]


def counts_of(batch: ImportBatch) -> dict:
    return next(e for e in batch.errors if e["code"] == "summary")["counts"]


def count_rows(db, slug: str) -> dict[str, int]:
    with db.tenant(schema_for(slug)) as session:
        return {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("units", OrgUnit),
                ("employees", Employee),
                ("audit", AuditEntry),
            )
        }


def units_by_code(db, slug: str) -> dict[str, OrgUnit]:
    with db.tenant(schema_for(slug)) as session:
        found = {u.code: u for u in session.scalars(select(OrgUnit))}
        session.expunge_all()
        return found


def employees_by_number(db, slug: str) -> dict[str, Employee]:
    with db.tenant(schema_for(slug)) as session:
        found = {e.number: e for e in session.scalars(select(Employee))}
        session.expunge_all()
        return found


def add_levels(db, slug: str, *names: str) -> None:
    with db.tenant(schema_for(slug)) as session:
        for rank, name in enumerate(names, start=1):
            session.add(PositionLevel(name=name, rank=rank))


@pytest.fixture
def admin(app, tenant):
    return admin_client(app, tenant)


def add_user(db, slug: str, email: str, *roles: str, password: str = ADMIN_PASSWORD) -> None:
    with db.tenant(schema_for(slug)) as session:
        user = User(email=email, name=email.split("@")[0])
        user.set_password(password)
        user.roles = [UserRole(role=role) for role in roles]
        session.add(user)


def add_archived_unit(db, slug: str, code: str) -> None:
    with db.tenant(schema_for(slug)) as session:
        archived = OrgUnit(code=code, name="旧部门", kind="department", path="", position=0)
        archived.archived_at = dt.datetime.now(dt.UTC)
        session.add(archived)
        session.flush()
        archived.path = f"{archived.id}/"


def checked(app, db, tenant, content: bytes, filename: str = "org.xlsx", kind: str = ""):
    """Upload as the tenant admin and return the stored batch after the check."""
    client = admin_client(app, tenant)
    return load_batch(db, tenant, batch_id_of(upload(client, tenant, content, filename, kind)))


def job_id_on(page_html: str) -> str | None:
    match = re.search(r'data-job-id="([^"]+)"', page_html)
    return match.group(1) if match else None


def follow_job(client, tenant, batch_id: int, timeout: float = 120.0) -> list[int]:
    """Poll the batch page's job through the jobs area until it is done; the progress seen."""
    import time

    page = client.get(f"/t/{tenant.slug}/imports/{batch_id}").get_data(as_text=True)
    job_id = job_id_on(page)
    assert job_id, "the batch page shows no job"
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/t/{tenant.slug}/jobs/{job_id}").get_data(as_text=True)
        seen.append(int(re.search(r'value="(\d+)"', body).group(1)))
        if "job-failed" in body:
            raise AssertionError(f"import job failed: {body}")
        if "job-done" in body:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish; progress seen: {seen}")
