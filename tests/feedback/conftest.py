"""Customer feedback fixtures: the ledger's tenant (a published reference scheme whose rules
have the customer events; 张三 in 工程维修部 GC under the manager, 李四 in 行政 ZH-XZ), links
made straight in its schema, and a customer's client that fills in and sends the form.

The guards' minimum fill time is 0 here (the app's policy is replaced per test), so no test
sleeps; the tests of the guards set the numbers they check."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from saas.feedback import tokens
from saas.feedback.guard import Limit, Policy
from tests.ledger.conftest import Book, make_book
from tests.org.conftest import Org

QUICK = Policy(
    min_fill=0,
    attempts=Limit(1000, 600),
    client=Limit(1000, 600),
    subject=Limit(1000, 3600),
    status=Limit(1000, 600),
)


@pytest.fixture(autouse=True)
def quick_policy(app, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_FEEDBACK_POLICY", QUICK)


def policy(app, monkeypatch, **changes) -> None:
    monkeypatch.setitem(app.config, "KAOHE_FEEDBACK_POLICY", replace(QUICK, **changes))


@pytest.fixture
def book(db, make_tenant) -> Book:
    return make_book(db, make_tenant)


def make_link(db, org: Org, *, employee_id: int | None = None, unit: str = "GC") -> str:
    """A working link's token for a person (``employee_id``, in ``unit``) or the unit."""
    with db.tenant(org.schema) as session:
        _link, token = tokens.add_link(
            session, "test", None, employee_id=employee_id, unit_id=org.ids[unit]
        )
    return token


def form_url(slug: str, token: str) -> str:
    return f"/t/{slug}/feedback/{token}"


def hidden(body: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', body)
    assert match, f"no {name} on the page"
    return match.group(1)


def fill(client, slug: str, token: str) -> dict[str, str]:
    """Open the form; the hidden fields a browser would send back."""
    page = client.get(form_url(slug, token))
    assert page.status_code == 200, page.status_code
    body = page.get_data(as_text=True)
    return {"csrf_token": hidden(body, "csrf_token"), "form_token": hidden(body, "form_token")}


GOOD = {"kind": "praise", "category": "attitude", "text": "师傅修得又快又好，谢谢！"}


def send(client, slug: str, token: str, fields: dict | None = None, **values):
    """Fill in the form and send it; ``values`` replace the good answers."""
    data = {**(fields or fill(client, slug, token)), **GOOD, **values}
    return client.post(form_url(slug, token), data=data)


def reference_of(response) -> str:
    match = re.search(r"/feedback/status/(FK-[0-9A-Z]{10})", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)
