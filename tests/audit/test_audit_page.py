"""The audit log page: admins only, newest first, filters, time zone, pages, diffs, isolation."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from saas.models.audit import AuditEntry
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import add_user, logged_in, post

UTC = dt.UTC


def add_entry(db, tenant, at: dt.datetime, **fields) -> int:
    values = {
        "actor": "hr@example.com",
        "action": "employee.updated",
        "record_type": "employee",
        "record_id": "7",
        "before": None,
        "after": None,
        **fields,
    }
    with db.tenant(schema_for(tenant.slug)) as session:
        entry = AuditEntry(at=at, **values)
        session.add(entry)
        session.flush()
        return entry.id


def rows(body: str) -> int:
    return body.count('class="when"')


class Page:
    """A response whose text reads addresses whole (the page lets them break after the @)."""

    def __init__(self, response) -> None:
        self.response, self.status_code, self.headers = (
            response,
            response.status_code,
            response.headers,
        )

    def get_data(self, as_text: bool = False) -> str:
        return self.response.get_data(as_text=True).replace("<wbr>", "")


def page(client, tenant, **params):
    return Page(client.get(f"/t/{tenant.slug}/audit/", query_string=params))


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.MANAGER, Role.INSPECTOR, Role.EMPLOYEE])
def test_only_tenant_admins_read_the_audit_log(app, db, tenant, role):
    email = f"{role}@{tenant.slug}.example.com"
    add_user(db, tenant, email, [role])
    assert page(logged_in(app, tenant, email), tenant).status_code == 403
    anonymous = page(app.test_client(), tenant)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_entries_are_newest_first_with_who_what_when_and_changed_fields_only(app, db, tenant):
    add_entry(db, tenant, dt.datetime(2026, 3, 1, 2, 0, tzinfo=UTC), record_id="1")
    add_entry(
        db,
        tenant,
        dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        actor="boss@example.com",
        action="user.roles_changed",
        record_type="user",
        record_id="42",
        before={"roles": ["employee"], "email": "wang5@example.com", "status": "active"},
        after={"roles": ["manager", "employee"], "email": "wang5@example.com", "status": "active"},
    )
    body = page(logged_in(app, tenant), tenant).get_data(as_text=True).split("<tbody>")[1]
    assert body.index("boss@example.com") < body.index("hr@example.com")
    newest = body[body.index("boss@example.com") : body.index("hr@example.com")]
    assert "Roles changed" in newest and "Account" in newest and "#42" in newest
    # Only the changed field, before → after, with role names in words.
    assert "Employee</del>" in newest and "Manager, Employee</ins>" in newest
    assert "wang5@example.com" not in newest and "Status" not in newest
    # 10:00 in Shanghai (UTC+8), the tenant's time zone.
    assert "10:00" in newest


def test_created_and_deleted_records_show_their_fields(app, db, tenant):
    add_entry(db, tenant, dt.datetime(2026, 3, 1, tzinfo=UTC), after={"name": "新部门"})
    add_entry(db, tenant, dt.datetime(2026, 3, 2, tzinfo=UTC), before={"name": "旧部门"})
    body = page(logged_in(app, tenant), tenant).get_data(as_text=True)
    assert re.search(r"<ins[^>]*>新部门</ins>", body)
    assert re.search(r"<del[^>]*>旧部门</del>", body)


def test_filters_by_person_record_and_action(app, db, tenant):
    at = dt.datetime(2026, 3, 1, tzinfo=UTC)
    add_entry(db, tenant, at, actor="a@example.com", record_id="1")
    add_entry(db, tenant, at, actor="b@example.com", record_id="2")
    add_entry(db, tenant, at, actor="b@example.com", record_type="org_unit", record_id="2")
    add_entry(db, tenant, at, actor="b@example.com", action="employee.created", record_id="2")
    client = logged_in(app, tenant)
    # The tenant's own creation is already in the log.
    assert rows(page(client, tenant).get_data(as_text=True)) == 5
    assert rows(page(client, tenant, actor="b@example.com").get_data(as_text=True)) == 3
    record = page(client, tenant, record_type="employee", record_id="2").get_data(as_text=True)
    assert rows(record) == 2 and "org_unit" not in record.split("<tbody>")[1]
    assert rows(page(client, tenant, action="employee.created").get_data(as_text=True)) == 1
    both = page(client, tenant, actor="b@example.com", record_type="org_unit")
    assert rows(both.get_data(as_text=True)) == 1
    none = page(client, tenant, actor="nobody@example.com").get_data(as_text=True)
    assert rows(none) == 0 and "No entries match these filters" in none


def test_the_date_range_is_in_the_tenant_time_zone(app, db, make_tenant):
    tenant = make_tenant(time_zone="Asia/Shanghai")
    # 2026-03-01 23:30 and 2026-03-02 00:30 in Shanghai; both on 1 March in UTC.
    add_entry(db, tenant, dt.datetime(2026, 3, 1, 15, 30, tzinfo=UTC), record_id="late")
    add_entry(db, tenant, dt.datetime(2026, 3, 1, 16, 30, tzinfo=UTC), record_id="next-day")
    add_entry(db, tenant, dt.datetime(2026, 2, 28, 15, 59, tzinfo=UTC), record_id="feb")
    client = logged_in(app, tenant)
    march_first = page(client, tenant, date_from="2026-03-01", date_to="2026-03-01")
    body = march_first.get_data(as_text=True)
    assert rows(body) == 1 and "#late" in body
    second = page(client, tenant, date_from="2026-03-02", date_to="2026-03-02").get_data(
        as_text=True
    )
    assert rows(second) == 1 and "#next-day" in second
    until = page(client, tenant, date_to="2026-02-28").get_data(as_text=True)
    assert rows(until) == 1 and "#feb" in until


def test_bad_dates_are_refused_next_to_the_field(app, tenant):
    client = logged_in(app, tenant)
    bad = page(client, tenant, date_from="2026-13-45")
    assert bad.status_code == 400 and "field-error" in bad.get_data(as_text=True)
    htmx = client.get(
        f"/t/{tenant.slug}/audit/", query_string={"date_to": "x"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 400 and "field-error" in htmx.get_data(as_text=True)
    backwards = page(client, tenant, date_from="2026-03-02", date_to="2026-03-01")
    assert backwards.status_code == 400
    assert "The end date is before the start date" in backwards.get_data(as_text=True)


def test_pages_of_fifty(app, db, tenant):
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    with db.tenant(schema_for(tenant.slug)) as session:
        session.add_all(
            AuditEntry(
                at=start + dt.timedelta(minutes=i),
                actor="bulk@example.com",
                action="employee.created",
                record_type="employee",
                record_id=str(i),
            )
            for i in range(120)
        )
    client = logged_in(app, tenant)
    first = page(client, tenant, actor="bulk@example.com").get_data(as_text=True)
    assert rows(first) == 50 and "#119" in first and "page 1 of 3" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = page(client, tenant, actor="bulk@example.com", page=3).get_data(as_text=True)
    assert rows(last) == 20 and "#0<" in last and 'rel="prev"' in last
    # Out-of-range and junk page numbers land on a real page.
    assert (
        rows(page(client, tenant, actor="bulk@example.com", page=99).get_data(as_text=True)) == 20
    )
    assert (
        rows(page(client, tenant, actor="bulk@example.com", page="x").get_data(as_text=True)) == 50
    )


def test_htmx_gets_the_filters_and_results_only(app, tenant):
    response = logged_in(app, tenant).get(
        f"/t/{tenant.slug}/audit/", headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "audit-filters" in body


def test_account_changes_show_up_in_the_log(app, db, tenant):
    client = logged_in(app, tenant)
    user = add_user(db, tenant, f"w@{tenant.slug}.example.com", [Role.EMPLOYEE])
    post(client, tenant, f"/accounts/{user}/roles", {"roles": ["inspector"]})
    post(client, tenant, f"/accounts/{user}/disable")
    body = page(client, tenant, record_type="user", record_id=str(user)).get_data(as_text=True)
    assert rows(body) == 2
    assert body.index("Disabled") < body.index("Roles changed")
    assert tenant.admin_email in body


def test_tenant_b_never_sees_tenant_a_entries(app, db, make_tenant):
    alpha, beta = make_tenant(), make_tenant()
    add_entry(db, alpha, dt.datetime(2026, 3, 1, tzinfo=UTC), actor="secret-actor@alpha.example")
    client = logged_in(app, beta)
    own = page(client, beta).get_data(as_text=True)
    assert "secret-actor" not in own
    filtered = page(client, beta, actor="secret-actor@alpha.example").get_data(as_text=True)
    assert rows(filtered) == 0
    other = client.get(f"/t/{alpha.slug}/audit/")
    assert other.status_code == 302 and f"/t/{alpha.slug}/login" in other.headers["Location"]
