"""The audit log reads as words in Chinese and English: actions, record types, fields and
values, records by their names, dates in the reader's format, digests shortened."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from saas.audit import labels
from saas.models.audit import AuditEntry
from tenants.slugs import schema_for
from tests.accounts.conftest import logged_in
from tests.audit.scenario import fill_the_log


def visible(body: str) -> str:
    """The text a reader sees in the log's table: no tags, no attribute values."""
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    return html.unescape(re.sub(r"<[^>]*>", " ", table))


@pytest.fixture(scope="module")
def filled(app, db, settings):
    from saas.platform.onboarding import create_tenant
    from tests.conftest import ADMIN_PASSWORD, unique_slug

    slug = unique_slug("words")
    tenant = create_tenant(
        db, settings, slug, "某某物业", f"admin@{slug}.example.com", ADMIN_PASSWORD
    )
    return tenant, fill_the_log(db, slug, tenant.admin_email)


def page_text(app, tenant, language: str, **params) -> str:
    client = logged_in(app, tenant)
    with client.session_transaction() as session:
        session["lang"] = language
    response = client.get(f"/t/{tenant.slug}/audit/", query_string=params)
    assert response.status_code == 200
    return visible(response.get_data(as_text=True))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_no_code_is_shown_as_it_is_stored(app, filled, language):
    tenant, _ids = filled
    text = page_text(app, tenant, language)
    codes = set(labels.ACTIONS) | set(labels.RECORDS)
    codes |= {f for r in labels.RECORDS.values() for f in (*r.fields, *r.hidden)}
    codes |= {"draft", "submitted", "approved", "on_leave", "canteen_hygiene", "site"}
    if language == "en":
        # Many codes are English words ("goal", "number"); the ones that are not must not show.
        codes = {code for code in codes if "_" in code or "." in code}
    shown = {code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)}
    assert shown == set()


def test_goal_rows_in_chinese(app, filled):
    tenant, ids = filled
    text = page_text(app, tenant, "zh_CN", record_type="goal", record_id=str(ids.company_goal))
    assert "计量单位" in text and "分" in text
    assert "部门 分" not in " ".join(text.split())
    assert "草稿" in text and "待审批" in text and "已批准" in text
    assert "业主满意度" in text  # the goal by its title
    assert "2026年3月31日" in text  # the actual's date, as a Chinese reader writes it
    child = page_text(app, tenant, "zh_CN", record_type="goal", record_id=str(ids.department_goal))
    assert re.search(r"(?<!占)上级目标\s+业主满意度", child)  # the parent goal by its title


def test_unit_rows_show_names_not_ids(app, filled):
    tenant, ids = filled
    text = page_text(app, tenant, "en", record_type="org_unit", record_id=str(ids.unit_id))
    assert "Unit changed" in text and "工程维修部" in text
    assert "Manager" in text and "王建国 (E001)" in text  # the manager id by name
    assert "Functional" not in text and "front-line department" not in text  # stored as typed
    assert "Parent unit" in text and "某某物业服务有限公司" in text


def test_scheme_edits_say_what_changed_in_the_editors_words(app, filled):
    tenant, _ids = filled
    text = page_text(app, tenant, "en", action="scheme.version.edit")
    assert "Draft edited" in text and "Checklist item changed" in text
    assert "item text" in text and "餐具每餐消毒并记录" in text
    # Only the changed field of the item, not all of it.
    assert "maximum points" not in text


def test_import_rows_say_what_was_imported(app, filled):
    tenant, _ids = filled
    text = page_text(app, tenant, "en", action="import.committed")
    assert "Spreadsheet imported" in text and "食堂.csv" in text and "Units: 2 new" in text
    units = page_text(app, tenant, "zh_CN", action="unit.created")
    assert "第一食堂" in units and "场所" in units


def test_digests_and_moments_are_shortened_and_formatted(app, db, make_tenant):
    tenant = make_tenant(locale="en")
    digest = "ab" * 32
    with db.tenant(schema_for(tenant.slug)) as session:
        session.add(
            AuditEntry(
                at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                actor="system",
                action="statement.issued",
                record_type="statement",
                record_id="99",
                after={"serial": "S-1", "kind": "sample", "sha256": digest},
            )
        )
    body = logged_in(app, tenant).get(f"/t/{tenant.slug}/audit/").get_data(as_text=True)
    text = visible(body)
    assert "Statement issued" in text and "sample statement" in text
    assert digest not in text and digest[:12] + "…" in text
    assert f'title="{digest}"' in body  # the whole digest on hover


def test_addresses_break_after_the_at_sign_not_letter_by_letter(app, filled):
    tenant, _ids = filled
    body = logged_in(app, tenant).get(f"/t/{tenant.slug}/audit/").get_data(as_text=True)
    local, domain = tenant.admin_email.split("@")
    assert f'class="who-cell">{local}@<wbr>{domain}</td>' in body


def _entries(db, tenant, count: int) -> None:
    with db.tenant(schema_for(tenant.slug)) as session:
        for i in range(count):
            session.add(
                AuditEntry(
                    actor="hr@example.com",
                    action="unit.moved" if i % 2 else "employee.updated",
                    record_type="org_unit" if i % 2 else "employee",
                    record_id=str(1000 + i),
                    before={"parent_id": 1, "manager_id": 2} if i % 2 else {"status": "active"},
                    after={"parent_id": 3, "manager_id": 4} if i % 2 else {"status": "left"},
                )
            )


def test_names_cost_one_query_per_record_type_however_long_the_page(app, db, make_tenant):
    from tests.web.test_request_cost import logged

    tenant = make_tenant(locale="en")
    client = logged_in(app, tenant)
    url = f"/t/{tenant.slug}/audit/?actor=hr@example.com"
    _entries(db, tenant, 4)
    few = logged(app, client, url).own()
    _entries(db, tenant, 60)
    many = logged(app, client, url).own()
    # Filters, count, page, and one query per record type named (units, employees).
    assert len(many) == len(few) == 7
