"""How the audit log words what the providers area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import DATE, Record, Words, names_by_id
from saas.models.org import OrgUnit
from saas.models.provider import ProviderContract


def tiers_text(value: Any, _context: Mapping[str, Any]) -> str:
    """A tier table as one line: 优秀 100%、良好 100%、合格 95%."""
    if not isinstance(value, list):
        return str(value)
    parts = [
        f"{tier.get('band')} {tier.get('share')}%"
        for tier in value
        if isinstance(tier, dict) and tier.get("band") is not None
    ]
    return ("、" if get_locale().language == "zh" else ", ").join(parts)


def _contract_names(session, ids) -> dict[str, str]:
    return names_by_id(session, ProviderContract.id, ProviderContract.company, ids)


WORDS = Words(
    actions={
        "provider_contract.added": _l("Provider contract recorded"),
        "provider_contract.changed": _l("Provider contract corrected"),
        "provider.contact_set": _l("Provider contact set"),
        "provider.contact_removed": _l("Provider contact removed"),
    },
    records={
        "provider_contract": Record(
            _l("Provider contract"),
            fields={
                "unit_id": _l("Provider"),
                "company": _l("Company"),
                "starts_on": _l("Starts on"),
                "ends_on": _l("Ends on"),
                "monthly_fee": _l("Monthly fee"),
                "tiers": _l("Payment tiers"),
                "note": _l("Note"),
            },
            references={"unit_id": "org_unit"},
            formats={"starts_on": DATE, "ends_on": DATE, "tiers": tiers_text},
            names=_contract_names,
        ),
        "provider": Record(
            _l("Provider"),
            fields={"contact": _l("Contact")},
            names=lambda session, ids: names_by_id(session, OrgUnit.id, OrgUnit.name, ids),
        ),
    },
)
