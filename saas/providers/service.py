"""Providers (服务商): their contracts, payment tiers and contacts — the rules.

- A provider is an org unit of kind ``provider``. Each contract period is a row of
  ``provider_contract``; a new period is a new row and the old rows stay as the history.
  Periods of one provider never overlap; a period ends on or after its start, within the
  years 2000–2100. The company is named (at most 200 characters); the monthly fee is zero or
  more, below 100 million, with at most two decimals; a note has at most 1,000 characters.
- Payment tiers (分档付酬, 003 M5): the share of the monthly fee paid (0–100 %) for each band
  of the provider's assessment scheme (``provider_scheme``). Every band of the scheme needs
  a share; a band of an older table that the scheme no longer has is kept, or dropped when
  its share is left empty.
- The contact who logs in for the provider: saas/providers/contacts.py.
- Reach: ``providers.view`` reaches every provider for admins, committee members and
  inspectors; a manager reaches the providers under the units they manage; a contact their
  own. ``providers.manage`` (admins) records contracts and contacts. A provider out of reach
  is not found (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Reach, Refused
from saas.models.audit import record
from saas.models.org import OrgUnit, UnitKind
from saas.models.provider import ProviderContract
from saas.providers.tiers import ProviderScheme, amount, plain, provider_scheme, tier_rows
from saas.validation import Invalid, Problems

FEE_LIMIT = Decimal(100_000_000)  # 1亿 a month: past any real contract, inside numeric(12, 2)
SHARE_LIMIT = Decimal(100)
COMPANY_LIMIT = 200
NOTE_LIMIT = 1000
BAND_LIMIT = 120
NAME_LIMIT = 200
TIER_ROWS_LIMIT = 20  # a scheme has a handful of bands
FIRST_YEAR, LAST_YEAR = 2000, 2100
EXPIRING_DAYS = 30
CENT = Decimal("0.01")


# -- reach ------------------------------------------------------------------------------------


def provider_clause(actor: Actor, name: str = "providers.view") -> ColumnElement[bool]:
    """The provider units ``name`` reaches for the actor, as a clause on OrgUnit."""
    reach = actor.reach(name)
    is_provider = OrgUnit.kind == UnitKind.PROVIDER
    if Reach.ALL in reach:
        return is_provider
    parts = []
    if Reach.MANAGED in reach and actor.scope.managed_paths:
        parts.append(actor.scope.unit_clause())
    if Reach.SELF in reach and actor.scope.provider_unit_ids:
        parts.append(OrgUnit.id.in_(actor.scope.provider_unit_ids))
    return is_provider & or_(*parts) if parts else false()


def sees_unpublished(actor: Actor) -> bool:
    """Staff who read providers see a cycle's current result whatever its stage; a contact
    sees only the results of cycles published or closed."""
    return Reach.MANAGED in actor.reach("providers.view")


def find_provider(
    session: Session, actor: Actor, provider_id: int, name: str = "providers.view"
) -> OrgUnit | None:
    return session.scalar(
        select(OrgUnit).where(OrgUnit.id == provider_id, provider_clause(actor, name))
    )


def contracts_of(session: Session, provider_id: int) -> list[ProviderContract]:
    """Every contract period of the provider, oldest first."""
    return list(
        session.scalars(
            select(ProviderContract)
            .where(ProviderContract.unit_id == provider_id)
            .order_by(ProviderContract.starts_on, ProviderContract.id)
        )
    )


# -- periods ----------------------------------------------------------------------------------


def period_state(contract: ProviderContract, today: dt.date) -> str:
    """current, expiring (ends within 30 days), expired or upcoming."""
    if contract.starts_on > today:
        return "upcoming"
    if contract.ends_on < today:
        return "expired"
    if (contract.ends_on - today).days <= EXPIRING_DAYS:
        return "expiring"
    return "current"


def shown_contract(
    contracts: Sequence[ProviderContract], today: dt.date
) -> ProviderContract | None:
    """The contract a provider is shown with: the one running today, else the next one to
    start, else the last one that ran."""
    ordered = sorted(contracts, key=lambda c: (c.starts_on, c.id))
    for contract in ordered:
        if contract.starts_on <= today <= contract.ends_on:
            return contract
    upcoming = [c for c in ordered if c.starts_on > today]
    if upcoming:
        return upcoming[0]
    return ordered[-1] if ordered else None


def contract_on(contracts: Sequence[ProviderContract], day: dt.date) -> ProviderContract | None:
    """The contract whose period holds ``day``."""
    return next((c for c in contracts if c.starts_on <= day <= c.ends_on), None)


# -- contracts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInput:
    """A contract as typed in the form (text), checked by ``add_contract``/``change_contract``."""

    company: str = ""
    starts_on: str = ""
    ends_on: str = ""
    monthly_fee: str = ""
    bands: tuple[str, ...] = ()
    shares: tuple[str, ...] = ()
    note: str = ""


def text_field(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(_l("At most %(n)s characters.", n=limit), field)
    return text or None


def _day(value: str | None, field: str) -> dt.date:
    text = (value or "").strip()
    try:
        day = dt.date.fromisoformat(text) if len(text) <= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid(_l("Give a date such as 2026-01-01."), field)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid(_l("Give a date between 2000 and 2100."), field)
    return day


def _money(value: str | None) -> Decimal:
    fee = amount(value)
    if fee is None or fee >= FEE_LIMIT:
        raise Invalid(
            _l("Give the monthly fee in yuan, from 0 to below 100,000,000."), "monthly_fee"
        )
    if fee != fee.quantize(CENT):
        raise Invalid(_l("Give the fee to the cent at most (two decimals)."), "monthly_fee")
    return fee.quantize(CENT)


def _share(value: str, field: str) -> Decimal:
    share = amount(value)
    if share is None or share > SHARE_LIMIT:
        raise Invalid(_l("Give a share from 0 to 100 (percent)."), field)
    if share != share.quantize(CENT):
        raise Invalid(_l("At most two decimals."), field)
    return share


def _tiers(data: ContractInput, scheme: ProviderScheme | None, earlier: Sequence[Any], problems):
    """The tier table ([{band, share}]) from the form's rows, in the scheme's band order."""
    if len(data.bands) != len(data.shares) or len(data.bands) > TIER_ROWS_LIMIT:
        problems.add("tiers", _l("The payment tiers were not sent whole; reload the page."))
        return []
    required = scheme.labels if scheme else []
    allowed = set(required) | {row.band for row in tier_rows(None, earlier)}
    given: dict[str, str] = {}
    for index, (band, share) in enumerate(zip(data.bands, data.shares, strict=True)):
        band, share = band.strip()[: BAND_LIMIT + 1], share.strip()
        if band not in allowed or band in given:
            problems.add("tiers", _l("The payment tiers were not sent whole; reload the page."))
            return []
        if not share:
            if band in required:
                problems.add(f"share-{index}", _l("Give the share paid for this band."))
            continue
        checked = problems.check(_share, share, f"share-{index}")
        if checked is not None:
            given[band] = plain(checked)
    missing = [band for band in required if band not in given and band not in data.bands]
    if missing:
        problems.add(
            "tiers", _l("Give a share for every band: %(bands)s.", bands="、".join(missing))
        )
    order = {band: index for index, band in enumerate(required)}
    ranked = sorted(given, key=lambda band: (order.get(band, len(order)), band))
    return [{"band": band, "share": given[band]} for band in ranked]


def _checked(
    data: ContractInput, scheme: ProviderScheme | None, earlier: Sequence[Any]
) -> dict[str, Any]:
    """The contract's columns from the form, or Invalid naming every field at fault."""
    problems = Problems()
    company = problems.check(text_field, data.company, COMPANY_LIMIT, "company")
    if not company and "company" not in problems.errors:
        problems.add("company", _l("Name the provider's company."))
    starts_on = problems.check(_day, data.starts_on, "starts_on")
    ends_on = problems.check(_day, data.ends_on, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        problems.add("ends_on", _l("The contract cannot end before it starts."))
    fee = problems.check(_money, data.monthly_fee)
    tiers = _tiers(data, scheme, earlier, problems)
    note = problems.check(text_field, data.note, NOTE_LIMIT, "note")
    problems.raise_any()
    return {
        "company": company,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "monthly_fee": fee,
        "tiers": tiers,
        "note": note,
    }


def locked_provider(
    session: Session, actor: Actor, provider_id: int, *, contracts: bool = True
) -> OrgUnit | None:
    """The provider, locked: two admins recording periods at once cannot both pass the
    overlap check. An archived provider's contracts no longer change (its contact may)."""
    unit = session.scalar(
        select(OrgUnit)
        .where(OrgUnit.id == provider_id, provider_clause(actor, "providers.manage"))
        .with_for_update()
    )
    if contracts and unit is not None and unit.archived_at is not None:
        raise Refused(_l("This provider is archived: its contracts no longer change."))
    return unit


def _refuse_overlap(
    session: Session, provider_id: int, values: dict[str, Any], contract_id: int | None
) -> None:
    query = select(ProviderContract).where(
        ProviderContract.unit_id == provider_id,
        ProviderContract.starts_on <= values["ends_on"],
        ProviderContract.ends_on >= values["starts_on"],
    )
    if contract_id is not None:
        query = query.where(ProviderContract.id != contract_id)
    other = session.scalars(query.order_by(ProviderContract.starts_on).limit(1)).first()
    if other is not None:
        raise Invalid(
            _l(
                "This period overlaps the contract from %(start)s to %(end)s. A new period "
                "starts after the last one ends.",
                start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat(),
            ),
            "starts_on",
        )


def shown(contract: ProviderContract) -> dict[str, Any]:
    """What the audit log keeps of a contract."""
    return {
        "unit_id": contract.unit_id,
        "company": contract.company,
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "monthly_fee": None if contract.monthly_fee is None else str(contract.monthly_fee),
        "tiers": list(contract.tiers or []),
        "note": contract.note,
    }


def add_contract(
    session: Session, actor: Actor, provider_id: int, data: ContractInput
) -> ProviderContract | None:
    """Record a new contract period; None when the provider is not found in reach. The
    contact of the provider carries over to the new period."""
    actor.require("providers.manage")
    unit = locked_provider(session, actor, provider_id)
    if unit is None:
        return None
    earlier = contracts_of(session, provider_id)
    last = earlier[-1] if earlier else None
    values = _checked(data, provider_scheme(session, provider_id), last.tiers if last else [])
    _refuse_overlap(session, provider_id, values, None)
    contract = ProviderContract(
        unit_id=provider_id,
        contact_user_id=contact_id_of(earlier),
        created_by=actor.user_id,
        **values,
    )
    session.add(contract)
    session.flush()
    record(
        session,
        actor.email,
        "provider_contract.added",
        "provider_contract",
        contract.id,
        None,
        shown(contract),
    )
    return contract


def find_contract(
    session: Session, actor: Actor, provider_id: int, contract_id: int, name: str
) -> ProviderContract | None:
    return session.scalar(
        select(ProviderContract)
        .join(OrgUnit, OrgUnit.id == ProviderContract.unit_id)
        .where(
            ProviderContract.id == contract_id,
            ProviderContract.unit_id == provider_id,
            provider_clause(actor, name),
        )
    )


def change_contract(
    session: Session, actor: Actor, provider_id: int, contract_id: int, data: ContractInput
) -> tuple[ProviderContract | None, bool]:
    """Correct a recorded contract period: (the contract, whether anything changed); the
    contract is None when it is not found in reach."""
    actor.require("providers.manage")
    if locked_provider(session, actor, provider_id) is None:
        return None, False
    contract = find_contract(session, actor, provider_id, contract_id, "providers.manage")
    if contract is None:
        return None, False
    values = _checked(data, provider_scheme(session, provider_id), contract.tiers or [])
    _refuse_overlap(session, provider_id, values, contract.id)
    before = shown(contract)
    for name, value in values.items():
        setattr(contract, name, value)
    session.flush()
    after = shown(contract)
    changed = {key for key in after if after[key] != before[key]}
    if not changed:
        return contract, False
    record(
        session,
        actor.email,
        "provider_contract.changed",
        "provider_contract",
        contract.id,
        {key: before[key] for key in sorted(changed)},
        {key: after[key] for key in sorted(changed)},
    )
    return contract, True


def contact_id_of(contracts: Sequence[ProviderContract]) -> int | None:
    """The provider's contact: the one named on its latest contract row."""
    for contract in sorted(contracts, key=lambda c: (c.starts_on, c.id), reverse=True):
        if contract.contact_user_id is not None:
            return contract.contact_user_id
    return None
