"""How the audit log words what the notices area records (see saas/audit/vocabulary.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.audit.vocabulary import DATE, Record, Words
from saas.notices.words import STATUS_LABELS

WORDS = Words(
    actions={
        "notice.raise": _l("Rectification notice raised"),
        "notice.answer": _l("Rectification notice answered"),
        "notice.accept": _l("Rectification accepted"),
        "notice.reject": _l("Rectification answer sent back"),
        "notice.deadline": _l("Rectification deadline changed"),
        "notice.overdue": _l("Overdue rectification notice entered in the ledger"),
    },
    records={
        "rectification_notice": Record(
            _l("Rectification notice"),
            fields={
                "serial": _l("Serial number"),
                "inspection_id": _l("From the inspection"),
                "item_key": _l("Item inspected"),
                "unit_id": _l("Unit"),
                "owner_id": _l("Answered by (owner)"),
                "what": _l("What to fix"),
                "deadline": _l("Rectify by"),
                "answer_note": _l("Answer given"),
                "round": _l("Answer round"),
                "rejections": _l("Times sent back"),
                "verify_note": _l("Verifier's note"),
                "ledger_entry_id": _l("Ledger entry"),
            },
            values={"status": STATUS_LABELS},
            references={
                "unit_id": "org_unit",
                "owner_id": "user",
                "ledger_entry_id": "ledger_entry",
            },
            formats={"deadline": DATE},
        ),
    },
)
