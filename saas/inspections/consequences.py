"""What finishing an inspection sets off, in the same transaction as the finish: a
rectification notice per failed item (saas/notices/service.py) and the ledger events its
checklist maps failures to (saas/inspections/evidence.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.inspections import evidence
from saas.inspections.findings import failed_items
from saas.models.inspection import Inspection
from saas.notices import service as notices
from saas.scoring.scheme import Scheme


def after_inspection(
    session: Session, actor: Actor, inspection: Inspection, checklist: Scheme, today: dt.date
) -> None:
    findings = failed_items(checklist, inspection.values)
    notices.raise_notices(session, actor, inspection, checklist, findings, today)
    evidence.record_failures(session, actor, inspection, checklist, findings, on=today)
