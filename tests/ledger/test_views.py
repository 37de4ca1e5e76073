"""The ledger pages as each role uses them, a manager outside their subtree, another
tenant's admin, and the list's fixed statement count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from saas.ledger import service
from saas.models.ledger import LedgerEntry
from tests.conftest import csrf_token, login
from tests.ledger.conftest import make_book
from tests.org.conftest import PASSWORD

DAY = dt.date(2026, 8, 3)


def _as(client, book, role: str) -> str:
    if role == "admin":
        login(client, book.org.tenant)
    else:
        login(client, book.org.tenant, PASSWORD, book.email(role))
    return csrf_token(client, f"/t/{book.slug}/")


def _entry(db, book, employee: int, event_key: str = "company_complaint") -> int:
    with db.tenant(book.schema) as session:
        return service.add_entry(
            session, book.admin(), employee_id=employee, on=DAY, event=event_key
        ).id


def test_the_admin_adds_decides_and_withdraws(client, db, book):
    csrf = _as(client, book, "admin")
    assert "Ledger" in client.get(f"/t/{book.slug}/").get_data(as_text=True)
    form = client.get(book.url(f"new?employee={book.inside}")).get_data(as_text=True)
    assert 'value="L-IN"' in form and 'value="company_complaint"' in form
    bad = client.post(
        book.url("new"),
        data={"csrf_token": csrf, "employee_number": "L-IN", "on": "2026-08-03", "points": "x"},
    )
    assert bad.status_code == 400 and "Give a number" in bad.get_data(as_text=True)
    added = client.post(
        book.url("new"),
        data={
            "csrf_token": csrf,
            "employee_number": "L-IN",
            "on": "2026-08-03",
            "event": "company_complaint",
            "source": "customer",
            "note": "<script>x</script>",
        },
    )
    assert added.status_code == 302
    with db.tenant(book.schema) as session:
        entry = session.scalar(select(LedgerEntry))
        assert (entry.validity, entry.source) == ("pending", "customer")
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;" in page and "Record the decision" in page
    listed = client.get(book.url("?validity=pending")).get_data(as_text=True)
    assert "张三" in listed and "1 entry" in listed
    assert "No ledger entry" in client.get(book.url("?validity=valid")).get_data(as_text=True)
    no_reason = client.post(
        book.url(f"entry/{entry.id}/decide"), data={"csrf_token": csrf, "validity": "valid"}
    )
    assert no_reason.status_code == 400
    decided = client.post(
        book.url(f"entry/{entry.id}/decide"),
        data={"csrf_token": csrf, "validity": "valid", "reason": "核实"},
    )
    assert decided.status_code == 302
    timeline = client.get(book.url(f"employee/{book.inside}")).get_data(as_text=True)
    assert "Decision: 核实" in timeline
    withdrawn = client.post(
        book.url(f"entry/{entry.id}/withdraw"),
        data={"csrf_token": csrf, "withdraw_reason": "录错"},
    )
    assert withdrawn.status_code == 302
    assert "Withdrawn: 录错" in client.get(book.url(f"employee/{book.inside}")).get_data(
        as_text=True
    )
    assert "No ledger entry" in client.get(book.url()).get_data(as_text=True)
    assert "张三" in client.get(book.url("?withdrawn=1")).get_data(as_text=True)


def test_each_role(client, db, book):
    inside, outside = _entry(db, book, book.inside), _entry(db, book, book.outside)
    csrf = _as(client, book, "manager")
    listed = client.get(book.url()).get_data(as_text=True)
    assert "张三" in listed and "李四" not in listed
    assert client.get(book.url(f"entry/{inside}")).status_code == 200
    assert client.get(book.url(f"entry/{outside}")).status_code == 404
    assert client.get(book.url(f"employee/{book.outside}")).status_code == 404
    assert client.get(book.url(f"employee/{book.manager}")).status_code == 404
    assert (
        client.post(
            book.url(f"entry/{outside}/withdraw"), data={"csrf_token": csrf, "withdraw_reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            book.url(f"entry/{inside}/decide"),
            data={"csrf_token": csrf, "validity": "valid", "reason": "x"},
        ).status_code
        == 403
    )
    refused = client.post(
        book.url("new"),
        data={
            "csrf_token": csrf,
            "employee_number": "L-OUT",
            "on": "2026-08-03",
            "event": "praise_letter",
        },
    )
    assert refused.status_code == 400
    client.get(f"/t/{book.slug}/logout")
    csrf = _as(client, book, "committee")
    assert "李四" in client.get(book.url()).get_data(as_text=True)
    assert client.get(book.url("new")).status_code == 403
    decided = client.post(
        book.url(f"entry/{outside}/decide"),
        data={"csrf_token": csrf, "validity": "invalid", "reason": "不成立"},
    )
    assert decided.status_code == 302
    client.get(f"/t/{book.slug}/logout")
    _as(client, book, "employee")
    assert client.get(book.url()).status_code == 403
    assert client.get(book.url(f"employee/{book.inside}")).status_code == 403


def test_another_tenants_admin_finds_nothing(client, db, make_tenant, book):
    entry = _entry(db, book, book.inside)
    other = make_book(db, make_tenant)
    csrf = _as(client, other, "admin")
    # Ids are per tenant: under the other tenant's address the entry's id finds nothing
    # (its employee ids are its own people).
    assert client.get(other.url(f"entry/{entry}")).status_code == 404
    assert (
        client.post(
            other.url(f"entry/{entry}/withdraw"), data={"csrf_token": csrf, "withdraw_reason": "x"}
        ).status_code
        == 404
    )
    # And the first tenant's pages do not open with this login.
    assert client.get(book.url()).status_code == 302


def _statements(app, client, path: str) -> int:
    engine = app.extensions["kaohe.db"].engine
    seen = []

    def listen(_conn, _cursor, sql, *_args):
        if "public.tenant" not in sql and "user_role.role" not in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(seen)


def test_the_list_and_timeline_cost_the_same_at_any_size(app, client, db, book):
    _as(client, book, "admin")
    _entry(db, book, book.inside)
    few = (
        _statements(app, client, book.url()),
        _statements(app, client, book.url(f"employee/{book.inside}")),
    )
    for n in range(30):
        _entry(db, book, book.inside if n % 2 else book.outside, "praise_letter")
    many = (
        _statements(app, client, book.url()),
        _statements(app, client, book.url(f"employee/{book.inside}")),
    )
    assert few == many
