"""Rectification notices: raising, answering, verifying (built by the notices work)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.inspections.findings import Finding
from saas.models.inspection import Inspection, RectificationNotice
from saas.scoring.scheme import Scheme


def raise_notices(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    checklist: Scheme,
    findings: list[Finding],
    today: dt.date,
) -> list[RectificationNotice]:
    """One open notice per failed item, due ``checklist.inspection.rectify_days`` after
    ``today``, owned by the unit's manager's account or the provider's contact."""
    return []
