"""Inspection findings as ledger events (built by the evidence-to-scores work)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.inspections.findings import Finding
from saas.models.inspection import Inspection
from saas.models.ledger import LedgerEntry
from saas.scoring.scheme import Scheme


def record_failures(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    findings: list[Finding],
) -> list[LedgerEntry]:
    """One ledger entry per failed item whose event the checklist names."""
    return []
