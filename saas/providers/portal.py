"""What a provider's contact sees on their home page: per provider of theirs, the contract
running (or next, or last), its payment tiers and the latest published grades. Three
statements whatever the number of providers; nothing for anyone who is no contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.providers.lists import Grade, TierShown, grades, tier_table
from saas.providers.service import period_state, provider_clause, shown_contract

HOME_GRADES = 3  # per provider: the latest few; the provider's page has the rest


@dataclass(frozen=True)
class PortalCard:
    unit: OrgUnit
    contract: ProviderContract | None
    state: str | None
    tiers: list[TierShown]
    grades: list[Grade]


def portal_cards(session: Session, actor: Actor, today: dt.date) -> list[PortalCard]:
    """The contact's own providers, by name; empty for anyone else."""
    ids = actor.scope.provider_unit_ids
    if not ids:
        return []
    units = list(
        session.scalars(
            select(OrgUnit)
            .where(OrgUnit.id.in_(ids), provider_clause(actor))
            .order_by(OrgUnit.name, OrgUnit.id)
        )
    )
    found = [unit.id for unit in units]
    contracts: dict[int, list[ProviderContract]] = {unit_id: [] for unit_id in found}
    for contract in session.scalars(
        select(ProviderContract).where(ProviderContract.unit_id.in_(found))
    ):
        contracts[contract.unit_id].append(contract)
    # A contact sees published results only, whatever else they hold.
    released = grades(session, found, released_only=True, per_provider=HOME_GRADES)
    cards = []
    for unit in units:
        shown = shown_contract(contracts[unit.id], today)
        own = [grade for grade in released if grade.unit_id == unit.id]
        state = period_state(shown, today) if shown else None
        tiers = tier_table(shown, None) if shown else []
        cards.append(PortalCard(unit, shown, state, tiers, own))
    return cards
