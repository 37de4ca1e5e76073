"""The providers' rules: contracts checked field by field (hostile input included), tiers
prefilled from the scheme, a new period as a new row, the contact and their sessions, the
accounts page refusing to mix a contact with staff roles, grades and what is payable, reach,
and the audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.accounts import users
from saas.auth.permissions import Refused
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.user import Role, User
from saas.providers import contacts, lists, service, tiers
from saas.providers.service import ContractInput
from saas.validation import Invalid
from tests.providers.conftest import TIERS

BANDS = ("优秀", "良好", "合格", "不合格")
GOOD = ContractInput(
    company="某某保安服务有限公司",
    starts_on="2027-01-01",
    ends_on="2027-12-31",
    monthly_fee="21000.50",
    bands=BANDS,
    shares=("100", "100", "92.5", "85"),
    note="续签",
)


def _errors(call) -> dict:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.errors


def _with(**changes) -> ContractInput:
    return ContractInput(**{**GOOD.__dict__, **changes})


@pytest.fixture
def in_app(app):
    """A request in English: the messages asserted on are the source strings."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


HOSTILE_FIELDS = [
    ({"company": ""}, "company"),
    ({"company": "   "}, "company"),
    ({"company": "公" * 201}, "company"),
    ({"starts_on": ""}, "starts_on"),
    ({"starts_on": "²⁰²⁷-01-01"}, "starts_on"),
    ({"starts_on": "2027-13-01"}, "starts_on"),
    ({"starts_on": "2027-02-30"}, "starts_on"),
    ({"starts_on": "1999-12-31"}, "starts_on"),
    ({"ends_on": "2101-01-01"}, "ends_on"),
    ({"ends_on": "9999-12-31"}, "ends_on"),
    ({"ends_on": "2027-12-31\x00"}, "ends_on"),
    ({"ends_on": "x" * 3000}, "ends_on"),
    ({"ends_on": "2026-12-31"}, "ends_on"),  # before the start
    ({"monthly_fee": ""}, "monthly_fee"),
    ({"monthly_fee": "-1"}, "monthly_fee"),
    ({"monthly_fee": "NaN"}, "monthly_fee"),
    ({"monthly_fee": "Infinity"}, "monthly_fee"),
    ({"monthly_fee": "1e999999999"}, "monthly_fee"),
    ({"monthly_fee": "100000000"}, "monthly_fee"),
    ({"monthly_fee": "1.005"}, "monthly_fee"),
    ({"monthly_fee": "' or 1=1 --"}, "monthly_fee"),
    ({"monthly_fee": "1e3"}, "monthly_fee"),
    ({"monthly_fee": "٣"}, "monthly_fee"),
    ({"monthly_fee": "²"}, "monthly_fee"),
    ({"shares": ("١٠٠", "100", "95", "90")}, "share-0"),
    ({"shares": ("101", "100", "95", "90")}, "share-0"),
    ({"shares": ("100", "-0.01", "95", "90")}, "share-1"),
    ({"shares": ("100", "100", "NaN", "90")}, "share-2"),
    ({"shares": ("100", "100", "95", "50.555")}, "share-3"),
    ({"shares": ("100", "", "95", "90")}, "share-1"),  # every band of the scheme needs one
    ({"shares": ("100", "100", "95")}, "tiers"),  # rows not sent whole
    ({"bands": ("优秀", "良好", "合格", "伪造")}, "tiers"),  # no such band
    ({"bands": ("优秀", "优秀", "合格", "不合格")}, "tiers"),  # twice
    ({"bands": ("优秀", "良好", "合格"), "shares": ("100", "100", "95")}, "tiers"),  # one missing
    ({"bands": ("优秀",) * 30, "shares": ("100",) * 30}, "tiers"),
    ({"note": "注" * 1001}, "note"),
]


def test_a_contract_is_checked_field_by_field(db, site):
    with db.tenant(site.schema) as session:
        for changes, field in HOSTILE_FIELDS:
            errors = _errors(
                lambda changes=changes: service.add_contract(
                    session, site.admin(), site.unit("WB-BA"), _with(**changes)
                )
            )
            assert field in errors, (changes, errors)
        # Full-width digits from a Chinese keyboard, and thousands commas, read as meant.
        assert tiers.amount("２０，０００．５") == Decimal("20000.5")
        assert tiers.amount("20,000") == Decimal(20000)
        # Nothing was written; the good input goes through.
        assert len(service.contracts_of(session, site.unit("WB-BA"))) == 1
        assert service.add_contract(session, site.admin(), site.unit("WB-BA"), GOOD) is not None


def test_every_fault_is_reported_at_once(db, site):
    with db.tenant(site.schema) as session:
        errors = _errors(
            lambda: service.add_contract(
                session,
                site.admin(),
                site.unit("WB-LH"),
                ContractInput(monthly_fee="-3", bands=BANDS, shares=("", "", "", "")),
            )
        )
        assert {"company", "starts_on", "ends_on", "monthly_fee", "share-0", "share-3"} <= set(
            errors
        )


def test_tiers_are_prefilled_from_the_scheme_s_pay_coefficients(db, site):
    with db.tenant(site.schema) as session:
        scheme = tiers.provider_scheme(session, site.unit("WB-LH"))
        assert scheme is not None and scheme.version_id == site.version_id
        assert scheme.labels == list(BANDS)
        rows = tiers.tier_rows(scheme, [])
        assert [(r.band, r.share, r.in_scheme) for r in rows] == [
            ("优秀", "100", True),
            ("良好", "100", True),
            ("合格", "95", True),
            ("不合格", "90", True),
        ]
        # A contract's own shares win; a band the scheme no longer has is listed after.
        own = tiers.tier_rows(
            scheme, [{"band": "合格", "share": "97.5"}, {"band": "旧档", "share": "80"}]
        )
        assert [(r.band, r.share, r.in_scheme) for r in own][2:] == [
            ("合格", "97.5", True),
            ("不合格", "90", True),
            ("旧档", "80", False),
        ]


def test_without_a_provider_scheme_a_contract_has_no_tiers(db, make_tenant):
    from tests.providers.conftest import make_site

    site = make_site(db, make_tenant)
    with db.tenant(site.schema) as session:
        from saas.models.scheme import SchemeVersion

        version = session.get(SchemeVersion, site.version_id)
        version.status, version.archived_at = "archived", dt.datetime.now(dt.UTC)
        session.flush()
        assert tiers.provider_scheme(session, site.unit("WB-LH")) is None
        added = service.add_contract(
            session,
            site.admin(),
            site.unit("WB-LH"),
            _with(bands=(), shares=(), starts_on="2026-01-01", ends_on="2026-06-30"),
        )
        assert added.tiers == []


def test_a_new_period_is_a_new_row_and_the_old_one_stays(db, site):
    provider = site.unit("WB-BA")
    with db.tenant(site.schema) as session:
        added = service.add_contract(session, site.admin(), provider, GOOD)
        assert added.tiers == [
            {"band": "优秀", "share": "100"},
            {"band": "良好", "share": "100"},
            {"band": "合格", "share": "92.5"},
            {"band": "不合格", "share": "85"},
        ]
        assert added.monthly_fee == Decimal("21000.50")
        # The contact carries over to the new period.
        assert added.contact_user_id == site.users["contact"]
        rows = service.contracts_of(session, provider)
        assert [(c.starts_on.year, c.company) for c in rows] == [
            (2026, "某某保安服务有限公司"),
            (2027, "某某保安服务有限公司"),
        ]
        assert rows[0].tiers == TIERS and rows[0].monthly_fee == Decimal("20000.00")
        # Periods never overlap, whichever side.
        for start, end in (("2026-12-01", "2027-01-31"), ("2027-06-01", "2027-06-30")):
            errors = _errors(
                lambda start=start, end=end: service.add_contract(
                    session, site.admin(), provider, _with(starts_on=start, ends_on=end)
                )
            )
            assert "overlaps the contract" in str(errors["starts_on"][0])
        # The shown contract: the one running today, else the next, else the last.
        assert service.shown_contract(rows, dt.date(2026, 5, 1)).id == rows[0].id
        assert service.shown_contract(rows, dt.date(2025, 5, 1)).id == rows[0].id
        assert service.shown_contract(rows, dt.date(2030, 5, 1)).id == rows[1].id


def test_period_states(db, site):
    with db.tenant(site.schema) as session:
        contract = session.get(ProviderContract, site.contracts["WB-BA"])
        states = {
            day: service.period_state(contract, day)
            for day in (
                dt.date(2025, 12, 31),
                dt.date(2026, 6, 1),
                dt.date(2026, 12, 1),
                dt.date(2026, 12, 31),
                dt.date(2027, 1, 1),
            )
        }
        assert list(states.values()) == ["upcoming", "current", "expiring", "expiring", "expired"]


def test_a_correction_is_audited_with_what_changed_only(db, site):
    provider, contract_id = site.unit("WB-BA"), site.contracts["WB-BA"]
    same = _with(
        company="某某保安服务有限公司",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        monthly_fee="20000",
        shares=("100", "100", "95", "90"),
        note="",
    )
    with db.tenant(site.schema) as session:
        found, changed = service.change_contract(session, site.admin(), provider, contract_id, same)
        assert found is not None and not changed
        fixed = _with(
            **{**same.__dict__, "monthly_fee": "19800", "shares": ("100", "98", "95", "90")}
        )
        found, changed = service.change_contract(
            session, site.admin(), provider, contract_id, fixed
        )
        assert changed and found.monthly_fee == Decimal("19800.00")
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == "provider_contract")
        ).all()
        assert [row.action for row in rows] == ["provider_contract.changed"]
        assert rows[0].before == {"monthly_fee": "20000.00", "tiers": TIERS}
        assert rows[0].after["monthly_fee"] == "19800.00"
        assert rows[0].after["tiers"][1] == {"band": "良好", "share": "98"}
        # Another provider's contract is not found through this one.
        other = site.contracts["WB-DT"]
        assert service.change_contract(session, site.admin(), provider, other, fixed) == (
            None,
            False,
        )


def test_an_archived_provider_s_contracts_no_longer_change(db, site):
    with db.tenant(site.schema) as session:
        session.get(OrgUnit, site.unit("WB-BA")).archived_at = dt.datetime.now(dt.UTC)
        session.flush()
        with pytest.raises(Refused):
            service.add_contract(session, site.admin(), site.unit("WB-BA"), GOOD)


def test_only_an_admin_records_contracts(db, site):
    with db.tenant(site.schema) as session:
        for who in ("manager", "committee", "contact"):
            with pytest.raises(Refused):
                service.add_contract(session, site.actor(session, who), site.unit("WB-BA"), GOOD)


def test_reach(db, site):
    with db.tenant(site.schema) as session:

        def seen(who: str) -> set[str]:
            actor = site.admin() if who == "admin" else site.actor(session, who)
            clause = service.provider_clause(actor)
            return set(session.scalars(select(OrgUnit.code).where(clause)))

        everyone = {"WB-BA", "WB-DT", "WB-LH"}
        assert seen("admin") == seen("committee") == seen("inspector") == everyone
        assert seen("manager") == {"WB-BA"}  # the provider under their unit
        assert seen("contact") == {"WB-BA"} and seen("other") == {"WB-DT"}
        assert seen("employee") == set()
        assert service.sees_unpublished(site.actor(session, "manager"))
        assert not service.sees_unpublished(site.actor(session, "contact"))


# -- the contact ------------------------------------------------------------------------------


def _version(session, user_id: int) -> int:
    session.expire_all()
    return session.get(User, user_id).session_version


def test_a_new_contact_is_invited_with_the_provider_role_only(db, site, in_app):
    provider, old = site.unit("WB-BA"), site.users["contact"]
    with db.tenant(site.schema) as session:
        session.add(
            ProviderContract(
                unit_id=provider,
                company="x",
                contact_user_id=old,
                starts_on=dt.date(2025, 1, 1),
                ends_on=dt.date(2025, 12, 31),
            )
        )
        session.flush()
        before = _version(session, old)
        user, invited = contacts.set_contact(
            session,
            site.admin(),
            site.tenant(db),
            provider,
            contacts.ContactInput(" Li.Na@Example.COM ", "李娜", "zh_CN"),
        )
        assert invited and user.email == "li.na@example.com" and user.password_hash is None
        assert user.role_names == {"provider"} and user.locale == "zh_CN"
        # Named on every row of the provider, old periods too; the old contact's logins end.
        assert {c.contact_user_id for c in service.contracts_of(session, provider)} == {user.id}
        assert _version(session, old) == before + 1
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["user.invited", "provider.contact_set"]
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "provider.contact_set"))
        assert (row.record_type, row.record_id) == ("provider", str(provider))
        assert row.before == {"contact": site.email("contact")}
        assert row.after == {"contact": "li.na@example.com"}


def test_an_existing_provider_account_is_linked_and_a_staff_one_refused(db, site, in_app):
    provider = site.unit("WB-BA")
    with db.tenant(site.schema) as session:
        admin, tenant = site.admin(), site.tenant(db)
        # The contact of another provider may serve this one too.
        user, invited = contacts.set_contact(
            session, admin, tenant, provider, contacts.ContactInput(site.email("other"))
        )
        assert not invited and user.id == site.users["other"]
        for email in (site.email("manager"), site.email("employee"), site.org.tenant.admin_email):
            errors = _errors(
                lambda email=email: contacts.set_contact(
                    session, admin, tenant, provider, contacts.ContactInput(email, "x")
                )
            )
            assert "staff account" in str(errors["email"][0])
        assert "already the contact" in str(
            _errors(
                lambda: contacts.set_contact(
                    session, admin, tenant, provider, contacts.ContactInput(site.email("other"))
                )
            )["email"][0]
        )
        session.get(User, site.users["contact"]).is_active_account = False
        session.flush()
        assert "disabled" in str(
            _errors(
                lambda: contacts.set_contact(
                    session, admin, tenant, provider, contacts.ContactInput(site.email("contact"))
                )
            )["email"][0]
        )


@pytest.mark.parametrize(
    ("email", "name", "field"),
    [
        ("", "x", "email"),
        ("not-an-address", "x", "email"),
        ("a@b", "x", "email"),
        ("a" * 250 + "@x.cn", "x", "email"),
        ("new@example.com", "", "name"),
        ("new@example.com", "名" * 201, "name"),
    ],
)
def test_a_contact_s_address_and_name_are_checked(db, site, in_app, email, name, field):
    with db.tenant(site.schema) as session:
        errors = _errors(
            lambda: contacts.set_contact(
                session,
                site.admin(),
                site.tenant(db),
                site.unit("WB-BA"),
                contacts.ContactInput(email, name),
            )
        )
        assert field in errors


def test_a_provider_without_a_contract_gets_no_contact(db, site, in_app):
    with db.tenant(site.schema) as session:
        errors = _errors(
            lambda: contacts.set_contact(
                session,
                site.admin(),
                site.tenant(db),
                site.unit("WB-LH"),
                contacts.ContactInput("new@example.com", "新人"),
            )
        )
        assert "contract first" in str(errors["email"][0])


def test_removing_the_contact_ends_their_sessions(db, site):
    provider, contact = site.unit("WB-BA"), site.users["contact"]
    with db.tenant(site.schema) as session:
        before = _version(session, contact)
        stale = _errors(lambda: contacts.remove_contact(session, site.admin(), provider, 999))
        assert "reload" in str(stale["contact"][0])
        assert "contact" in _errors(
            lambda: contacts.remove_contact(session, site.admin(), provider, None)
        )
        removed = contacts.remove_contact(session, site.admin(), provider, contact)
        assert removed.id == contact
        assert service.contracts_of(session, provider)[0].contact_user_id is None
        assert _version(session, contact) == before + 1
        # Their scope has no provider any more.
        assert site.actor(session, "contact").scope.provider_unit_ids == ()
        assert "no contact" in str(
            _errors(lambda: contacts.remove_contact(session, site.admin(), provider, contact))[
                "contact"
            ][0]
        )
        row = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "provider.contact_removed")
        )
        assert row.before == {"contact": site.email("contact")} and row.after == {"contact": None}
        # Out of reach: not found.
        assert contacts.remove_contact(session, site.admin(), 999999, contact) is None


# -- the accounts page: no mixing -------------------------------------------------------------


def test_the_accounts_page_keeps_a_contact_apart_from_staff(db, site, in_app):
    admin, tenant = site.admin(), site.tenant(db)
    with db.tenant(site.schema) as session:
        mixed = users.Invitation("mixed@example.com", "混合", ["provider", "manager"], None, None)
        assert "roles" in _errors(lambda: users.invite(session, admin, tenant, mixed))
        linked = users.Invitation("p@example.com", "员工", ["provider"], "P-E", None)
        assert "employee_number" in _errors(lambda: users.invite(session, admin, tenant, linked))
        alone = users.Invitation("alone@example.com", "独立", ["provider"], None, None)
        assert users.invite(session, admin, tenant, alone).role_names == {"provider"}
        contact = site.users["contact"]
        for roles in (["provider", "committee"], ["manager"]):
            with pytest.raises(Invalid):
                users.set_roles(session, admin, tenant, contact, roles)
        employee = site.users["employee"]
        with pytest.raises(Invalid, match="employee's account"):
            users.set_roles(session, admin, tenant, employee, ["provider"])
        # Once no provider names them, a contact's account may become something else.
        contacts.remove_contact(session, admin, site.unit("WB-BA"), contact)
        assert users.set_roles(session, admin, tenant, contact, ["inspector"])
        assert session.get(User, contact).role_names == {Role.INSPECTOR.value}


# -- grades and what is payable ---------------------------------------------------------------


def test_grades_follow_the_cycle_s_stage_for_a_contact(db, site):
    with db.tenant(site.schema) as session:
        site.grade(session, "WB-BA", "2026-07", "合格", "72.456")
        site.grade(session, "WB-BA", "2026-08", "优秀", "93", status="review")
        site.grade(session, "WB-DT", "2026-07", "良好", "85")
        site.grade(session, "WB-BA", "2026-09", None, "40", status="closed")
        staff = lists.grades(session, [site.unit("WB-BA")], released_only=False)
        assert [(g.period, g.band, g.status) for g in staff] == [
            ("2026-09", None, "closed"),
            ("2026-08", "优秀", "review"),
            ("2026-07", "合格", "published"),
        ]
        released = lists.grades(session, [site.unit("WB-BA")], released_only=True)
        assert [g.period for g in released] == ["2026-09", "2026-07"]
        assert released[1].score == Decimal("72.46")
        latest = lists.grades(
            session, [site.unit("WB-BA"), site.unit("WB-DT")], released_only=False, per_provider=1
        )
        assert {(g.unit_id, g.period) for g in latest} == {
            (site.unit("WB-BA"), "2026-09"),
            (site.unit("WB-DT"), "2026-07"),
        }
        contract = session.get(ProviderContract, site.contracts["WB-BA"])
        july, september = released[1], released[0]
        paid = lists.payable(july, [contract])
        assert (paid.share, paid.per_month, paid.amount) == (
            Decimal(95),
            Decimal("19000.00"),
            Decimal("19000.00"),
        )
        assert lists.payable(september, [contract]).missing == "no_band"
        assert lists.payable(july, []).missing == "no_contract"


def test_what_is_payable_when_the_figure_is_missing_or_spans_months():
    contract = ProviderContract(
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        monthly_fee=Decimal("8600.50"),
        tiers=[{"band": "合格", "share": "92.5"}],
    )

    def graded(period_start, period_end, band="合格"):
        return lists.Grade(1, 1, "c", "p", period_start, period_end, "published", Decimal(70), band)

    quarter = lists.payable(graded(dt.date(2026, 7, 1), dt.date(2026, 9, 30)), [contract])
    assert quarter.per_month == Decimal("7955.46")  # 8600.50 × 92.5 %, to the cent
    assert quarter.amount == Decimal("23866.38") and quarter.grade.months == 3
    assert (
        lists.payable(graded(dt.date(2026, 7, 1), dt.date(2026, 7, 31), "优秀"), [contract]).missing
        == "no_tier"
    )
    contract.monthly_fee = None
    assert (
        lists.payable(graded(dt.date(2026, 7, 1), dt.date(2026, 7, 31)), [contract]).missing
        == "no_fee"
    )
    assert (
        lists.payable(graded(dt.date(2027, 1, 1), dt.date(2027, 1, 31)), [contract]).missing
        == "no_contract"
    )


def test_audit_words_show_the_tiers(in_app):
    from saas.audit.labels import action_label, field_label, value_text

    assert action_label("provider_contract.added") == "Provider contract recorded"
    assert field_label("provider_contract", "tiers") == "Payment tiers"
    shown = value_text("provider_contract", "tiers", TIERS)
    assert shown == "优秀 100%, 良好 100%, 合格 95%, 不合格 90%"
    assert value_text("provider_contract", "starts_on", "2026-01-01") == "Jan 1, 2026"
