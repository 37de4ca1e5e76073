"""The gap report page: for a period, where the cascade of goals is broken, each gap with a
link to where it is fixed (the goal itself, or the goal tree of the unit or person).

Whoever sees some of the organisation (admins, committee members, inspectors, managers) may
open it (``goals.gap_report``) and sees the gaps within their scope; an employee gets 403 and
is not shown the link.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request

from saas.auth.accounts import current_scope
from saas.auth.guard import requires
from saas.goals.gaps import GapReport, Owner, gap_report
from saas.goals.service import period_kind
from saas.scoring.period import label_of
from saas.scoring.scheme import PeriodKind
from saas.validation import Invalid
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("goal_reports", __name__, url_prefix=TENANT_PREFIX + "/goals")


class FixLinks:
    """Where each gap is fixed. Plain paths under the tenant, so the page does not depend on
    the goal pages' endpoint names."""

    def __init__(self, period: str) -> None:
        self.base = f"{request.script_root}/t/{g.tenant.slug}/goals/"
        self.period = period

    def goal(self, goal_id: int) -> str:
        return f"{self.base}{goal_id}"

    def unit(self, unit_id: int) -> str:
        return f"{self.base}?{urlencode({'unit': unit_id, 'period': self.period})}"

    def person(self, employee_id: int) -> str:
        return f"{self.base}?{urlencode({'employee': employee_id, 'period': self.period})}"

    def owner(self, owner: Owner) -> str:
        return self.unit(owner.id) if owner.kind == "unit" else self.person(owner.id)


def _suggestions(today: dt.date) -> list[str]:
    """Periods offered in the picker: this year, its halves and its quarters."""
    year = today.year
    return [f"{year}", f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5))]


@bp.get("/gaps")
@requires("goals.gap_report")
def gaps():
    today = tenant_today()
    # Typed by hand, "2026-q3" means 2026-Q3.
    period = (request.args.get("period") or "").strip().upper() or label_of(
        PeriodKind.QUARTER, today
    )
    report: GapReport | None = None
    error = None
    try:
        period_kind(period)
    except Invalid as refused:
        error = refused.message
    else:
        report = gap_report(tenant_session(), current_scope(), period)
    return render_template(
        "goals/gaps.html",
        period=period,
        report=report,
        error=error,
        links=FixLinks(period),
        suggestions=_suggestions(today),
    )
