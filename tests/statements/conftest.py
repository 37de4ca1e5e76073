"""Statements to verify: a real signed sample of a fresh tenant, made without a worker."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token


@pytest.fixture(scope="module")
def module_tenant(db, settings):
    from saas.platform.onboarding import create_tenant
    from tests.conftest import ADMIN_PASSWORD, unique_slug

    slug = unique_slug("verify")
    return create_tenant(
        db, settings, slug, "核验单位", f"admin@{slug}.example.com", ADMIN_PASSWORD
    )


@pytest.fixture(scope="module")
def sample(settings, module_tenant) -> tuple[bytes, str]:
    """(PDF, serial) of a signed sample statement of the tenant's admin."""
    from saas.models.user import User
    from saas.statements.sample import issue_sample_statement
    from workers.runtime import tenant_context

    ctx = tenant_context(module_tenant.slug, settings)
    with ctx.db.tenant(ctx.schema) as session:
        admin_id = session.scalar(select(User.id).where(User.email == module_tenant.admin_email))
    statement = issue_sample_statement(ctx, admin_id, actor="test")
    return statement.pdf, statement.serial


def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def upload(client, data: bytes, name: str = "statement.pdf"):
    token = csrf_token(client, "/verify")
    return client.post(
        "/verify",
        data={"statement": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def verdict(response) -> str | None:
    found = re.search(r'class="verdict verdict-(\w+)"', response.get_data(as_text=True))
    return found.group(1) if found else None
