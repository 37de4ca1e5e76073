"""Reads for the providers pages, each in a fixed number of statements.

- ``provider_page``: one page of the providers in reach with their contracts, contacts and
  latest grades (four: the count, the units, their contracts with contacts, their grades);
- ``grades``: the graded periods of some providers — per cycle that had the provider as a
  subject, its current result (the latest finished scoring run's), newest first. A contact
  sees only cycles published or closed; staff see the current result whatever the stage,
  with the stage beside it (``sees_unpublished``).
- ``payable``: what the tier table says is payable for a graded period (pure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from saas.auth.permissions import Actor
from saas.models.cycle import (
    Cycle,
    CycleResult,
    CycleStatus,
    CycleSubject,
    RunStatus,
    ScoringRun,
    SubjectKind,
)
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract
from saas.models.user import User
from saas.paging import PER_PAGE, Page, page_within
from saas.providers.service import (
    contact_id_of,
    contract_on,
    period_state,
    provider_clause,
    sees_unpublished,
    shown_contract,
)
from saas.providers.tiers import ProviderScheme, share_for
from saas.validation import finite_decimal

RELEASED = (CycleStatus.PUBLISHED, CycleStatus.CLOSED)
GRADES_SHOWN = 36  # three years of monthly grades on a provider's page
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Grade:
    unit_id: int
    cycle_id: int
    cycle_name: str
    period: str
    period_start: dt.date
    period_end: dt.date
    status: str  # the cycle's stage
    final: Decimal | None
    band: str | None

    @property
    def score(self) -> Decimal | None:
        return None if self.final is None else self.final.quantize(CENT, ROUND_HALF_UP)

    @property
    def months(self) -> int:
        """The calendar months the graded period spans (1 for a monthly cycle)."""
        start, end = self.period_start, self.period_end
        return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def grades(
    session: Session,
    unit_ids: Iterable[int],
    *,
    released_only: bool,
    per_provider: int = GRADES_SHOWN,
) -> list[Grade]:
    """The providers' graded periods, newest first, at most ``per_provider`` of each (one
    statement)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    finished = aliased(ScoringRun)
    current_run = (
        select(finished.id)
        .where(finished.cycle_id == Cycle.id, finished.status == RunStatus.FINISHED)
        .order_by(finished.number.desc())
        .limit(1)
        .correlate(Cycle)
        .scalar_subquery()
    )
    newest = (Cycle.period_end.desc(), Cycle.id.desc())
    rank = func.row_number().over(partition_by=CycleSubject.unit_id, order_by=newest)
    query = (
        select(
            CycleSubject.unit_id,
            Cycle.id.label("cycle_id"),
            Cycle.name,
            Cycle.period,
            Cycle.period_start,
            Cycle.period_end,
            Cycle.status,
            CycleResult.final,
            CycleResult.band,
            rank.label("rank"),
        )
        .join(Cycle, Cycle.id == CycleSubject.cycle_id)
        .join(CycleResult, CycleResult.cycle_subject_id == CycleSubject.id)
        .where(
            CycleSubject.kind == SubjectKind.PROVIDER,
            CycleSubject.unit_id.in_(ids),
            CycleResult.run_id == current_run,
            CycleResult.excluded.is_(False),
        )
    )
    if released_only:
        query = query.where(Cycle.status.in_(RELEASED))
    ranked = query.subquery()
    rows = session.execute(
        select(*[column for column in ranked.c if column.name != "rank"])
        .where(ranked.c.rank <= per_provider)
        .order_by(ranked.c.period_end.desc(), ranked.c.cycle_id.desc())
    )
    return [Grade(*row) for row in rows]


def visible_grades(
    session: Session, actor: Actor, unit_ids: Iterable[int], **options: int
) -> list[Grade]:
    """``grades`` as the actor may see them."""
    return grades(session, unit_ids, released_only=not sees_unpublished(actor), **options)


@dataclass(frozen=True)
class Payable:
    """What the tier table says is payable for one graded period."""

    grade: Grade
    contract: ProviderContract | None
    share: Decimal | None  # percent of the monthly fee
    per_month: Decimal | None
    amount: Decimal | None  # per month × the months of the period
    missing: str | None  # why there is no figure (saas/providers/words.py NO_FIGURE_LABELS)


def payable(grade: Grade, contracts: Sequence[ProviderContract]) -> Payable:
    """Monthly fee × the band's share, for the contract in force on the period's first day."""
    contract = contract_on(contracts, grade.period_start)
    share = share_for(contract.tiers or [], grade.band) if contract is not None else None
    missing = None
    if contract is None:
        missing = "no_contract"
    elif contract.monthly_fee is None:
        missing = "no_fee"
    elif grade.band is None:
        missing = "no_band"
    elif share is None:
        missing = "no_tier"
    if missing is not None:
        return Payable(grade, contract, share, None, None, missing)
    per_month = (contract.monthly_fee * share / 100).quantize(CENT, ROUND_HALF_UP)
    return Payable(grade, contract, share, per_month, per_month * grade.months, None)


@dataclass(frozen=True)
class TierShown:
    band: str
    share: Decimal | None  # percent of the monthly fee; None: the contract sets none
    per_month: Decimal | None
    in_scheme: bool


def tier_table(contract: ProviderContract, scheme: ProviderScheme | None) -> list[TierShown]:
    """The contract's tiers in the scheme's band order, with what each pays a month; a band
    of the scheme the contract sets no share for is listed without one."""
    own = {
        str(tier["band"]): finite_decimal(tier.get("share"))
        for tier in contract.tiers or []
        if isinstance(tier, dict) and tier.get("band")
    }
    in_scheme = scheme.labels if scheme else []
    bands = in_scheme + [band for band in own if band not in in_scheme]
    fee = contract.monthly_fee
    rows = []
    for band in bands:
        share = own.get(band)
        amount = None
        if share is not None and fee is not None:
            amount = (fee * share / 100).quantize(CENT, ROUND_HALF_UP)
        rows.append(TierShown(band, share, amount, band in in_scheme))
    return rows


@dataclass(frozen=True)
class ProviderRow:
    unit: OrgUnit
    contract: ProviderContract | None  # the one shown (saas/providers/service.py)
    state: str | None  # its period as of today
    contact: User | None
    grade: Grade | None


def provider_page(session: Session, actor: Actor, page: int, today: dt.date) -> Page:
    """One page of the providers in reach (not archived), by name (four statements)."""
    conditions = (provider_clause(actor), OrgUnit.archived_at.is_(None))
    total = session.scalar(select(func.count()).select_from(OrgUnit).where(*conditions))
    page = page_within(total, page)
    units = list(
        session.scalars(
            select(OrgUnit)
            .where(*conditions)
            .order_by(OrgUnit.name, OrgUnit.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    ids = [unit.id for unit in units]
    contracts: dict[int, list[ProviderContract]] = {unit_id: [] for unit_id in ids}
    contacts: dict[int, User] = {}
    if ids:
        rows = session.execute(
            select(ProviderContract, User)
            .outerjoin(User, User.id == ProviderContract.contact_user_id)
            .where(ProviderContract.unit_id.in_(ids))
            .order_by(ProviderContract.starts_on, ProviderContract.id)
        )
        for contract, user in rows:
            contracts[contract.unit_id].append(contract)
            if user is not None:
                contacts[user.id] = user
    latest = {g.unit_id: g for g in visible_grades(session, actor, ids, per_provider=1)}
    result = []
    for unit in units:
        own = contracts[unit.id]
        shown = shown_contract(own, today)
        contact_id = contact_id_of(own)
        result.append(
            ProviderRow(
                unit,
                shown,
                period_state(shown, today) if shown else None,
                contacts.get(contact_id) if contact_id else None,
                latest.get(unit.id),
            )
        )
    return Page(result, total, page)


def expiring_count(session: Session, actor: Actor, today: dt.date) -> int:
    """Providers in reach whose contract running today ends within 30 days and that have
    no contract recorded after it (one statement)."""
    later = aliased(ProviderContract)
    ends_soon = (
        select(func.count(func.distinct(ProviderContract.unit_id)))
        .join(OrgUnit, OrgUnit.id == ProviderContract.unit_id)
        .where(
            provider_clause(actor),
            OrgUnit.archived_at.is_(None),
            ProviderContract.starts_on <= today,
            ProviderContract.ends_on >= today,
            ProviderContract.ends_on <= today + dt.timedelta(days=30),
            ~select(later.id)
            .where(later.unit_id == ProviderContract.unit_id, later.starts_on > today)
            .exists(),
        )
    )
    return session.scalar(ends_soon) or 0
