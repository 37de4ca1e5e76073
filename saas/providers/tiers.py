"""Payment tiers (分档付酬, 003 M5): the bands of the scheme that assesses a provider, a
contract's shares of the monthly fee per band, and amounts as people type them. No session
writes here; ``provider_scheme`` reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.models.cycle import Cycle, CycleSubject, SubjectKind
from saas.models.scheme import SchemeVersion, VersionStatus
from saas.validation import finite_decimal

# Amounts as people type them: ASCII digits (full-width ones from a Chinese keyboard read as
# such), a point, thousands commas. Not Decimal()'s whole grammar: it also reads "٣" and "1e3".
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,12})?")


def amount(value: str | None) -> Decimal | None:
    """A non-negative amount typed in a form, else None."""
    text = (value or "").strip().translate(_FULL_WIDTH).replace(",", "")
    return Decimal(text) if _AMOUNT.fullmatch(text) else None


def plain(value: Decimal) -> str:
    """A decimal as people write it and the tier table stores it: 100, 97.5 (no exponent)."""
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class SchemeBand:
    label: str
    coefficient: Decimal | None  # the scheme's pay coefficient (1 = the whole fee)


@dataclass(frozen=True)
class ProviderScheme:
    version_id: int
    name: str
    bands: tuple[SchemeBand, ...]

    @property
    def labels(self) -> list[str]:
        return [band.label for band in self.bands]


def _coefficient(value: Any) -> Decimal | None:
    return None if value is None else finite_decimal(value)


def provider_scheme(session: Session, provider_id: int) -> ProviderScheme | None:
    """The published scheme that assesses the provider: the one of its latest cycle when
    that version is still published, else the latest published scheme of providers."""
    published = session.execute(
        select(SchemeVersion.id, SchemeVersion.definition)
        .where(
            SchemeVersion.status == VersionStatus.PUBLISHED,
            SchemeVersion.definition["subject"].astext == SubjectKind.PROVIDER,
        )
        .order_by(SchemeVersion.published_at.desc(), SchemeVersion.id.desc())
    ).all()
    if not published:
        return None
    last_used = session.scalar(
        select(Cycle.scheme_version_id)
        .join(CycleSubject, CycleSubject.cycle_id == Cycle.id)
        .where(CycleSubject.unit_id == provider_id, CycleSubject.kind == SubjectKind.PROVIDER)
        .order_by(Cycle.period_end.desc(), Cycle.id.desc())
        .limit(1)
    )
    version_id, definition = next((row for row in published if row.id == last_used), published[0])
    bands = tuple(
        SchemeBand(str(band["label"]), _coefficient(band.get("pay_coefficient")))
        for band in definition.get("bands") or ()
        if isinstance(band, dict) and band.get("label")
    )
    return ProviderScheme(version_id, str(definition.get("name") or ""), bands)


@dataclass(frozen=True)
class TierRow:
    """One row of the tier form: a band and the share typed for it."""

    band: str
    share: str
    coefficient: Decimal | None
    in_scheme: bool  # False: a band of an older table that the scheme no longer has


def _share_of(coefficient: Decimal | None) -> str:
    return "" if coefficient is None else plain(coefficient * 100)


def tier_rows(scheme: ProviderScheme | None, tiers: Sequence[Any]) -> list[TierRow]:
    """The scheme's bands, each with its share from ``tiers`` or else its pay coefficient as
    a percentage (1 → 100), then the bands of ``tiers`` the scheme does not have."""
    known = {
        str(tier["band"]): str(tier.get("share", ""))
        for tier in tiers
        if isinstance(tier, dict) and tier.get("band")
    }
    bands = scheme.bands if scheme else ()
    rows = [
        TierRow(b.label, known.get(b.label, _share_of(b.coefficient)), b.coefficient, True)
        for b in bands
    ]
    in_scheme = {b.label for b in bands}
    rows += [TierRow(band, share, None, False) for band, share in known.items()
             if band not in in_scheme]  # fmt: skip
    return rows


def share_for(tiers: Sequence[Any], band: str | None) -> Decimal | None:
    """The share (percent) a tier table pays for ``band``; None when it names no such band."""
    if band is None:
        return None
    for tier in tiers:
        if isinstance(tier, dict) and tier.get("band") == band:
            return finite_decimal(tier.get("share"))
    return None
