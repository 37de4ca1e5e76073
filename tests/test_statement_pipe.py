"""The whole statement pipe: page → RQ job in a real worker → WeasyPrint → pyHanko → /verify."""

import io
import re

import pytest
from sqlalchemy import select

from saas.models.statement import Statement
from tenants.slugs import schema_for
from tests.conftest import csrf_token, login
from tests.test_jobs import poll_until_done


@pytest.fixture
def signed_statement(app, worker, tenant):
    browser = app.test_client()
    login(browser, tenant)
    token = csrf_token(browser, f"/t/{tenant.slug}/")
    started = browser.post(
        f"/t/{tenant.slug}/statements/sample", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    job_id = re.search(r'data-job-id="([^"]+)"', started.get_data(as_text=True)).group(1)
    _, final = poll_until_done(browser, tenant, job_id, timeout=120)
    assert "job-done" in final, final
    link = re.search(r'href="([^"]+\.pdf)"', final).group(1)
    pdf = browser.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return browser, link, pdf.data


def upload(client, data: bytes):
    token = csrf_token(client, "/verify")
    return client.post(
        "/verify",
        data={"statement": (io.BytesIO(data), "statement.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def verdict_of(response) -> str:
    return re.search(r'class="verdict verdict-(\w+)"', response.get_data(as_text=True)).group(1)


def verify(client, data: bytes, status: int = 200) -> str:
    response = upload(client, data)
    assert response.status_code == status
    return verdict_of(response)


def test_a_sample_verifies_as_a_sample_then_modified_after_one_byte(app, tenant, signed_statement):
    _, _, data = signed_statement
    assert data.startswith(b"%PDF")
    public = app.test_client()
    with public.session_transaction() as session:
        session["lang"] = "en"
    response = upload(public, data)
    assert response.status_code == 200 and verdict_of(response) == "sample"
    page = response.get_data(as_text=True)
    assert "Sample, not a statement." in page and "Genuine" not in page
    assert tenant.name in page
    body = public.get("/verify").get_data(as_text=True)
    assert tenant.admin_email not in body
    middle = len(data) // 2
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    assert verify(public, changed) in ("modified", "unreadable")


def test_a_sample_says_so_in_chinese(app, signed_statement):
    _, _, data = signed_statement
    public = app.test_client()
    with public.session_transaction() as session:
        session["lang"] = "zh_CN"
    page = upload(public, data).get_data(as_text=True)
    assert "示例" in page and "真实有效" not in page


def test_unsigned_and_garbage_uploads_are_not_ours(app):
    public = app.test_client()
    assert verify(public, b"%PDF-1.7\n%garbage\n%%EOF\n") == "unknown"
    assert verify(public, b"\x00\x01 not a pdf at all", status=422) == "unreadable"


def test_verify_without_a_file_says_what_to_do(app):
    public = app.test_client()
    token = csrf_token(public, "/verify")
    response = public.post("/verify", data={"csrf_token": token})
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_serial_from_the_qr_code_is_recognised(app, db, tenant, signed_statement):
    # The start page no longer lists statements: the serial is read where it is stored.
    with db.tenant(schema_for(tenant.slug)) as session:
        serial = session.scalar(select(Statement.serial))
    assert re.fullmatch(r"[A-Z0-9-]+-\d{8}-[0-9A-F]{10}", serial)
    page = app.test_client().get(f"/verify?serial={serial}").get_data(as_text=True)
    assert "verdict-sample" in page and tenant.name in page
    unknown = app.test_client().get("/verify?serial=NOPE-20260101-0000000000")
    assert "verdict-unknown" in unknown.get_data(as_text=True)


def test_another_tenant_user_cannot_download_the_statement(app, make_tenant, signed_statement):
    _, link, _ = signed_statement
    other = make_tenant()
    intruder = app.test_client()
    login(intruder, other)
    swapped = re.sub(r"^/t/[^/]+/", f"/t/{other.slug}/", link)
    assert intruder.get(swapped).status_code == 404
    assert intruder.get(link).status_code == 302
