"""Which subjects (and whose sheets) a reader of a cycle's lists may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select, true

from saas.models.cycle import CycleSubject
from saas.models.org import OrgUnit
from saas.org.access import Scope


def subject_clause(scope: Scope) -> ColumnElement[bool]:
    """The subjects this user may see: all, or those of the units they manage."""
    if scope.read_all:
        return true()
    return CycleSubject.unit_id.in_(select(OrgUnit.id).where(scope.unit_clause()))


def sheet_subject_clause(scope: Scope) -> ColumnElement[bool]:
    """The subjects whose sheets (who rates them) this user may see: as ``subject_clause``,
    but never the sheets about themself, unless they manage every record — peer and
    subordinate raters stay unknown to the person they rate."""
    seen = subject_clause(scope)
    if scope.write_all or scope.employee_id is None:
        return seen
    return and_(
        seen,
        or_(CycleSubject.employee_id.is_(None), CycleSubject.employee_id != scope.employee_id),
    )
