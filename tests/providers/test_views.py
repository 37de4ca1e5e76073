"""The providers pages as each role uses them: the admin recording contracts and the contact's
account, the contact confined to their own provider, a manager to the providers under their
units, roles without the right, another tenant, and the list's fixed statement count."""

from __future__ import annotations

import datetime as dt
import re

from flask import url_for
from sqlalchemy import event, select

from saas.auth.permissions import PERMISSIONS
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.user import Role, User
from saas.org.units import create_unit
from saas.web.menu import MENU
from tests.accounts.conftest import LINK
from tests.conftest import csrf_token
from tests.providers.conftest import make_site

CONTRACT = {
    "company": "某某保安服务有限公司",
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
    "monthly_fee": "21000",
    "band": ["优秀", "良好", "合格", "不合格"],
    "share": ["100", "100", "95", "88"],
    "note": "<script>alert(1)</script>",
}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _graded(db, site) -> None:
    """July published (合格), August still in review (优秀), for both providers."""
    with db.tenant(site.schema) as session:
        for code in ("WB-BA", "WB-DT"):
            site.grade(session, code, "2026-07", "合格", "72.5")
            site.grade(session, code, "2026-08", "优秀", "93.25", status="review")


def test_the_admin_records_and_corrects_contracts(client, db, site):
    csrf = site.log_in(client, "admin")
    _graded(db, site)
    listed = _text(client.get(site.url()))
    for name in (
        "某某保安公司",
        "某某电梯维保公司",
        "某某绿化工程公司",
        "¥20,000.00",
        "no contract",
    ):
        assert name in listed
    assert "In review" in listed  # staff see the current result with its cycle's stage
    provider = site.unit("WB-BA")
    page = _text(client.get(site.url(f"{provider}")))
    assert "¥19,000.00" in page  # July: 合格 pays 95 % of ¥20,000
    assert "93.25" in page and "Record a contract period" in page
    form = _text(client.get(site.url(f"{provider}/contracts/new")))
    assert 'value="2027-01-01"' in form and 'value="2027-12-31"' in form
    assert re.findall(r'name="share" value="([^"]*)"', form) == ["100", "100", "95", "90"]
    bad = client.post(
        site.url(f"{provider}/contracts/new"),
        data={
            **CONTRACT,
            "csrf_token": csrf,
            "monthly_fee": "1e999999999",
            "ends_on": "2026-01-01",
        },
    )
    assert bad.status_code == 400
    assert "Give the monthly fee in yuan" in _text(bad)
    assert "cannot end before it starts" in _text(bad)
    added = client.post(
        site.url(f"{provider}/contracts/new"), data={**CONTRACT, "csrf_token": csrf}
    )
    assert added.status_code == 302
    page = _text(client.get(added.headers["Location"]))
    assert "2027-01-01 – 2027-12-31" in page and "2026-01-01 – 2026-12-31" in page
    assert "&lt;script&gt;" not in page  # the note of a future contract is not the shown one
    with db.tenant(site.schema) as session:
        new = session.scalar(
            select(ProviderContract).where(ProviderContract.starts_on >= dt.date(2027, 1, 1))
        )
        assert new.tiers[3] == {"band": "不合格", "share": "88"}
        assert (
            session.scalar(
                select(AuditEntry.action).where(
                    AuditEntry.record_type == "provider_contract",
                    AuditEntry.record_id == str(new.id),
                )
            )
            == "provider_contract.added"
        )
    edit = site.url(f"{provider}/contracts/{new.id}")
    assert "&lt;script&gt;" in _text(client.get(edit))
    corrected = client.post(edit, data={**CONTRACT, "csrf_token": csrf, "monthly_fee": "21500"})
    assert corrected.status_code == 302
    assert "¥21,500.00" in _text(client.get(site.url(f"{provider}")))
    # Another provider's contract is not found under this provider.
    other = site.contracts["WB-DT"]
    assert client.get(site.url(f"{provider}/contracts/{other}")).status_code == 404
    assert (
        client.post(
            site.url(f"{provider}/contracts/{other}"), data={**CONTRACT, "csrf_token": csrf}
        ).status_code
        == 404
    )
    assert client.get(site.url("999999")).status_code == 404
    # A unit that is no provider is not a provider's page.
    assert client.get(site.url(f"{site.unit('GC')}")).status_code == 404


def test_hostile_input_is_answered_in_the_user_s_language(client, site):
    csrf = site.log_in(client, "admin")
    path = site.url(f"{site.unit('WB-LH')}/contracts/new")
    client.post("/lang", data={"lang": "zh_CN", "next": path, "csrf_token": csrf})
    for changes in (
        {"monthly_fee": "NaN"},
        {"starts_on": "²⁰²⁷-01-01"},
        {"share": ["100", "100", "٣", "90"]},
        {"band": ["优秀", "良好", "合格"]},
        {"company": "x" * 5000},
    ):
        response = client.post(path, data={**CONTRACT, **changes, "csrf_token": csrf})
        assert response.status_code == 400, changes
        assert "合同未保存" in _text(response)
    response = client.post(path, data={**CONTRACT, "monthly_fee": "-5", "csrf_token": csrf})
    assert "请填写月服务费" in _text(response)


def test_the_contact_is_invited_linked_and_removed(app, client, db, site):
    csrf = site.log_in(client, "admin")
    provider = site.unit("WB-BA")
    old = app.test_client()
    site.log_in(old, "contact")
    assert old.get(site.url(f"{provider}")).status_code == 200
    bad = client.post(
        site.url(f"{provider}/contact"),
        data={"csrf_token": csrf, "email": site.email("manager"), "name": "x"},
    )
    assert bad.status_code == 400 and "staff account" in _text(bad)
    invited = client.post(
        site.url(f"{provider}/contact"),
        data={
            "csrf_token": csrf,
            "email": "li.na@baoan.example.cn",
            "name": "李娜",
            "locale": "en",
        },
    )
    assert invited.status_code == 200
    assert invited.headers["Cache-Control"] == "no-store"
    assert f'href="/t/{site.slug}/providers/{provider}"' in _text(invited)
    link = LINK.search(_text(invited)).group(1)
    # The replaced contact is logged out at once.
    assert "/login" in old.get(site.url(f"{provider}")).headers["Location"]
    # The new contact sets their password and lands on their provider's home.
    newcomer = app.test_client()
    token = csrf_token(newcomer, link)
    welcomed = newcomer.post(
        link,
        data={
            "csrf_token": token,
            "name": "李娜",
            "password": "a-long-password-1",
            "confirm": "a-long-password-1",
        },
    )
    assert welcomed.status_code == 302, _text(welcomed)
    home = _text(newcomer.get(f"/t/{site.slug}/"))
    assert "某某保安服务有限公司" in home and "Latest published grades" in home
    with db.tenant(site.schema) as session:
        user = session.scalar(select(User).where(User.email == "li.na@baoan.example.cn"))
        assert user.role_names == {"provider"}
    page = _text(client.get(site.url(f"{provider}")))
    assert "李娜" in page and f'name="contact" value="{user.id}"' in page
    stale = client.post(
        site.url(f"{provider}/contact/remove"), data={"csrf_token": csrf, "contact": "1"}
    )
    assert stale.status_code == 400 and "reload" in _text(stale)
    removed = client.post(
        site.url(f"{provider}/contact/remove"), data={"csrf_token": csrf, "contact": str(user.id)}
    )
    assert removed.status_code == 302
    assert "No contact" in _text(client.get(site.url(f"{provider}")))
    # Their session ended.
    assert "/login" in newcomer.get(f"/t/{site.slug}/").headers["Location"]
    # Linking an existing provider account needs no invitation.
    linked = client.post(
        site.url(f"{provider}/contact"), data={"csrf_token": csrf, "email": site.email("other")}
    )
    assert linked.status_code == 302
    with db.tenant(site.schema) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_type == "provider")
        ).all()
        assert actions == [
            "provider.contact_set",
            "provider.contact_removed",
            "provider.contact_set",
        ]


def _menu(body: str) -> set[str]:
    nav = re.search(r'<ul class="menu">.*?</ul>', body, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', nav))


def test_a_contact_sees_only_their_own_provider(app, client, db, site):
    _graded(db, site)
    csrf = site.log_in(client, "contact")
    home = _text(client.get(f"/t/{site.slug}/"))
    assert "某某保安服务有限公司" in home and "某某电梯维保" not in home
    assert "合格" in home and "72.5" in home
    assert "93.25" not in home  # August is still in review
    own = client.get(site.url(f"{site.unit('WB-BA')}"))
    assert own.status_code == 200
    assert "93.25" not in _text(own) and "¥19,000.00" in _text(own)
    assert "Correct this contract" not in _text(own) and "Remove the contact" not in _text(own)
    listed = _text(client.get(site.url()))
    assert (
        "某某保安公司" in listed and "某某电梯维保公司" not in listed and "某某绿化" not in listed
    )
    for code in ("WB-DT", "WB-LH"):
        assert client.get(site.url(f"{site.unit(code)}")).status_code == 404
    # The staff pages are closed to them.
    with db.tenant(site.schema) as session:
        cycle_id = session.scalar(select(OrgUnit.id).limit(1))  # any id: refused before lookup
    for path in (
        "org/",
        "people/",
        f"people/{1}",
        "ledger/",
        "cycles/",
        f"cycles/{cycle_id}/results",
        "accounts/",
        "audit/",
        "schemes/",
        "imports/",
        "settings/",
        f"providers/{site.unit('WB-BA')}/contracts/new",
    ):
        assert client.get(f"/t/{site.slug}/{path}").status_code == 403, path
    for path in ("contact", "contact/remove", "contracts/new"):
        response = client.post(
            site.url(f"{site.unit('WB-BA')}/{path}"),
            data={"csrf_token": csrf, "email": "x@example.com", "contact": "1"},
        )
        assert response.status_code == 403, path
    # The menu: exactly what the role may open.
    with app.test_request_context():
        expected = {
            url_for(item.endpoint, tenant_slug=site.slug)
            for item in MENU
            if Role.PROVIDER in PERMISSIONS[item.permission].reach
            and item.endpoint in app.view_functions
        }
    assert _menu(home) == expected
    assert {f"/t/{site.slug}/", f"/t/{site.slug}/providers/"} <= expected
    for closed in ("org/", "people/", "ledger/", "cycles/", "accounts/"):
        assert f"/t/{site.slug}/{closed}" not in expected


def test_a_manager_sees_the_providers_under_their_units(client, db, site):
    _graded(db, site)
    site.log_in(client, "manager")
    listed = _text(client.get(site.url()))
    assert "某某保安公司" in listed and "某某电梯维保公司" not in listed
    page = client.get(site.url(f"{site.unit('WB-BA')}"))
    assert page.status_code == 200 and "93.25" in _text(page) and "In review" in _text(page)
    assert "Record a contract period" not in _text(page)
    assert client.get(site.url(f"{site.unit('WB-DT')}")).status_code == 404
    assert client.get(site.url(f"{site.unit('WB-BA')}/contracts/new")).status_code == 403


def test_roles_without_the_right_are_refused(app, site):
    for who, paths in (
        ("employee", ("", f"{site.unit('WB-BA')}")),
        ("committee", (f"{site.unit('WB-BA')}/contracts/new",)),
        ("inspector", (f"{site.unit('WB-BA')}/contracts/{site.contracts['WB-BA']}",)),
    ):
        client = app.test_client()
        csrf = site.log_in(client, who)
        for path in paths:
            assert client.get(site.url(path)).status_code == 403, (who, path)
        response = client.post(
            site.url(f"{site.unit('WB-BA')}/contact"), data={"csrf_token": csrf, "email": "a@b.cn"}
        )
        assert response.status_code == 403
    # Committee members and inspectors read every provider.
    client = app.test_client()
    site.log_in(client, "inspector")
    assert "某某电梯维保公司" in _text(client.get(site.url()))


def test_another_tenant_s_admin_finds_nothing(client, db, make_tenant, site):
    with db.tenant(site.schema) as session:
        from saas.auth.permissions import Actor

        parent = session.get(OrgUnit, site.unit("WB"))
        extra = create_unit(
            session,
            Actor.system("seed@example.com"),
            parent,
            name="新保洁公司",
            code="WB-NEW",
            kind="provider",
        )
        session.add(
            ProviderContract(
                unit_id=extra.id, company="新保洁", starts_on="2026-01-01", ends_on="2026-12-31"
            )
        )
        session.flush()
        extra_id = extra.id
    other = make_site(db, make_tenant)
    csrf = other.log_in(client, "admin")
    # Ids are per tenant: the other tenant has no unit of that id.
    assert client.get(other.url(f"{extra_id}")).status_code == 404
    assert (
        client.post(
            other.url(f"{extra_id}/contracts/new"), data={**CONTRACT, "csrf_token": csrf}
        ).status_code
        == 404
    )
    assert (
        client.post(
            other.url(f"{extra_id}/contact/remove"), data={"csrf_token": csrf, "contact": "1"}
        ).status_code
        == 404
    )
    # And the first tenant's pages do not open with this login.
    assert client.get(site.url()).status_code == 302


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


def test_the_list_costs_the_same_however_many_providers(app, client, db, site):
    site.log_in(client, "admin")
    client.get(site.url())
    few = _statements(app, client, site.url())
    _graded(db, site)
    with db.tenant(site.schema) as session:
        from saas.auth.permissions import Actor

        parent = session.get(OrgUnit, site.unit("WB"))
        for n in range(6):
            unit = create_unit(
                session,
                Actor.system("seed@example.com"),
                parent,
                name=f"服务商{n}",
                code=f"WB-{n}",
                kind="provider",
            )
            session.add(
                ProviderContract(
                    unit_id=unit.id,
                    company=f"公司{n}",
                    starts_on="2026-01-01",
                    ends_on="2026-12-31",
                )
            )
    assert _statements(app, client, site.url()) == few


def test_the_accounts_page_refuses_to_mix_a_contact_with_staff_roles(client, db, site):
    csrf = site.log_in(client, "admin")
    contact = site.users["contact"]
    mixed = client.post(
        f"/t/{site.slug}/accounts/{contact}/roles",
        data={"csrf_token": csrf, "roles": ["provider", "manager"]},
    )
    assert mixed.status_code == 400 and "provider role only" in _text(mixed)
    invite = client.post(
        f"/t/{site.slug}/accounts/invite",
        data={
            "csrf_token": csrf,
            "email": "mixed@example.com",
            "name": "混合",
            "roles": ["provider", "inspector"],
            "locale": "en",
        },
    )
    assert invite.status_code == 400 and "provider role only" in _text(invite)
    page = _text(client.get(f"/t/{site.slug}/accounts/"))
    assert "Provider contact" in page
    with db.tenant(site.schema) as session:
        assert session.get(User, contact).role_names == {"provider"}
