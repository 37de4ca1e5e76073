"""How the audit log words what rating entry records, on the form, in the grid and from
Excel (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from saas.audit.vocabulary import Record, Words, numeric_ids
from saas.models.cycle import CycleSubject, RatingSheet
from saas.models.org import OrgUnit
from saas.models.people import Employee

SHEET_STATUS_LABELS = {
    "assigned": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
}
SOURCE_LABELS = {
    "self": _l("Self"),
    "supervisor": _l("Supervisor or department"),
    "peer": _l("Peers"),
    "subordinate": _l("Subordinates"),
    "customer": _l("Customers"),
    "committee": _l("Assessment committee"),
    "third_party": _l("Third party"),
}


def _sheet_names(session, ids) -> dict[str, str]:
    """A sheet by whom it rates and for which source: "李工 · Peers"."""
    rows = session.execute(
        select(RatingSheet.id, RatingSheet.source, func.coalesce(Employee.name, OrgUnit.name))
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
        .outerjoin(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
        .where(RatingSheet.id.in_(numeric_ids(ids)))
    )
    return {str(row[0]): f"{row[2]} · {SOURCE_LABELS.get(row[1], row[1])}" for row in rows}


WORDS = Words(
    actions={
        "rating_sheet.submit": _l("Rating sheet submitted"),
        "rating_sheet.reopen": _l("Rating sheet reopened"),
        "rating_sheet.grid_save": _l("Ratings saved in the grid"),
        "rating_sheet.upload": _l("Ratings uploaded from Excel"),
        "rating_sheet.grid_submit": _l("Rating submitted from the grid"),
    },
    records={
        "rating_sheet": Record(
            _l("Rating sheet"),
            fields={
                "items": _l("Items rated"),
                "reason": _l("Why it was reopened"),
                "values": _l("Ratings (item → value)"),
                "total": _l("Total"),
            },
            values={"status": SHEET_STATUS_LABELS},
            names=_sheet_names,
        ),
    },
)
