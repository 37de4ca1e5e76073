"""A sample statement is nobody's statement: verification says it is a sample, in both
languages and by serial too, and it is left out of the user's list of statements."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from saas.models.statement import SAMPLE_KIND, Statement
from saas.models.user import User
from tenants.slugs import schema_for
from tests.conftest import login
from tests.statements.conftest import english, upload, verdict


def test_an_uploaded_sample_is_a_sample_not_genuine(app, sample, module_tenant):
    response = upload(english(app.test_client()), sample[0])
    assert response.status_code == 200 and verdict(response) == "sample"
    page = response.get_data(as_text=True)
    assert "Sample, not a statement." in page and sample[1] in page
    assert module_tenant.name in page
    assert "Genuine" not in page and "verdict-genuine" not in page


def test_a_sample_by_serial_is_a_sample_too(app, sample):
    client = app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "zh_CN"
    response = client.get(f"/verify?serial={sample[1]}")
    page = response.get_data(as_text=True)
    assert verdict(response) == "sample"
    assert "示例，不是考核结果单" in page and "真实有效" not in page


def _statement(session, user_id: int, kind: str, slug: str) -> str:
    serial = f"{slug.upper()[:20]}-20260701-{secrets.token_hex(5).upper()}"
    pdf = b"%PDF-1.7 " + serial.encode()
    session.add(
        Statement(
            serial=serial,
            kind=kind,
            user_id=user_id,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=pdf,
        )
    )
    return serial


def test_samples_are_left_out_of_the_users_statements(app, db, module_tenant, sample):
    tenant = module_tenant
    with db.tenant(schema_for(tenant.slug)) as session:
        admin = session.scalar(select(User).where(User.email == tenant.admin_email))
        other = User(email=f"other@{tenant.slug}.example.com", name="别人")
        session.add(other)
        session.flush()
        issued = _statement(session, admin.id, "assessment", tenant.slug)
        someone_elses = _statement(session, other.id, "assessment", tenant.slug)
        samples = session.scalars(
            select(Statement.serial).where(
                Statement.user_id == admin.id, Statement.kind == SAMPLE_KIND
            )
        ).all()
    assert sample[1] in samples  # the admin has a sample …
    browser = english(app.test_client())
    login(browser, tenant)
    page = browser.get(f"/t/{tenant.slug}/account").get_data(as_text=True)
    assert issued in page  # … and a statement: only the statement is listed
    assert all(serial not in page for serial in samples)
    assert someone_elses not in page
