"""How the audit log words what the rating grid records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import Record, Words

SHEET_STATUS_LABELS = {
    "assigned": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
}

WORDS = Words(
    actions={
        "rating_sheet.grid_save": _l("Ratings saved in the grid"),
        "rating_sheet.upload": _l("Ratings uploaded from Excel"),
        "rating_sheet.grid_submit": _l("Rating submitted from the grid"),
    },
    records={
        "rating_sheet": Record(
            _l("Rating sheet"),
            fields={
                "values": _l("Ratings (item → value)"),
                "total": _l("Total"),
            },
            values={"status": SHEET_STATUS_LABELS},
        ),
    },
)
